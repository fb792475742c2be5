/** The two files the canvas host writes or serves itself: the starter page and the reload client. */

/** Written once into a canvas root the gateway creates. */
export const DEFAULT_INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OpenClaw canvas</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #222; }
  code { background: #f2f2f2; padding: 0.1em 0.3em; border-radius: 3px; }
</style>
</head>
<body>
<h1>Canvas is ready</h1>
<p>This page is served by your OpenClaw gateway from its canvas folder. Nothing has been put here yet.</p>
<p>Put HTML, CSS, JavaScript, images or JSON into the canvas folder
(<code>&lt;state dir&gt;/canvas/documents</code> unless <code>plugins.entries.canvas.config.host.root</code> says otherwise)
and open them under <code>/__openclaw__/canvas/</code>. A folder shows its <code>index.html</code>;
replace this file to change what the canvas opens on.</p>
<p>Open pages reload by themselves when a file in the folder changes.</p>
</body>
</html>
`;

/**
 * Loaded by every HTML document the host serves (a separate file, so a document's own CSP with
 * script-src 'self' still admits it). It finds the event stream next to its own URL, which
 * carries the capability prefix when there is one.
 */
export const LIVE_CLIENT_JS = `// OpenClaw canvas: reload this page when a file under the canvas folder changes.
(function () {
  var self = document.currentScript;
  if (!self || typeof EventSource !== "function") return;
  var stream = new EventSource(self.src.replace(/client\\.js(?:[?#].*)?$/, "events"));
  stream.addEventListener("reload", function () {
    stream.close();
    location.reload();
  });
})();
`;

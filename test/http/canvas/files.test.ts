// Path segments, root resolution, the off switch and capability URLs, without a listener.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { canvasRoot, documentSegments } from "../../../src/http/canvas/files.ts";
import { injectScript, notModified } from "../../../src/http/canvas/host.ts";
import { canvasHostEnabled, canvasSkippedByEnv, capabilityUrl, SurfaceCapabilities } from "../../../src/http/canvas/surface.ts";

test("documentSegments decodes each segment once and refuses anything that could leave the root", () => {
  expect(documentSegments("")).toEqual([""]);
  expect(documentSegments("/")).toEqual([""]);
  expect(documentSegments("/a/b.html")).toEqual(["a", "b.html"]);
  expect(documentSegments("/a/")).toEqual(["a", ""]);
  expect(documentSegments("/a%20b/c%2Bd.txt")).toEqual(["a b", "c+d.txt"]);
  // Double encoding decodes once: a literal "%2e%2e" name, not a dot segment.
  expect(documentSegments("/%252e%252e/x")).toEqual(["%2e%2e", "x"]);
  for (const bad of [
    "/..", "/../x", "/%2e%2e/x", "/%2E%2e", "/.", "/%2e", "/a/../b", "/..%2fx", "/a%2fb", "/a%2Fb", "/a%5cb", "/a\\b", "/..\\x",
    "/a%00b", "/%00", "/a%0ab", "/a%7fb", "//etc/passwd", "/a//b", "/.env", "/%2eenv", "/%", "/%zz", "/%c0%ae%c0%ae", "x", "/a/%2e%2e/",
  ]) {
    expect(documentSegments(bad), bad).toBeUndefined();
  }
});

test("the root is <state>/canvas/documents unless configured; ~ is home and relative is under the state dir", () => {
  expect(canvasRoot({}, "/s", "/h")).toBe(join("/s", "canvas", "documents"));
  const at = (root: string) => canvasRoot({ plugins: { entries: { canvas: { config: { host: { root } } } } } }, "/s", "/h");
  expect(at("~/docs")).toBe("/h/docs");
  expect(at("docs/x")).toBe("/s/docs/x");
  expect(at("/abs")).toBe("/abs");
  expect(at("  ")).toBe(join("/s", "canvas", "documents"));
});

test("the off switches: env values, plugins.enabled, the entry and the host", () => {
  for (const v of ["1", "true", "TRUE", "yes", "on", " 1 "]) expect(canvasSkippedByEnv(v), v).toBe(true);
  for (const v of [undefined, "", "0", "false", "no", "off"]) expect(canvasSkippedByEnv(v), String(v)).toBe(false);
  expect(canvasHostEnabled({})).toBe(true);
  expect(canvasHostEnabled({}, true)).toBe(false);
  expect(canvasHostEnabled({ plugins: { enabled: false } })).toBe(false);
  expect(canvasHostEnabled({ plugins: { entries: { canvas: { enabled: false } } } })).toBe(false);
  expect(canvasHostEnabled({ plugins: { entries: { canvas: { config: { host: { enabled: false } } } } } })).toBe(false);
  expect(canvasHostEnabled({ plugins: { entries: { canvas: { config: { host: { enabled: true } } } } } })).toBe(true);
});

test("capabilities are one per connection, unguessable, and gone with revoke", () => {
  const caps = new SurfaceCapabilities();
  const a = caps.issue("a");
  expect(caps.issue("a")).toBe(a);
  const b = caps.issue("b");
  expect(b).not.toBe(a);
  expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
  expect(caps.holds(a)).toBe(true);
  caps.revoke("a");
  expect(caps.holds(a)).toBe(false);
  expect(caps.holds(b)).toBe(true);
  expect(caps.size).toBe(1);
  caps.revoke("nobody");
  expect(caps.size).toBe(1);
});

test("capability URLs use the Host the client reached us at, else the listener", () => {
  const listener = { host: "127.0.0.1", port: 18789 };
  expect(capabilityUrl("gw.tail1234.ts.net", listener, "CAP")).toBe("http://gw.tail1234.ts.net/__openclaw__/cap/CAP");
  expect(capabilityUrl("192.168.1.5:18789", listener, "CAP")).toBe("http://192.168.1.5:18789/__openclaw__/cap/CAP");
  expect(capabilityUrl("[::1]:18789", listener, "CAP")).toBe("http://[::1]:18789/__openclaw__/cap/CAP");
  for (const odd of [undefined, "", "evil.example/path", "a@b", "x y", "host:port"]) {
    expect(capabilityUrl(odd, listener, "CAP"), String(odd)).toBe("http://127.0.0.1:18789/__openclaw__/cap/CAP");
  }
  expect(capabilityUrl(undefined, { host: "::1", port: 5 }, "CAP")).toBe("http://[::1]:5/__openclaw__/cap/CAP");
});

test("conditional requests: If-None-Match (weak, lists, *) wins over If-Modified-Since", () => {
  const etag = 'W/"10-abc"';
  const mtime = Date.parse("2026-01-02T03:04:05.678Z");
  const h = (o: Record<string, string>) => new Headers(o);
  expect(notModified(h({ "if-none-match": etag }), etag, mtime)).toBe(true);
  expect(notModified(h({ "if-none-match": '"10-abc"' }), etag, mtime)).toBe(true);
  expect(notModified(h({ "if-none-match": '"x", W/"10-abc"' }), etag, mtime)).toBe(true);
  expect(notModified(h({ "if-none-match": "*" }), etag, mtime)).toBe(true);
  expect(notModified(h({ "if-none-match": '"x"', "if-modified-since": new Date(mtime).toUTCString() }), etag, mtime)).toBe(false);
  expect(notModified(h({ "if-modified-since": new Date(mtime).toUTCString() }), etag, mtime)).toBe(true);
  expect(notModified(h({ "if-modified-since": new Date(mtime - 1000).toUTCString() }), etag, mtime)).toBe(false);
  expect(notModified(h({ "if-modified-since": "not a date" }), etag, mtime)).toBe(false);
  expect(notModified(h({}), etag, mtime)).toBe(false);
});

test("injectScript puts the tag before the last </body>, else </html>, else at the end", () => {
  // A "</body>" in an inline script's text comes before the real one, so the last one is used.
  const page = '<body><script>var s = "</body>";</script>a</BODY>\n';
  expect(injectScript(page, "/s.js")).toBe('<body><script>var s = "</body>";</script>a<script src="/s.js"></script></BODY>\n');
  expect(injectScript("<html>a</HTML>", "/s.js")).toBe('<html>a<script src="/s.js"></script></HTML>');
  expect(injectScript("plain", "/s.js")).toBe('plain<script src="/s.js"></script>');
});

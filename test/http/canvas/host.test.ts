// The canvas host over a real listener: files, types, index fallback, refusals, validators, methods, auth, capabilities, off switch.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { startCanvasServer, TOKEN, type CanvasServer } from "./helpers.ts";

const servers: CanvasServer[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop();
});

function start(opts: Parameters<typeof startCanvasServer>[0] = {}): CanvasServer {
  const s = startCanvasServer(opts);
  servers.push(s);
  return s;
}

/** A root with some files (created by the test, so the host never writes its starter page). */
function seed(s: CanvasServer, files: Record<string, string | Uint8Array>): void {
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(s.root, name, ".."), { recursive: true });
    writeFileSync(join(s.root, name), body);
  }
}

const C = "/__openclaw__/canvas";

test("the first request creates the default root 0700 with our starter page; an existing root is never written to", async () => {
  const s = start();
  const res = await s.get(`${C}/`);
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain("Canvas is ready");
  expect(statSync(s.root).mode & 0o777).toBe(0o700);
  expect(readFileSync(join(s.root, "index.html"), "utf8")).toContain("/__openclaw__/canvas/");

  // A root that already exists (here: emptied) gets no starter page.
  const other = start();
  mkdirSync(other.root, { recursive: true });
  expect((await other.get(`${C}/`)).status).toBe(404);
  expect(() => statSync(join(other.root, "index.html"))).toThrow();
});

test("content types come from the file name; unknown names are octet-stream", async () => {
  const s = start();
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const wasm = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  seed(s, {
    "page.html": "<p>x</p>", "style.css": "p{}", "app.js": "1", "mod.mjs": "export {}", "data.json": "{}", "pic.svg": "<svg/>",
    "pic.png": png, "lib.wasm": wasm, "notes.txt": "t", "blob.bin123": "b",
  });
  const expected: Record<string, string> = {
    "page.html": "text/html", "style.css": "text/css", "app.js": "text/javascript", "mod.mjs": "text/javascript",
    "data.json": "application/json", "pic.svg": "image/svg+xml", "pic.png": "image/png", "lib.wasm": "application/wasm",
    "notes.txt": "text/plain", "blob.bin123": "application/octet-stream",
  };
  for (const [name, type] of Object.entries(expected)) {
    const res = await s.get(`${C}/${name}`);
    expect(res.status, name).toBe(200);
    expect(res.headers.get("content-type")!.split(";")[0], name).toBe(type);
  }
  const bytes = new Uint8Array(await (await s.get(`${C}/lib.wasm`)).arrayBuffer());
  expect([...bytes]).toEqual([...wasm]);
});

test("a directory serves its index.html; without the slash it redirects; no index is 404", async () => {
  const s = start();
  seed(s, { "index.html": "<p>top</p>", "sub/index.html": "<p>sub</p>", "empty/readme.txt": "r", "a b/index.html": "<p>space</p>" });
  expect(await (await s.get(`${C}/`)).text()).toContain("<p>top</p>");
  expect(await (await s.get(`${C}/sub/`)).text()).toContain("<p>sub</p>");
  expect(await (await s.get(`${C}/a%20b/`)).text()).toContain("<p>space</p>");
  const bare = await s.get(`${C}/sub?x=1`);
  expect(bare.status).toBe(301);
  expect(bare.headers.get("location")).toBe(`${C}/sub/?x=1`);
  const root = await s.get(C);
  expect(root.status).toBe(301);
  expect(root.headers.get("location")).toBe(`${C}/`);
  expect((await s.get(`${C}/empty/`)).status).toBe(404);
  expect((await s.get(`${C}/missing.html`)).status).toBe(404);
  // A file asked for as a directory is not found.
  expect((await s.get(`${C}/sub/index.html/`)).status).toBe(404);
});

test("traversal in every spelling is refused alike, and never reveals whether the target exists", async () => {
  const s = start();
  seed(s, { "index.html": "<p>in</p>", "ok.txt": "ok" });
  writeFileSync(join(s.dir, "secret.txt"), "TOP-SECRET");
  writeFileSync(join(s.dir, "canvas", "secret.txt"), "TOP-SECRET");
  const attempts = [
    `${C}/../secret.txt`, `${C}/../../secret.txt`, `${C}/%2e%2e/secret.txt`, `${C}/%2E%2E/%2e%2e/secret.txt`, `${C}/..%2fsecret.txt`,
    `${C}/..%2f..%2fsecret.txt`, `${C}/%2e%2e%2f%2e%2e%2fsecret.txt`, `${C}/..\\..\\secret.txt`, `${C}/..%5c..%5csecret.txt`,
    `${C}/%252e%252e/%252e%252e/secret.txt`, `${C}/%252e%252e%252fsecret.txt`, `${C}/ok.txt%00.html`, `${C}/%00`,
    `${C}//etc/passwd`, `${C}/%2fetc%2fpasswd`, `${C}/.%2e/secret.txt`, `${C}/%c0%ae%c0%ae/secret.txt`, `${C}/%e0%80%ae/x`,
    `${C}/./../secret.txt`, `${C}/sub/..%2f..%2f..%2fsecret.txt`,
  ];
  const missing = await s.raw(`${C}/%2e%2e/no-such-file.txt`);
  for (const path of attempts) {
    const res = await s.raw(path);
    expect(res.body, path).not.toContain("TOP-SECRET");
    expect(res.status, path).toBe(404);
    expect(res.body, path).toBe(missing.body);
  }
  // Dotfiles inside the root stay private too.
  seed(s, { ".env": "KEY=1", ".git/config": "[core]" });
  expect((await s.raw(`${C}/.env`)).status).toBe(404);
  expect((await s.raw(`${C}/.git/config`)).status).toBe(404);
  expect((await s.raw(`${C}/ok.txt`)).body).toBe("ok");
});

test("symlinks resolving outside the root are refused; symlinks inside it work", async () => {
  const s = start();
  seed(s, { "real.html": "<p>real</p>", "dir/page.html": "<p>page</p>" });
  const outside = join(s.dir, "outside");
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.html"), "<p>OUTSIDE</p>");
  writeFileSync(join(outside, "index.html"), "<p>OUTSIDE INDEX</p>");
  symlinkSync(join(outside, "secret.html"), join(s.root, "escape.html"));
  symlinkSync(outside, join(s.root, "escdir"));
  symlinkSync("../../outside/secret.html", join(s.root, "relative-escape.html"));
  symlinkSync("real.html", join(s.root, "alias.html"));
  symlinkSync(join(s.root, "dir"), join(s.root, "dirlink"));
  mkdirSync(join(s.root, "trap"));
  symlinkSync(join(outside, "index.html"), join(s.root, "trap", "index.html"));

  for (const path of ["escape.html", "escdir/secret.html", "escdir/", "escdir", "relative-escape.html", "trap/"]) {
    const res = await s.get(`${C}/${path}`);
    expect(res.status, path).toBe(404);
    expect(await res.text(), path).not.toContain("OUTSIDE");
  }
  expect(await (await s.get(`${C}/alias.html`)).text()).toContain("<p>real</p>");
  expect(await (await s.get(`${C}/dirlink/page.html`)).text()).toContain("<p>page</p>");
});

test("a root that is itself a symlink is followed, and files under it are served", async () => {
  const s = start();
  const elsewhere = join(s.dir, "real-root");
  mkdirSync(elsewhere);
  writeFileSync(join(elsewhere, "index.html"), "<p>linked root</p>");
  mkdirSync(join(s.root, ".."), { recursive: true });
  symlinkSync(elsewhere, s.root);
  expect(await (await s.get(`${C}/`)).text()).toContain("linked root");
});

test("ETag and Last-Modified give 304; a changed file gets a new ETag; headers say no-cache, nosniff and sandbox", async () => {
  const s = start();
  seed(s, { "a.css": "p{color:red}", "p.html": "<html><body>x</body></html>" });
  const first = await s.get(`${C}/a.css`);
  const etag = first.headers.get("etag")!;
  const lastModified = first.headers.get("last-modified")!;
  expect(etag).toMatch(/^W\/".+"$/);
  expect(first.headers.get("cache-control")).toBe("no-cache");
  expect(first.headers.get("x-content-type-options")).toBe("nosniff");
  expect(first.headers.get("content-security-policy")).toStartWith("sandbox ");
  expect(first.headers.get("content-security-policy")).not.toContain("allow-same-origin");
  expect(first.headers.get("access-control-allow-origin")).toBeNull();

  const byTag = await s.get(`${C}/a.css`, { headers: { "if-none-match": etag } });
  expect(byTag.status).toBe(304);
  expect(await byTag.text()).toBe("");
  expect(byTag.headers.get("etag")).toBe(etag);
  expect((await s.get(`${C}/a.css`, { headers: { "if-none-match": `"other", ${etag}` } })).status).toBe(304);
  expect((await s.get(`${C}/a.css`, { headers: { "if-modified-since": lastModified } })).status).toBe(304);
  expect((await s.get(`${C}/a.css`, { headers: { "if-none-match": '"other"', "if-modified-since": lastModified } })).status).toBe(200);
  expect((await s.get(`${C}/a.css`, { headers: { "if-modified-since": new Date(Date.parse(lastModified) - 5000).toUTCString() } })).status).toBe(200);

  writeFileSync(join(s.root, "a.css"), "p{color:blue;}");
  const later = new Date(Date.now() + 5000);
  utimesSync(join(s.root, "a.css"), later, later);
  const changed = await s.get(`${C}/a.css`, { headers: { "if-none-match": etag } });
  expect(changed.status).toBe(200);
  expect(changed.headers.get("etag")).not.toBe(etag);
  expect(await changed.text()).toBe("p{color:blue;}");

  // HTML: the ETag also depends on the prefix the page was asked through (the injected script differs).
  const cap = s.caps.issue("conn-1");
  const plain = (await s.get(`${C}/p.html`)).headers.get("etag");
  const viaCap = (await s.get(`/__openclaw__/cap/${cap}${C}/p.html`, { auth: false })).headers.get("etag");
  expect(plain).not.toBe(viaCap);
});

test("HEAD answers the GET headers with no body", async () => {
  const s = start();
  seed(s, { "data.json": '{"a":1}', "p.html": "<body></body>" });
  const head = await s.get(`${C}/data.json`, { method: "HEAD" });
  expect(head.status).toBe(200);
  expect(head.headers.get("content-type")).toStartWith("application/json");
  expect(head.headers.get("content-length")).toBe("7");
  expect(head.headers.get("etag")).toBe((await s.get(`${C}/data.json`)).headers.get("etag"));
  expect(await head.text()).toBe("");
  const html = await s.get(`${C}/p.html`);
  const htmlHead = await s.get(`${C}/p.html`, { method: "HEAD" });
  expect(htmlHead.headers.get("content-length")).toBe(String((await html.arrayBuffer()).byteLength));
  expect((await s.get(`${C}/nope.json`, { method: "HEAD" })).status).toBe(404);
});

test("methods other than GET and HEAD are 405 with Allow, before auth, on every canvas path", async () => {
  const s = start();
  seed(s, { "a.txt": "a" });
  const cap = s.caps.issue("conn-1");
  for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
    for (const path of [`${C}/a.txt`, `${C}/`, "/__openclaw__/a2ui/", `/__openclaw__/cap/${cap}${C}/a.txt`]) {
      const res = await s.get(path, { method, auth: false });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
    }
  }
  expect(readFileSync(join(s.root, "a.txt"), "utf8")).toBe("a");
});

test("the plain paths need the gateway's Bearer secret; a2ui answers 401 without it and 404 with it", async () => {
  const s = start();
  seed(s, { "a.txt": "a" });
  for (const path of [`${C}/a.txt`, `${C}/`, `${C}/missing`, "/__openclaw__/a2ui/", "/__openclaw__/a2ui/x.js"]) {
    const none = await s.get(path, { auth: false });
    expect(none.status, path).toBe(401);
    expect(await none.json()).toEqual({ error: { message: "Unauthorized", type: "unauthorized" } });
    expect((await s.get(path, { headers: { authorization: "Bearer wrong" } })).status, path).toBe(401);
    // Not as a query parameter either.
    expect((await s.get(`${path}?token=${TOKEN}`, { auth: false })).status, path).toBe(401);
  }
  expect((await s.get("/__openclaw__/a2ui/")).status).toBe(404);
  expect((await s.get(`${C}/a.txt`)).status).toBe(200);
});

test("password auth takes the password as Bearer; auth mode none serves local callers addressed by a local name only", async () => {
  const pw = start({ auth: { mode: "password", password: "pw-123" } as never });
  seed(pw, { "a.txt": "a" });
  expect((await pw.get(`${C}/a.txt`, { headers: { authorization: "Bearer pw-123" } })).status).toBe(200);
  expect((await pw.get(`${C}/a.txt`)).status).toBe(401);

  const open = start({ auth: { mode: "none" } as never });
  seed(open, { "a.txt": "a" });
  expect((await open.get(`${C}/a.txt`, { auth: false })).status).toBe(200);
  // A DNS-rebinding page reaches us under its own name: refused.
  expect((await open.raw(`${C}/a.txt`, { Host: "evil.example" })).status).toBe(403);
});

test("a capability URL opens the canvas without a header while its connection lives; others are 401", async () => {
  const s = start();
  seed(s, { "index.html": "<html><body><p>doc</p></body></html>", "data.json": "{}" });
  const cap = s.caps.issue("conn-1");
  const base = `/__openclaw__/cap/${cap}`;
  const page = await s.get(`${base}${C}/`, { auth: false });
  expect(page.status).toBe(200);
  expect(page.headers.get("access-control-allow-origin")).toBe("*");
  expect(await page.text()).toContain(`<script src="${base}${C}/.live/client.js"></script></body>`);
  expect((await s.get(`${base}${C}/data.json`, { auth: false })).status).toBe(200);
  const toRoot = await s.get(base, { auth: false });
  expect(toRoot.status).toBe(301);
  expect(toRoot.headers.get("location")).toBe(`${base}${C}/`);
  expect((await s.get(`${base}/__openclaw__/a2ui/`, { auth: false })).status).toBe(404);
  expect((await s.get(`${base}/v1/models`, { auth: false })).status).toBe(404);
  // Traversal through the capability prefix stays inside the canvas.
  expect((await s.raw(`${base}${C}/%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404);

  const unknown = await s.get(`/__openclaw__/cap/${"A".repeat(32)}${C}/`, { auth: false });
  expect(unknown.status).toBe(401);
  s.caps.revoke("conn-1");
  expect((await s.get(`${base}${C}/`, { auth: false })).status).toBe(401);
});

test("off switch: OPENCLAW_SKIP_CANVAS_HOST and each config switch make every canvas path 404, live", async () => {
  const skipped = start({ skippedByEnv: true });
  const cap = skipped.caps.issue("c");
  for (const path of [`${C}/`, `${C}/x`, "/__openclaw__/a2ui/", `/__openclaw__/cap/${cap}${C}/`]) {
    expect((await skipped.get(path)).status, path).toBe(404);
  }
  expect(() => statSync(skipped.root)).toThrow();

  const s = start();
  const offs: OpenClawConfig[] = [
    { plugins: { entries: { canvas: { config: { host: { enabled: false } } } } } },
    { plugins: { entries: { canvas: { enabled: false } } } },
    { plugins: { enabled: false } },
  ];
  for (const config of offs) {
    s.state.config = config;
    expect((await s.get(`${C}/`)).status, JSON.stringify(config)).toBe(404);
    expect((await s.get(`${C}/`, { auth: false })).status).toBe(404);
    expect((await s.get("/__openclaw__/a2ui/")).status).toBe(404);
  }
  s.state.config = { plugins: { entries: { canvas: { config: { host: { enabled: true } } } } } };
  expect((await s.get(`${C}/`)).status).toBe(200);
});

test("a configured root (~ and relative forms) replaces the default; liveReload false serves pages untouched", async () => {
  const s = start();
  mkdirSync(join(s.dir, "mine"));
  writeFileSync(join(s.dir, "mine", "index.html"), "<body>mine</body>");
  for (const root of ["~/mine", "mine", join(s.dir, "mine")]) {
    s.state.config = { plugins: { entries: { canvas: { config: { host: { root } } } } } };
    expect(await (await s.get(`${C}/`)).text(), root).toContain("mine");
  }
  expect(() => statSync(s.root)).toThrow();

  s.state.config = { plugins: { entries: { canvas: { config: { host: { root: "mine", liveReload: false } } } } } };
  expect(await (await s.get(`${C}/`)).text()).toBe("<body>mine</body>");
  expect((await s.get(`${C}/.live/client.js`)).status).toBe(404);
  expect((await s.get(`${C}/.live/events`)).status).toBe(404);
});

test("the injected script is a served file (no inline script), placed before </body>", async () => {
  const s = start();
  seed(s, { "a.html": "<HTML><BODY>a</BODY></HTML>", "b.html": "<p>fragment</p>", "c.htm": "<html>c</html>" });
  expect(await (await s.get(`${C}/a.html`)).text()).toBe(`<HTML><BODY>a<script src="${C}/.live/client.js"></script></BODY></HTML>`);
  expect(await (await s.get(`${C}/b.html`)).text()).toBe(`<p>fragment</p><script src="${C}/.live/client.js"></script>`);
  expect(await (await s.get(`${C}/c.htm`)).text()).toBe(`<html>c<script src="${C}/.live/client.js"></script></html>`);
  const client = await s.get(`${C}/.live/client.js`);
  expect(client.headers.get("content-type")).toStartWith("text/javascript");
  expect(await client.text()).toContain("EventSource");
});

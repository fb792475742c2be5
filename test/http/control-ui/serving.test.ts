// The Control UI on the gateway port: the app shell for client routes, hashed assets cached for a
// year and precompressed, no-cache for the rest, the security headers and CSP on every UI
// response, plain-text 404s for JSON callers and missing assets, basePath, and the off switch.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { brotliDecompressSync } from "node:zlib";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { CONTROL_UI_CSP } from "../../../src/http/control-ui/headers.ts";
import { startTestGateway, type TestGateway } from "../../fixtures/gateway.ts";

let gw: TestGateway;
let based: TestGateway;
let base: string;
let html: string;

beforeAll(async () => {
  gw = await startTestGateway();
  based = await startTestGateway({ config: { gateway: { mode: "local", controlUi: { basePath: "/openclaw/" } } } });
  base = `http://127.0.0.1:${gw.port}`;
  html = await (await fetch(`${base}/`)).text();
}, 30_000); // the first request builds the UI from src/ui

afterAll(async () => {
  await gw.stop();
  await based.stop();
});

/** Fetch without Bun's automatic Accept-Encoding, so identity is what we ask for. */
const get = (url: string, headers: Record<string, string> = {}, method = "GET") =>
  fetch(url, { method, headers: { "accept-encoding": "identity", ...headers }, decompress: false } as RequestInit);

function assetPaths(page: string): string[] {
  const paths = [...page.matchAll(/(?:src|href)="([^"]*\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  if (paths.length === 0) throw new Error(`no asset in the page:\n${page}`);
  return paths;
}

function expectUiHeaders(res: Response): void {
  expect(res.headers.get("content-security-policy")).toBe(CONTROL_UI_CSP);
  expect(res.headers.get("x-frame-options")).toBe("DENY");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  expect(res.headers.get("permissions-policy")).toBe("camera=(self), microphone=*, geolocation=*, clipboard-write=*");
}

describe("the app shell", () => {
  test("GET / is index.html, no-cache, with the security headers and a CSP that allows no inline script and no other host", async () => {
    const res = await get(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("etag")).toBeNull();
    expectUiHeaders(res);
    const csp = CONTROL_UI_CSP.split("; ");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(CONTROL_UI_CSP).not.toContain("unsafe-inline");
    expect(CONTROL_UI_CSP).not.toContain("unsafe-eval");
    expect(CONTROL_UI_CSP).not.toMatch(/https?:\/\/|\*/);
    const page = await res.text();
    expect(page).toContain('data-openclaw-control-ui-base-path=""');
    expect(page).toMatch(/data-openclaw-control-ui-build-id="[0-9a-f]{12}"/);
    // Every script is a file (the CSP would block an inline one); no inline style either.
    for (const tag of page.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/\bsrc="\/assets\//);
    expect(page).not.toMatch(/<style|\sstyle=/);
    expect(assetPaths(page).length).toBe(3);
  });

  for (const path of ["/chat", "/chat/main/agent%3Amain%3Amain", "/sessions", "/nodes", "/channels", "/logs", "/config", "/debug", "/nonexistent/deep", "/tools/invoke/x"]) {
    test(`client route ${path} gets the same shell`, async () => {
      const res = await get(`${base}${path}`, { accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(html);
    });
  }

  test("a client route without an Accept header gets the shell too", async () => {
    expect((await fetch(`${base}/logs`, { headers: { accept: "" } })).status).toBe(200);
  });

  for (const accept of ["application/json", "text/html;q=0, */*", "image/png"]) {
    test(`Accept: ${accept} on an unknown path is a plain-text 404`, async () => {
      const res = await get(`${base}/nonexistent`, { accept });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await res.text()).toBe("Not Found");
    });
  }

  test("POST / is 404; HEAD / has the headers and no body", async () => {
    expect((await get(`${base}/`, {}, "POST")).status).toBe(404);
    const head = await get(`${base}/`, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(new TextEncoder().encode(html).length));
    expect(await head.text()).toBe("");
  });

  test("If-Modified-Since with the Last-Modified of index.html is a 304", async () => {
    const first = await get(`${base}/`);
    const lastModified = first.headers.get("last-modified")!;
    expect(lastModified).toBeTruthy();
    const again = await get(`${base}/`, { "if-modified-since": lastModified });
    expect(again.status).toBe(304);
  });

  test("earlier routes win: /health, /openapi.json, unknown /v1 paths are not the UI, and the UI is not in the OpenAPI document", async () => {
    expect(await (await get(`${base}/health`)).json()).toEqual({ ok: true, status: "live" });
    const doc = (await (await get(`${base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).not.toContain("/");
    expect(Object.keys(doc.paths).some((p) => p.includes("*"))).toBe(false);
    for (const path of ["/v1", "/v1/nope", "/api/x", "/__openclaw__/", "/__openclaw__/nope"]) {
      const res = await get(`${base}${path}`, { accept: "text/html" });
      expect(res.status).toBe(404);
      expect(res.headers.get("content-security-policy")).toBeNull();
    }
  });
});

describe("assets", () => {
  test("hashed assets: immutable for a year, Vary and Last-Modified, no ETag; brotli, gzip or identity by Accept-Encoding", async () => {
    const code = assetPaths(html).filter((p) => !p.endsWith(".svg"));
    expect(code).toHaveLength(2);
    for (const path of code) {
      expect(path).toMatch(/^\/assets\/[a-z0-9-]+-[a-z0-9]{8}\.(js|css)$/);
      const plain = await get(`${base}${path}`);
      expect(plain.status).toBe(200);
      expect(plain.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(plain.headers.get("vary")).toBe("Accept-Encoding");
      expect(plain.headers.get("last-modified")).toBeTruthy();
      expect(plain.headers.get("etag")).toBeNull();
      expect(plain.headers.get("content-encoding")).toBeNull();
      expectUiHeaders(plain);
      const body = new Uint8Array(await plain.arrayBuffer());
      expect(plain.headers.get("content-type")).toBe(path.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8");

      const br = await get(`${base}${path}`, { "accept-encoding": "gzip, deflate, br" });
      expect(br.headers.get("content-encoding")).toBe("br");
      const brBytes = new Uint8Array(await br.arrayBuffer());
      expect(brBytes.length).toBeLessThan(body.length);
      expect(new Uint8Array(brotliDecompressSync(brBytes))).toEqual(body);

      const gz = await get(`${base}${path}`, { "accept-encoding": "br;q=0, gzip" });
      expect(gz.headers.get("content-encoding")).toBe("gzip");
      expect(Bun.gunzipSync(new Uint8Array(await gz.arrayBuffer()))).toEqual(body);
    }
  });

  test("a missing asset is a plain 404, never the shell", async () => {
    const res = await get(`${base}/assets/nope-12345678.js`, { accept: "text/html" });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe("Not Found");
  });

  test("the favicon is a hashed SVG under assets/ (cached like the rest); nothing is served from the root but the shell", async () => {
    const icon = /<link rel="icon" href="([^"]+)"/.exec(html)![1]!;
    expect(icon).toMatch(/^\/assets\/favicon-[0-9a-f]{8}\.svg$/);
    const res = await get(`${base}${icon}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await (await get(`${base}/index.html`)).text()).toBe(html);
  });

  test("index.html, the stylesheet and the entry script, compressed, are well under 100 KB", async () => {
    let total = 0;
    for (const path of ["/", ...assetPaths(html)]) total += (await (await get(`${base}${path}`, { "accept-encoding": "br" })).arrayBuffer()).byteLength;
    console.log(`control UI first load (index + css + entry, brotli): ${total} bytes`);
    expect(total).toBeLessThan(100 * 1024);
  });
});

describe("gateway.controlUi", () => {
  test("basePath: the shell and its assets live under it, nothing at the root", async () => {
    const b = `http://127.0.0.1:${based.port}`;
    const page = await (await get(`${b}/openclaw/`)).text();
    expect(page).toContain('data-openclaw-control-ui-base-path="/openclaw"');
    expect(await (await get(`${b}/openclaw`)).text()).toBe(page);
    expect(await (await get(`${b}/openclaw/chat/main/main`)).text()).toBe(page);
    const assets = assetPaths(page);
    expect(assets.every((a) => a.startsWith("/openclaw/assets/"))).toBe(true);
    for (const a of assets) expect((await get(`${b}${a}`)).status).toBe(200);
    expect(page).toMatch(/href="\/openclaw\/assets\/favicon-[0-9a-f]{8}\.svg"/);
    expect((await get(`${b}/`)).status).toBe(404);
    expect((await get(`${b}/chat`)).status).toBe(404);
    expect((await get(`${b}/openclawx`)).status).toBe(404);
    expect((await get(`${b}${assets[0]!.slice("/openclaw".length)}`)).status).toBe(404);
  });

  test("enabled: false turns the UI off (404 everywhere) and back on without a restart", async () => {
    const off: OpenClawConfig = { gateway: { mode: "local", controlUi: { enabled: false } } };
    const g = await startTestGateway({ config: off });
    try {
      const b = `http://127.0.0.1:${g.port}`;
      for (const path of ["/", "/chat", assetPaths(html)[0]!]) {
        const res = await get(`${b}${path}`);
        expect(res.status).toBe(404);
        expect(res.headers.get("content-security-policy")).toBeNull();
      }
      const on: OpenClawConfig = { gateway: { mode: "local", controlUi: { enabled: true } } };
      g.applyConfig({ loaded: { ...g.runtime.loaded, config: on }, config: on, auth: g.runtime.auth });
      expect((await get(`${b}/chat`)).status).toBe(200);
    } finally {
      await g.stop();
    }
  }, 30_000);
});

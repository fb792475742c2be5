// The canvas host on a running gateway: hello-ok hands out a capability URL (node and operator), the URL
// serves the canvas on the gateway port until its connection closes, and the off switches withdraw both.
import { afterEach, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import type { ConnectParams } from "../../src/protocol/index.ts";
import { newTestDevice } from "../fixtures/device.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway, type TestGatewayOptions } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

const started: TestGateway[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const g of started.splice(0)) await g.stop();
});

async function gateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const g = await startTestGateway(opts);
  started.push(g);
  return g;
}

const httpBase = (g: TestGateway) => `http://127.0.0.1:${g.port}`;

/** A node connect (device-signed, on loopback so its pairing is approved at once); returns the client and hello-ok. */
async function connectNode(g: TestGateway, headers?: Record<string, string>): Promise<{ c: RawClient; hello: any }> {
  const dev = newTestDevice();
  const c = await RawClient.open(g.url, headers);
  clients.push(c);
  const challenge = await c.waitFor((f) => f.event === "connect.challenge");
  const params: ConnectParams = {
    minProtocol: 4, maxProtocol: 4, role: "node", scopes: [], caps: ["canvas"], commands: ["canvas.present"], auth: { token: TEST_TOKEN },
    client: { id: "node-host", version: "2026.9.6", platform: "linux", deviceFamily: "Linux", mode: "node", displayName: "box" },
  };
  const res = await c.request("connect", dev.signConnect(params, challenge.payload.nonce));
  expect(res.ok).toBe(true);
  return { c, hello: res.payload };
}

test("a node's hello-ok carries the canvas URL on the address it dialled; the URL serves the canvas until the node leaves", async () => {
  const g = await gateway();
  const { c, hello } = await connectNode(g);
  const url: string = hello.pluginSurfaceUrls?.canvas;
  expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${g.port}/__openclaw__/cap/[A-Za-z0-9_-]{32}$`));
  expect(hello.canvasHostUrl).toBe(url);

  const page = await fetch(`${url}/__openclaw__/canvas/`);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain("Canvas is ready");
  expect(html).toContain(`${new URL(url).pathname}/__openclaw__/canvas/.live/client.js`);
  expect(existsSync(join(g.dir, "canvas", "documents", "index.html"))).toBe(true);
  writeFileSync(join(g.dir, "canvas", "documents", "data.json"), '{"n":1}');
  const data = await fetch(`${url}/__openclaw__/canvas/data.json`);
  expect(data.headers.get("content-type")).toStartWith("application/json");
  expect(await data.json()).toEqual({ n: 1 });

  // The plain path wants the gateway token.
  expect((await fetch(`${httpBase(g)}/__openclaw__/canvas/data.json`)).status).toBe(401);
  expect((await fetch(`${httpBase(g)}/__openclaw__/canvas/data.json`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).status).toBe(200);

  c.close();
  await waitUntil(async () => (await fetch(`${url}/__openclaw__/canvas/data.json`)).status === 401, "the capability to die with its connection");
  expect(g.runtime.surfaces.size).toBe(0);
}, 20_000);

test("the URL follows the Host the node connected through", async () => {
  const g = await gateway();
  const { hello } = await connectNode(g, { Host: `localhost:${g.port}` });
  expect(hello.pluginSurfaceUrls.canvas).toStartWith(`http://localhost:${g.port}/__openclaw__/cap/`);
}, 20_000);

test("operators get pluginSurfaceUrls.canvas (no deprecated canvasHostUrl); each connection its own capability", async () => {
  const g = await gateway();
  const a = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
  const b = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
  clients.push(a, b);
  expect(a.hello.pluginSurfaceUrls.canvas).toStartWith(`http://127.0.0.1:${g.port}/__openclaw__/cap/`);
  expect(a.hello.canvasHostUrl).toBeUndefined();
  expect(b.hello.pluginSurfaceUrls.canvas).not.toBe(a.hello.pluginSurfaceUrls.canvas);
  expect((await fetch(`${b.hello.pluginSurfaceUrls.canvas}/__openclaw__/canvas/`)).status).toBe(200);
}, 20_000);

test("OPENCLAW_SKIP_CANVAS_HOST (skipCanvasHost): no URL in hello-ok, every canvas path 404, nothing created", async () => {
  const g = await gateway({ skipCanvasHost: true });
  const { hello } = await connectNode(g);
  expect(hello.pluginSurfaceUrls).toBeUndefined();
  expect(hello.canvasHostUrl).toBeUndefined();
  const auth = { authorization: `Bearer ${TEST_TOKEN}` };
  for (const path of ["/__openclaw__/canvas/", "/__openclaw__/a2ui/", "/__openclaw__/cap/x/__openclaw__/canvas/"]) {
    expect((await fetch(`${httpBase(g)}${path}`, { headers: auth })).status, path).toBe(404);
  }
  expect(existsSync(join(g.dir, "canvas"))).toBe(false);
  expect(g.runtime.surfaces.size).toBe(0);
}, 20_000);

test("config off: no URL and 404; switching it back on hot gives the next connection a URL", async () => {
  const off: OpenClawConfig = { gateway: { mode: "local" }, plugins: { entries: { canvas: { config: { host: { enabled: false } } } } } };
  const g = await gateway({ config: off });
  const { hello } = await connectNode(g);
  expect(hello.pluginSurfaceUrls).toBeUndefined();
  expect(hello.canvasHostUrl).toBeUndefined();
  expect((await fetch(`${httpBase(g)}/__openclaw__/canvas/`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).status).toBe(404);

  const on: OpenClawConfig = { gateway: { mode: "local" } };
  g.applyConfig({ loaded: { ...g.runtime.loaded, config: on }, config: on, auth: g.runtime.auth });
  const again = await connectNode(g);
  expect((await fetch(`${again.hello.pluginSurfaceUrls.canvas}/__openclaw__/canvas/`)).status).toBe(200);
}, 20_000);

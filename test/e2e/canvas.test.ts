// The canvas host of a real `gateway run`: served on the gateway port from <state>/canvas/documents,
// and gone (with no URL at connect) when OPENCLAW_SKIP_CANVAS_HOST=1.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { RawClient } from "../fixtures/ws-client.ts";

// Every test here starts the CLI: room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const TOKEN = "e2e-canvas-token-0123456789";
const running: Spawned[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

async function run(config: object, env?: Record<string, string>): Promise<{ s: Spawned; ws: string; http: string }> {
  const s = spawnCli(["gateway", "run", "--port", "0", "--token", TOKEN], { home: makeHome(config), env });
  running.push(s);
  const ws = await s.ready;
  return { s, ws, http: ws.replace("ws://", "http://") };
}

const bearer = { authorization: `Bearer ${TOKEN}` };

test("by default the gateway port serves the canvas folder; the connect hands out a URL that needs no token", async () => {
  const { s, ws, http } = await run({ gateway: { mode: "local" } });
  const docs = join(s.home, ".openclaw", "canvas", "documents");
  mkdirSync(docs, { recursive: true });
  writeFileSync(join(docs, "index.html"), "<html><body><h1>hello canvas</h1></body></html>");
  const page = await fetch(`${http}/__openclaw__/canvas/`, { headers: bearer });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("<h1>hello canvas</h1><script src=");
  expect((await fetch(`${http}/__openclaw__/canvas/`)).status).toBe(401);

  const op = await RawClient.connect(ws, { token: TOKEN, scopes: ["operator.read"] });
  clients.push(op);
  const url = op.hello.pluginSurfaceUrls.canvas as string;
  expect((await fetch(`${url}/__openclaw__/canvas/index.html`)).status).toBe(200);
});

test("OPENCLAW_SKIP_CANVAS_HOST=1: canvas paths are 404, hello-ok has no URL, no folder is made", async () => {
  const { s, ws, http } = await run({ gateway: { mode: "local" } }, { OPENCLAW_SKIP_CANVAS_HOST: "1" });
  expect((await fetch(`${http}/__openclaw__/canvas/`, { headers: bearer })).status).toBe(404);
  expect((await fetch(`${http}/__openclaw__/a2ui/`, { headers: bearer })).status).toBe(404);
  const op = await RawClient.connect(ws, { token: TOKEN, scopes: ["operator.read"] });
  clients.push(op);
  expect(op.hello.pluginSurfaceUrls).toBeUndefined();
  expect(existsSync(join(s.home, ".openclaw", "canvas"))).toBe(false);
});

// `gateway run --raw-stream`: an agent turn through the real provider adapter (upstream stub)
// leaves one JSON line per stream event in <state>/logs/raw-stream.jsonl, without secrets.
import { afterAll, afterEach, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { startUpstreamStub, type UpstreamStub } from "../fixtures/upstream.ts";
import { RawClient } from "../fixtures/ws-client.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);


const TOKEN = "raw-stream-token-0123456789";
const API_KEY = "sk-raw-stream-provider-0123456789";
let stub: UpstreamStub;
const running: Spawned[] = [];
beforeAll(async () => {
  stub = await startUpstreamStub();
});
afterAll(() => stub?.stop());
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

function config() {
  return {
    gateway: { mode: "local" },
    models: { providers: { stub: { baseUrl: stub.baseUrl, apiKey: API_KEY, api: "openai-completions", models: [{ id: "echo", name: "Echo" }] } } },
    agents: { defaults: { model: "stub/echo" } },
  };
}

async function turn(url: string, message: string): Promise<void> {
  const c = await RawClient.connect(url, { token: TOKEN, scopes: ["operator.admin"] });
  const id = crypto.randomUUID();
  const final = c.waitFor((f) => f.type === "res" && f.id === id && f.payload?.status !== "accepted", 10_000);
  c.send({ type: "req", id, method: "agent", params: { message, idempotencyKey: crypto.randomUUID() } });
  expect((await final).payload.status).toBe("ok");
  c.close();
}

test("--raw-stream writes {ts, runId, provider, model, event} lines (0600) without the token or the API key", async () => {
  const home = makeHome(config());
  const s = spawnCli(["gateway", "run", "--port", "0", "--token", TOKEN, "--raw-stream"], { home });
  running.push(s);
  const url = await s.ready;
  const path = join(home, ".openclaw/logs/raw-stream.jsonl");
  expect(s.stdout()).toContain(`raw stream: appending model stream events to ${path}`);
  await turn(url, `say ${TOKEN} and ${API_KEY}`);
  const text = readFileSync(path, "utf8");
  const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
  expect(lines.length).toBeGreaterThan(1);
  expect(lines[0]).toMatchObject({ ts: expect.any(Number), runId: expect.any(String), provider: "stub", model: "echo", event: { type: "text" } });
  expect(lines.at(-1).event.type).toBe("finish");
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(API_KEY);
  expect(statSync(path).mode & 0o777).toBe(0o600);
});

test("OPENCLAW_RAW_STREAM=1 with OPENCLAW_RAW_STREAM_PATH; without either nothing is written", async () => {
  const home = makeHome(config());
  const custom = join(home, "raw.jsonl");
  const on = spawnCli(["gateway", "run", "--port", "0", "--token", TOKEN], { home, env: { OPENCLAW_RAW_STREAM: "1", OPENCLAW_RAW_STREAM_PATH: custom } });
  running.push(on);
  await turn(await on.ready, "hello raw");
  expect(readFileSync(custom, "utf8")).toContain('"provider":"stub"');
  on.proc.kill("SIGTERM");
  await on.exited;

  const home2 = makeHome(config());
  const off = spawnCli(["gateway", "run", "--port", "0", "--token", TOKEN], { home: home2 });
  running.push(off);
  await turn(await off.ready, "hello quiet");
  expect(existsSync(join(home2, ".openclaw/logs/raw-stream.jsonl"))).toBe(false);
});

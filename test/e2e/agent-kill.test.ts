// A real gateway process, killed with SIGKILL in the middle of a turn, then started again on the same state.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { startUpstreamStub, type UpstreamStub } from "../fixtures/upstream.ts";
import { RawClient } from "../fixtures/ws-client.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const TOKEN = "kill-test-token-0123456789";
let stub: UpstreamStub;
const procs: Spawned[] = [];
beforeAll(async () => {
  stub = await startUpstreamStub();
});
afterAll(async () => {
  for (const p of procs) p.proc.kill("SIGKILL");
  stub.stop();
});

function config(baseUrl: string) {
  return {
    gateway: { mode: "local", auth: { mode: "token", token: TOKEN } },
    models: { providers: { stub: { baseUrl, apiKey: "sk-local", api: "openai-completions", models: [{ id: "echo", name: "Echo" }] } } },
    agents: { defaults: { model: { primary: "stub/echo" } } },
  };
}

function gateway(home: string): Spawned {
  const s = spawnCli(["gateway", "run", "--port", "0"], { home });
  procs.push(s);
  return s;
}

test("an acknowledged message survives SIGKILL mid-turn; the store reopens cleanly", async () => {
  const home = makeHome(config(stub.baseUrl));
  const first = gateway(home);
  const c = await RawClient.connect(await first.ready, { token: TOKEN, scopes: ["operator.write"] });
  const key = crypto.randomUUID();
  c.send({ type: "req", id: "run-1", method: "agent", params: { message: "keep me [slow:5000]", idempotencyKey: key, sessionKey: "killed" } });
  const accepted = await c.waitFor((f) => f.id === "run-1");
  expect(accepted.payload.status).toBe("accepted");
  first.proc.kill("SIGKILL");
  expect(await first.exited).not.toBe(0);

  const second = gateway(home);
  const d = await RawClient.connect(await second.ready, { token: TOKEN, scopes: ["operator.write"] });
  const h = await d.request("chat.history", { sessionKey: "killed" });
  expect(h.payload.messages.map((m: any) => [m.role, m.content[0].text])).toEqual([["user", "keep me [slow:5000]"]]);
  // The interrupted run is known: retrying its key says so instead of running twice.
  const retry = await d.request("agent", { message: "keep me [slow:5000]", idempotencyKey: key, sessionKey: "killed" });
  expect(retry.error?.message).toContain("interrupted by a gateway restart");
  // And the session carries on.
  const id = "run-2";
  const final = d.waitFor((f) => f.id === id && f.payload?.status !== "accepted", 10_000);
  d.send({ type: "req", id, method: "agent", params: { message: "after the crash", idempotencyKey: crypto.randomUUID(), sessionKey: "killed" } });
  expect((await final).payload.result.payloads[0].text).toBe("echo: after the crash");
  const after = await d.request("chat.history", { sessionKey: "killed" });
  expect(after.payload.messages.map((m: any) => m.content[0].text)).toEqual(["keep me [slow:5000]", "after the crash", "echo: after the crash"]);
  d.close();
});

// Idempotency keys on hook agent runs: a repeat gets the first answer and runs nothing.
import { describe, expect, test } from "bun:test";
import { AgentError, type TurnInput, type TurnResult } from "../../../src/agents/types.ts";
import { idempotencyKeyOf, REPLAY_MAX_DONE, REPLAY_TTL_MS, ReplayCache, type AgentDispatch } from "../../../src/http/hooks/replay.ts";
import { FakeAgents } from "../fake-agents.ts";
import { hookApp } from "./helpers.ts";

const body = async (res: Response) => (await res.json()) as Record<string, any>;

describe("over HTTP", () => {
  test("Idempotency-Key: the repeat returns the same runId and starts no second turn", async () => {
    const t = hookApp();
    const first = await body(await t.post("/hooks/agent", { message: "deploy" }, { "Idempotency-Key": "k-1" }));
    const again = await body(await t.post("/hooks/agent", { message: "deploy" }, { "Idempotency-Key": "k-1" }));
    expect(again).toEqual(first);
    expect(t.agents.turns).toHaveLength(1);
  });

  test("X-OpenClaw-Idempotency-Key and the payload's idempotencyKey work too; headers win", async () => {
    const t = hookApp();
    const a = await body(await t.post("/hooks/agent", { message: "m", idempotencyKey: "p-1" }));
    expect(await body(await t.post("/hooks/agent", { message: "m", idempotencyKey: "p-1" }))).toEqual(a);
    const b = await body(await t.post("/hooks/agent", { message: "m" }, { "X-OpenClaw-Idempotency-Key": "x-1" }));
    expect(await body(await t.post("/hooks/agent", { message: "m", idempotencyKey: "other" }, { "X-OpenClaw-Idempotency-Key": "x-1" }))).toEqual(b);
    // Idempotency-Key beats the payload key: same header, different payload keys → one run.
    const c = await body(await t.post("/hooks/agent", { message: "m", idempotencyKey: "one" }, { "Idempotency-Key": "h-1" }));
    expect(await body(await t.post("/hooks/agent", { message: "m", idempotencyKey: "two" }, { "Idempotency-Key": "h-1" }))).toEqual(c);
    expect(t.agents.turns).toHaveLength(3);
  });

  test("a different message or route with the same key is a new run", async () => {
    const t = hookApp();
    const a = await body(await t.post("/hooks/agent", { message: "one" }, { "Idempotency-Key": "k" }));
    const b = await body(await t.post("/hooks/agent", { message: "two" }, { "Idempotency-Key": "k" }));
    const c = await body(await t.post("/hooks/agent", { message: "one", agentId: "research" }, { "Idempotency-Key": "k" }));
    expect(new Set([a.runId, b.runId, c.runId]).size).toBe(3);
  });

  test("keys are trimmed; blank or over 256 characters is no key", async () => {
    const t = hookApp();
    const a = await body(await t.post("/hooks/agent", { message: "m" }, { "Idempotency-Key": " k2 " }));
    expect(await body(await t.post("/hooks/agent", { message: "m" }, { "Idempotency-Key": "k2" }))).toEqual(a);
    const long = "x".repeat(257);
    const b = await body(await t.post("/hooks/agent", { message: "m" }, { "Idempotency-Key": long }));
    const c = await body(await t.post("/hooks/agent", { message: "m" }, { "Idempotency-Key": long }));
    expect(b.runId).not.toBe(c.runId);
    expect(idempotencyKeyOf("y".repeat(256))).toBe("y".repeat(256));
    expect(idempotencyKeyOf("   ")).toBeUndefined();
    expect(idempotencyKeyOf(5)).toBeUndefined();
  });

  test("a waiting repeat gets the first run's completion; an admission-only repeat gets the runId", async () => {
    const t = hookApp();
    const first = await body(await t.post("/hooks/agent", { message: "m", waitForCompletion: true }, { "Idempotency-Key": "w" }));
    expect(first.completion.status).toBe("ok");
    expect(await body(await t.post("/hooks/agent", { message: "m", waitForCompletion: true }, { "Idempotency-Key": "w" }))).toEqual(first);
    expect(await body(await t.post("/hooks/agent", { message: "m" }, { "Idempotency-Key": "w" }))).toEqual({ ok: true, runId: first.runId });
    expect(t.agents.turns).toHaveLength(1);
  });

  test("a refused admission is forgotten: the retry runs", async () => {
    let refuse = true;
    class Flaky extends FakeAgents {
      override async runTurn(input: TurnInput): Promise<TurnResult> {
        if (refuse) throw new AgentError("not_configured", "no model yet");
        return super.runTurn(input);
      }
    }
    const t = hookApp({ agents: new Flaky() });
    expect((await t.post("/hooks/agent", { message: "m" }, { "Idempotency-Key": "r" })).status).toBe(502);
    refuse = false;
    const ok = await t.post("/hooks/agent", { message: "m" }, { "Idempotency-Key": "r" });
    expect(ok.status).toBe(200);
    expect(t.agents.turns).toHaveLength(1);
  });

  test("keys are per hook token: after a token change the same key runs again", async () => {
    const t = hookApp();
    const a = await body(await t.post("/hooks/agent", { message: "m" }, { "Idempotency-Key": "t" }));
    t.state.config = { ...t.state.config, hooks: { enabled: true, token: "rotated-token" } };
    const b = await body(await t.post("/hooks/agent", { message: "m" }, { "Idempotency-Key": "t", authorization: "Bearer rotated-token" }));
    expect(b.runId).not.toBe(a.runId);
  });

  test("wakes have no replay identity", async () => {
    const t = hookApp();
    await t.post("/hooks/wake", { text: "a" }, { "Idempotency-Key": "k" });
    await t.post("/hooks/wake", { text: "b" }, { "Idempotency-Key": "k" });
    expect(t.systemEvents.map((e) => e.text)).toEqual(["a", "b"]);
  });
});

describe("ReplayCache", () => {
  /** Lets the cache's promise callbacks (settling a finished run) run. */
  const settled = () => new Promise((resolve) => setImmediate(resolve));
  const admitted = (runId: string, completion: Promise<any> = Promise.resolve({})): AgentDispatch => ({ ok: true, runId, completion });

  test("pending and running entries are kept; finished ones expire after 5 minutes", async () => {
    let now = 0;
    const cache = new ReplayCache(() => now);
    let finish!: () => void;
    const running = new Promise<any>((resolve) => (finish = () => resolve({ status: "ok" })));
    let starts = 0;
    const start = async () => (starts++, admitted("r1", running));
    await cache.run("k", start);
    now += REPLAY_TTL_MS * 10;
    expect((await cache.run("k", start)).ok).toBe(true);
    expect(starts).toBe(1);
    finish();
    await running;
    await settled();
    now += REPLAY_TTL_MS - 1;
    await cache.run("k", start);
    expect(starts).toBe(1);
    now += 1;
    await cache.run("k", start);
    expect(starts).toBe(2);
  });

  test("at most 1000 finished entries, the oldest dropped first", async () => {
    const cache = new ReplayCache(() => 0);
    for (let i = 0; i <= REPLAY_MAX_DONE; i++) await cache.run(`k${i}`, async () => admitted(`r${i}`));
    await settled();
    await cache.run("trigger", async () => admitted("t"));
    await settled();
    expect(cache.size).toBeLessThanOrEqual(REPLAY_MAX_DONE);
    let restarted = false;
    await cache.run("k0", async () => ((restarted = true), admitted("again")));
    expect(restarted).toBe(true);
  });

  test("a start that throws is forgotten", async () => {
    const cache = new ReplayCache();
    await expect(cache.run("k", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(cache.size).toBe(0);
  });
});

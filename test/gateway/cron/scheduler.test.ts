import { afterEach, describe, expect, test } from "bun:test";
import { MAX_TIMER_MS } from "../../../src/gateway/cron/scheduler.ts";
import { FakeAgents, harness, MAIN, settle, T0, type Harness } from "./helpers.ts";

const MIN = 60_000;
const open: Harness[] = [];
function make(...args: Parameters<typeof harness>): Harness {
  const h = harness(...args);
  open.push(h);
  return h;
}
afterEach(() => {
  for (const h of open.splice(0)) {
    try {
      h.close();
    } catch {
      // already closed by the test
    }
  }
});

const turn = (message: string) => ({ kind: "agentTurn", message });

describe("at", () => {
  test("runs once at its time, then is disabled", async () => {
    const h = make();
    const job = h.service.add({ name: "remind", schedule: { kind: "at", at: new Date(T0 + 5 * MIN).toISOString() }, payload: turn("stand up") }, MAIN);
    expect(job.nextRunAtMs).toBe(T0 + 5 * MIN);
    expect(h.service.status().nextWakeAtMs).toBe(T0 + 5 * MIN);
    await h.clock.advance(5 * MIN - 1);
    expect(h.agents.calls).toHaveLength(0);
    await h.clock.advance(1);
    expect(h.agents.calls.map((c) => ({ agentId: c.agentId, sessionKey: c.sessionKey, message: c.message, key: c.idempotencyKey }))).toEqual([
      { agentId: "main", sessionKey: "agent:main:main", message: "stand up", key: `cron:${job.id}:${T0 + 5 * MIN}` },
    ]);
    const after = h.service.get(job.id);
    expect(after).toMatchObject({ enabled: false, nextRunAtMs: null, lastRunAtMs: T0 + 5 * MIN, lastStatus: "ok", lastError: null });
    expect(h.service.runs(job.id, 10)).toMatchObject([{ jobId: job.id, status: "ok", scheduledAtMs: T0 + 5 * MIN, runId: `cron:${job.id}:${T0 + 5 * MIN}`, manual: false }]);
    expect(h.service.status().nextWakeAtMs).toBeNull();
    await h.clock.advance(60 * MIN);
    expect(h.agents.calls).toHaveLength(1);
  });

  test("epoch milliseconds work too; a systemEvent payload becomes a system event turn", async () => {
    const h = make();
    h.service.add({ schedule: { kind: "at", at: T0 + MIN }, payload: { kind: "systemEvent", text: "backup finished" }, sessionTarget: "isolated" }, MAIN);
    await h.clock.advance(MIN);
    expect(h.agents.calls[0]!.message).toBe("System event: backup finished");
    expect(h.agents.calls[0]!.sessionKey).toMatch(/^agent:main:cron:[0-9a-f-]{36}$/);
  });
});

describe("every", () => {
  test("runs on each interval from creation", async () => {
    const h = make();
    const job = h.service.add({ name: "tick", schedule: { kind: "every", everyMs: MIN }, payload: turn("tick") }, MAIN);
    await h.clock.advance(3 * MIN);
    expect(h.agents.calls.map((c) => c.idempotencyKey)).toEqual([1, 2, 3].map((k) => `cron:${job.id}:${T0 + k * MIN}`));
    expect(h.service.get(job.id).nextRunAtMs).toBe(T0 + 4 * MIN);
  });
});

describe("cron", () => {
  test("runs on the expression's slots", async () => {
    const h = make();
    const job = h.service.add({ name: "q", schedule: { kind: "cron", expr: "*/20 * * * *", tz: "UTC" }, payload: turn("quarter") }, MAIN);
    expect(job.nextRunAtMs).toBe(T0 + 20 * MIN);
    await h.clock.advance(65 * MIN);
    expect(h.agents.calls.map((c) => c.idempotencyKey)).toEqual([20, 40, 60].map((m) => `cron:${job.id}:${T0 + m * MIN}`));
  });
});

describe("restarts", () => {
  test("jobs survive a restart", () => {
    const h = make();
    const a = h.service.add({ name: "a", schedule: { kind: "every", everyMs: 5 * MIN }, payload: turn("a") }, MAIN);
    const b = h.service.add({ name: "b", schedule: { kind: "cron", expr: "0 9 * * *" }, payload: turn("b"), enabled: false }, MAIN);
    h.close();
    const again = make({ path: h.path, clock: h.clock });
    expect(again.service.list()).toEqual([a, b]);
  });

  test("slots missed while the gateway was down run once at start", async () => {
    const h = make();
    const job = h.service.add({ name: "tick", schedule: { kind: "every", everyMs: MIN }, payload: turn("tick") }, MAIN);
    h.close();
    h.clock.t = T0 + 10 * MIN + 30_000;
    const again = make({ path: h.path, clock: h.clock, agents: h.agents });
    await settle();
    expect(h.agents.calls.map((c) => c.idempotencyKey)).toEqual([`cron:${job.id}:${T0 + MIN}`]);
    expect(again.service.get(job.id).nextRunAtMs).toBe(T0 + 11 * MIN);
    await again.clock.advance(MIN);
    expect(h.agents.calls).toHaveLength(2);
  });

  test("a run cut short by a stop is asked for again with the same key, and not run twice", async () => {
    const h = make();
    h.agents.hold = true;
    const job = h.service.add({ name: "long", schedule: { kind: "at", at: T0 + MIN }, payload: turn("long") }, MAIN);
    await h.clock.advance(MIN);
    expect(h.agents.open).toHaveLength(1);
    h.close();
    const again = make({ path: h.path, clock: h.clock, agents: h.agents });
    await settle();
    const keys = h.agents.calls.map((c) => c.idempotencyKey);
    expect(keys).toEqual([`cron:${job.id}:${T0 + MIN}`, `cron:${job.id}:${T0 + MIN}`]);
    const runs = again.service.runs(job.id, 10);
    expect(runs.map((r) => r.status)).toEqual(["error", "interrupted"]);
    expect(runs[0]!.error).toContain("interrupted by a gateway restart");
    expect(again.service.get(job.id)).toMatchObject({ enabled: false, lastStatus: "error" });
  });
});

describe("limits and settings", () => {
  test("no more than maxConcurrentRuns at once", async () => {
    const h = make({ settings: { maxConcurrentRuns: 2 } });
    h.agents.hold = true;
    for (const n of ["a", "b", "c"]) h.service.add({ name: n, schedule: { kind: "at", at: T0 + MIN }, payload: turn(n) }, MAIN);
    await h.clock.advance(MIN);
    expect(h.agents.open.map((o) => o.input.message)).toEqual(["a", "b"]);
    h.agents.open.shift()!.resolve();
    await settle();
    expect(h.agents.open.map((o) => o.input.message)).toEqual(["b", "c"]);
    for (const o of h.agents.open.splice(0)) o.resolve();
    await settle();
    expect(h.service.list().map((j) => j.lastStatus)).toEqual(["ok", "ok", "ok"]);
  });

  test("cron.enabled false: nothing runs; turning it on runs what is due once", async () => {
    const h = make({ settings: { enabled: false } });
    const job = h.service.add({ name: "t", schedule: { kind: "every", everyMs: MIN }, payload: turn("t") }, MAIN);
    expect(h.service.status()).toMatchObject({ enabled: false, triggersEnabled: false, nextWakeAtMs: null });
    await h.clock.advance(5 * MIN);
    expect(h.agents.calls).toHaveLength(0);
    expect(h.clock.pending).toBe(0);
    expect(() => h.service.run(job.id, "force")).toThrow("cron is disabled (cron.enabled: false)");
    h.settings.enabled = true;
    h.service.scheduler.changed();
    await settle();
    expect(h.agents.calls.map((c) => c.idempotencyKey)).toEqual([`cron:${job.id}:${T0 + MIN}`]);
    expect(h.service.get(job.id).nextRunAtMs).toBe(T0 + 6 * MIN);
  });

  test("a failing turn is recorded and the job keeps its schedule", async () => {
    const h = make();
    h.agents.failWith = "provider exploded";
    const job = h.service.add({ name: "t", schedule: { kind: "every", everyMs: MIN }, payload: turn("t") }, MAIN);
    await h.clock.advance(MIN);
    expect(h.service.get(job.id)).toMatchObject({ enabled: true, lastStatus: "error", lastError: "provider exploded", nextRunAtMs: T0 + 2 * MIN });
    expect(h.service.runs(job.id, 5)).toMatchObject([{ status: "error", error: "provider exploded" }]);
    h.agents.failWith = null;
    await h.clock.advance(MIN);
    expect(h.service.get(job.id)).toMatchObject({ lastStatus: "ok", lastError: null });
  });

  test("a wake-up further away than setTimeout allows is reached by re-arming", async () => {
    const h = make();
    const at = T0 + 40 * 24 * 60 * MIN;
    h.service.add({ name: "far", schedule: { kind: "at", at }, payload: turn("far") }, MAIN);
    expect(Math.max(...h.clock.delays)).toBe(MAX_TIMER_MS);
    await h.clock.advance(MAX_TIMER_MS);
    expect(h.agents.calls).toHaveLength(0);
    expect(h.clock.pending).toBe(1);
    await h.clock.advance(at - h.clock.t);
    expect(h.agents.calls).toHaveLength(1);
  });

  test("one timer, for the earliest job", () => {
    const h = make();
    h.service.add({ name: "late", schedule: { kind: "at", at: T0 + 30 * MIN }, payload: turn("late") }, MAIN);
    h.service.add({ name: "soon", schedule: { kind: "at", at: T0 + 2 * MIN }, payload: turn("soon") }, MAIN);
    expect(h.clock.pending).toBe(1);
    expect(h.service.status().nextWakeAtMs).toBe(T0 + 2 * MIN);
  });

  test("run now: does not wait for its turn, records a manual run, leaves the schedule alone", async () => {
    const h = make();
    const job = h.service.add({ name: "t", schedule: { kind: "every", everyMs: 10 * MIN }, payload: turn("t") }, MAIN);
    await h.clock.advance(MIN);
    const r = h.service.run(job.id, "force");
    expect(r.ran).toBe(true);
    const record = r.ran ? await r.done : undefined;
    expect(record).toMatchObject({ status: "ok", manual: true, scheduledAtMs: T0 + MIN, runId: `cron:${job.id}:${T0 + MIN}` });
    expect(h.service.get(job.id).nextRunAtMs).toBe(T0 + 10 * MIN);
    expect(h.service.run(job.id, "due")).toEqual({ ran: false, reason: "not-due" });
  });

  test("a stopped scheduler starts nothing", async () => {
    const agents = new FakeAgents();
    const h = make({ agents });
    h.service.add({ name: "t", schedule: { kind: "every", everyMs: MIN }, payload: turn("t") }, MAIN);
    h.service.stop();
    expect(h.clock.pending).toBe(0);
    await h.clock.advance(5 * MIN);
    expect(agents.calls).toHaveLength(0);
  });
});

import { afterEach, describe, expect, test } from "bun:test";
import { automationsTool } from "../../../src/agents/tools/automations.ts";
import type { ToolContext, ToolResult } from "../../../src/agents/tools/types.ts";
import type { AgentService } from "../../../src/agents/types.ts";
import { harness, settle, T0, type Harness } from "../../gateway/cron/helpers.ts";

const MIN = 60_000;
let h: Harness;
afterEach(() => h?.close());

function ctx(agentId = "main", cron = h.service): ToolContext {
  return { agents: {} as AgentService, agentId, sessionKey: `agent:${agentId}:main`, toolCallId: "call_1", services: { cron } };
}
const call = (args: Record<string, unknown>, c = ctx()) => automationsTool.execute(args, c);
const body = (r: ToolResult) => JSON.parse(r.content[0]!.text);
const every = { kind: "every", everyMs: 5 * MIN };
const hello = { kind: "agentTurn", message: "hello" };

describe("automations actions", () => {
  test("add, get, list, update, runs, next_check, status, remove", async () => {
    h = harness();
    const added = body(await call({ action: "add", job: { name: "check mail", schedule: every, payload: hello } }));
    const id = added.job.id as string;
    expect(added.job).toEqual({
      id, name: "check mail", agentId: "main", sessionTarget: "main", sessionKey: "agent:main:main", schedule: every, payload: hello,
      enabled: true, createdAtMs: T0, updatedAtMs: T0, nextRunAtMs: T0 + 5 * MIN, lastRunAtMs: null, lastStatus: null, lastError: null,
    });
    expect(body(await call({ action: "get", jobId: id })).job).toEqual(added.job);
    expect(body(await call({ action: "list" })).jobs).toEqual([added.job]);

    const status = body(await call({ action: "status" }));
    expect(status).toEqual({ enabled: true, triggersEnabled: true, storePath: h.path, storage: "sqlite", sqlitePath: h.path, jobs: 1, nextWakeAtMs: T0 + 5 * MIN });
    expect(body(await call({ action: "next_check" }))).toEqual({ now: T0, enabled: true, nextWakeAtMs: T0 + 5 * MIN, nextJob: { id, name: "check mail", nextRunAtMs: T0 + 5 * MIN } });

    h.clock.t = T0 + MIN;
    const updated = body(await call({ action: "update", jobId: id, patch: { schedule: { kind: "cron", expr: "0 12 * * *", tz: "UTC" }, name: "noon" } })).job;
    expect(updated).toMatchObject({ name: "noon", updatedAtMs: T0 + MIN, nextRunAtMs: Date.parse("2026-03-07T12:00:00Z"), schedule: { kind: "cron", expr: "0 12 * * *", tz: "UTC" } });

    const ran = body(await call({ action: "run", jobId: id }));
    expect(ran).toEqual({ ok: true, jobId: id, ran: true, queued: false });
    await settle();
    expect(h.agents.calls.map((c) => c.message)).toEqual(["hello"]);
    const runs = body(await call({ action: "runs", jobId: id })).runs;
    expect(runs).toMatchObject([{ jobId: id, status: "ok", manual: true }]);

    const disabled = body(await call({ action: "update", jobId: id, patch: { enabled: false } })).job;
    expect(disabled).toMatchObject({ enabled: false, nextRunAtMs: null });
    expect(body(await call({ action: "list", includeDisabled: false })).jobs).toEqual([]);

    expect(body(await call({ action: "remove", jobId: id }))).toEqual({ ok: true, removed: true, jobId: id });
    expect(body(await call({ action: "list" })).jobs).toEqual([]);
    await expect(call({ action: "get", jobId: id })).rejects.toThrow(`no cron job with id "${id}"`);
  });

  test("isolated and explicit sessions", async () => {
    h = harness();
    const iso = body(await call({ action: "add", job: { schedule: every, payload: hello, sessionTarget: "isolated" } })).job;
    expect(iso.sessionKey).toBe(`agent:main:cron:${iso.id}`);
    expect(iso.name).toBe("hello");
    const own = body(await call({ action: "add", job: { schedule: every, payload: hello, sessionKey: "reports" } })).job;
    expect(own).toMatchObject({ sessionTarget: "session", sessionKey: "agent:main:reports" });
  });

  test("an agent sees and changes its own jobs only", async () => {
    h = harness();
    const mine = body(await call({ action: "add", job: { schedule: every, payload: hello } })).job;
    const theirs = body(await call({ action: "add", job: { schedule: every, payload: hello } }, ctx("ops"))).job;
    expect(theirs.agentId).toBe("ops");
    expect(body(await call({ action: "list" })).jobs.map((j: { id: string }) => j.id)).toEqual([mine.id]);
    for (const action of ["get", "update", "remove", "run", "runs"]) {
      await expect(call({ action, jobId: theirs.id, patch: { name: "x" } })).rejects.toThrow(`no cron job with id "${theirs.id}"`);
    }
    expect(h.service.list().map((j) => j.id)).toEqual([mine.id, theirs.id]);
  });

  test("wake queues an event for the agent's main session", async () => {
    h = harness();
    const woken: unknown[] = [];
    const { CronService } = await import("../../../src/gateway/cron/service.ts");
    const svc = h.agents.service();
    const service = new CronService({ store: h.store, agents: () => svc, settings: () => h.settings, clock: h.clock, wake: (w) => woken.push(w) });
    expect(body(await call({ action: "wake", text: "deploy done" }, ctx("main", service)))).toEqual({ ok: true, mode: "now" });
    expect(woken).toEqual([{ agentId: "main", sessionKey: "agent:main:main", text: "deploy done", mode: "now" }]);
    await expect(call({ action: "wake" }, ctx("main", service))).rejects.toThrow('text required for action "wake"');
    await expect(call({ action: "wake", text: "x", mode: "later" }, ctx("main", service))).rejects.toThrow('mode must be "now" or "next-heartbeat"');
  });
});

describe("automations validation", () => {
  const errors: Array<[string, Record<string, unknown>, string]> = [
    ["no action", {}, "action must be one of status, list, get, add, update, remove, run, runs, next_check, wake"],
    ["unknown action", { action: "explode" }, "action must be one of"],
    ["add without job", { action: "add" }, "job required: an object with schedule and payload"],
    ["no schedule", { action: "add", job: { payload: hello } }, "invalid job: job.schedule: Invalid input: expected object, received undefined"],
    ["bad schedule kind", { action: "add", job: { schedule: { kind: "weekly" }, payload: hello } }, 'job.schedule.kind: kind must be "at", "every" or "cron"'],
    ["stream schedule", { action: "add", job: { schedule: { kind: "stream" }, payload: hello } }, 'job.schedule.kind "stream" is not supported by this gateway (use at, every or cron)'],
    ["script payload", { action: "add", job: { schedule: every, payload: { kind: "script" } } }, 'job.payload.kind "script" is not supported by this gateway'],
    ["empty message", { action: "add", job: { schedule: every, payload: { kind: "agentTurn", message: "  " } } }, "job.payload.message: Too small"],
    ["too frequent", { action: "add", job: { schedule: { kind: "every", everyMs: 1000 }, payload: hello } }, "job.schedule.everyMs: must be at least 60000 (60 s)"],
    ["bad cron", { action: "add", job: { schedule: { kind: "cron", expr: "61 * * * *" }, payload: hello } }, 'job.schedule: invalid minute field "61": 61 is outside 0-59'],
    ["bad tz", { action: "add", job: { schedule: { kind: "cron", expr: "0 9 * * *", tz: "Nowhere/Else" }, payload: hello } }, 'job.schedule: unknown time zone "Nowhere/Else"'],
    ["never fires", { action: "add", job: { schedule: { kind: "cron", expr: "0 0 30 feb *" }, payload: hello } }, 'job.schedule.expr: "0 0 30 feb *" never fires'],
    ["bad at", { action: "add", job: { schedule: { kind: "at", at: "tomorrow" }, payload: hello } }, 'job.schedule.at: "tomorrow" is not an ISO 8601 date-time or epoch milliseconds'],
    ["past at", { action: "add", job: { schedule: { kind: "at", at: "2020-01-01T00:00:00Z" }, payload: hello } }, "job.schedule.at: 2020-01-01T00:00:00.000Z is in the past"],
    ["other agent", { action: "add", job: { agentId: "ops", schedule: every, payload: hello } }, 'job.agentId: an agent schedules jobs for itself only (caller "main", asked "ops")'],
    ["foreign session", { action: "add", job: { sessionKey: "agent:ops:main", schedule: every, payload: hello } }, 'job.sessionKey: "agent:ops:main" is not a session of agent "main"'],
    ["bad target", { action: "add", job: { sessionTarget: "elsewhere", schedule: every, payload: hello } }, "job.sessionTarget: Invalid option"],
    ["get without id", { action: "get" }, 'jobId required for action "get"'],
    ["unknown id", { action: "remove", jobId: "nope" }, 'no cron job with id "nope"'],
    ["bad runMode", { action: "run", jobId: "x", runMode: "later" }, 'runMode must be "force" or "due"'],
    ["bad patch", { action: "update", jobId: "x" }, 'no cron job with id "x"'],
  ];
  for (const [what, args, message] of errors) {
    test(what, async () => {
      h = harness();
      await expect(call(args)).rejects.toThrow(message);
      expect(h.service.list()).toEqual([]);
    });
  }

  test("update checks its patch", async () => {
    h = harness();
    const id = body(await call({ action: "add", job: { schedule: every, payload: hello } })).job.id;
    await expect(call({ action: "update", jobId: id })).rejects.toThrow("patch required: an object with the fields to change");
    await expect(call({ action: "update", jobId: id, patch: { schedule: { kind: "every", everyMs: 10 } } })).rejects.toThrow("job.schedule.everyMs: must be at least 60000");
    await expect(call({ action: "update", jobId: id, patch: { enabled: "yes" } })).rejects.toThrow("invalid patch: patch.enabled: Invalid input: expected boolean, received string");
    expect<unknown>(h.service.get(id).schedule).toEqual(every);
  });

  test("without a scheduler the tool says so", async () => {
    h = harness();
    const c: ToolContext = { agents: {} as AgentService, agentId: "main", sessionKey: "agent:main:main", toolCallId: "c" };
    await expect(automationsTool.execute({ action: "status" }, c)).rejects.toThrow("automations are not available on this gateway");
  });
});

import { afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { cronStorePath } from "../../src/gateway/cron/handle.ts";
import { startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

const MAIN = { agentId: "main", sessionKey: "agent:main:main" };
const running: Array<TestGateway | AgentTestGateway> = [];
afterEach(async () => {
  for (const gw of running.splice(0)) await gw.stop();
});

describe("scheduled jobs on a running gateway", () => {
  test("a job due in a moment runs an agent turn; cron.list and cron.status show it", async () => {
    const gw = await startAgentGateway();
    running.push(gw);
    const at = Date.now() + 1_500;
    const added = await gw.runtime.cron.handle("add", { job: { name: "soon", schedule: { kind: "at", at }, payload: { kind: "agentTurn", message: "ping from cron" } } }, MAIN);
    const id = (added.job as { id: string }).id;

    const reply = await waitUntil(
      () => gw.store.history("agent:main:main", { limit: 10 }).messages.find((m) => m.role === "assistant"),
      "the scheduled turn's reply",
      { timeoutMs: 10_000 },
    );
    expect(reply.content).toBe("echo: ping from cron");
    expect(reply.runId).toBe(`cron:${id}:${at}`);
    expect(Date.now()).toBeGreaterThanOrEqual(at);

    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    const job = await waitUntil(async () => {
      const list = await c.request("cron.list", {});
      const j = list.payload.jobs[0];
      return j?.lastStatus === "ok" ? j : undefined;
    }, "the job's run to be recorded");
    expect(job).toMatchObject({ id, name: "soon", enabled: false, nextRunAtMs: null, lastRunAtMs: expect.any(Number), sessionKey: "agent:main:main" });
    const status = await c.request("cron.status", {});
    expect(status.payload).toEqual({
      enabled: true, triggersEnabled: true, storePath: cronStorePath(gw.dir), storage: "sqlite", sqlitePath: cronStorePath(gw.dir), jobs: 1, nextWakeAtMs: null,
    });
    const denied = await c.request("cron.run", { id });
    expect(denied.ok).toBe(false);
    expect(denied.error?.message).toContain("operator.admin");
    c.close();

    const admin = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
    const ran = await admin.request("cron.run", { id });
    expect(ran.payload).toEqual({ ok: true, ran: true, queued: false });
    await waitUntil(() => gw.store.history("agent:main:main", { limit: 10 }).messages.filter((m) => m.role === "assistant").length === 2, "the manual run's reply");
    const iso = await gw.runtime.cron.handle("add", { job: { name: "own session", sessionTarget: "isolated", schedule: { kind: "every", everyMs: 3_600_000 }, payload: { kind: "agentTurn", message: "isolated hello" } } }, MAIN);
    const isoId = (iso.job as { id: string }).id;
    expect((await admin.request("cron.run", { jobId: isoId })).payload).toMatchObject({ ok: true, ran: true });
    const isoReply = await waitUntil(
      () => gw.store.history(`agent:main:cron:${isoId}`, { limit: 10 }).messages.find((m) => m.role === "assistant"),
      "the isolated job's reply",
    );
    expect(isoReply.content).toBe("echo: isolated hello");
    expect((await admin.request("cron.remove", { id: isoId })).payload).toEqual({ ok: true, removed: true });
    const unknown = await admin.request("cron.run", { id: "nope" });
    expect(unknown.error).toMatchObject({ code: "INVALID_REQUEST", message: 'no cron job with id "nope"' });
    expect((await admin.request("cron.remove", { id })).payload).toEqual({ ok: true, removed: true });
    expect((await admin.request("cron.remove", { jobId: id })).payload).toEqual({ ok: true, removed: false });
    expect((await admin.request("cron.list", {})).payload).toEqual({ jobs: [] });
    admin.close();
  }, 20_000);

  test("an idle gateway opens no cron store until asked", async () => {
    const gw = await startTestGateway();
    running.push(gw);
    expect(gw.runtime.cron.current).toBeUndefined();
    expect(existsSync(cronStorePath(gw.dir))).toBe(false);
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    expect((await c.request("cron.list")).payload).toEqual({ jobs: [] });
    expect(existsSync(cronStorePath(gw.dir))).toBe(true);
    c.close();
  }, 15_000);

  test("a gateway that has jobs starts its scheduler at start-up and keeps them across a restart", async () => {
    const first = await startAgentGateway();
    running.push(first);
    const at = Date.now() + 3_600_000;
    await first.runtime.cron.handle("add", { job: { name: "later", schedule: { kind: "at", at }, payload: { kind: "agentTurn", message: "later" } } }, MAIN);
    await first.stop();
    running.splice(0);

    const second = await startAgentGateway({ dir: first.dir, storePath: first.storePath });
    running.push(second);
    const service = await waitUntil(() => second.runtime.cron.current, "the scheduler to start with the gateway");
    expect(service.list().map((j) => ({ name: j.name, nextRunAtMs: j.nextRunAtMs }))).toEqual([{ name: "later", nextRunAtMs: at }]);
    expect(service.status().nextWakeAtMs).toBe(at);
  }, 20_000);
});

// Exec approvals end to end on a real gateway with real sockets: who receives the events, the
// service's request() against an operator resolving over the wire (allow-once, allow-always,
// deny, expiry, abort, no client), and the resolve errors of spec §4.3.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ExecApprovalInput } from "../../../src/agents/tools/types.ts";
import { startTestGateway, tempDir, TEST_TOKEN, type TestGateway } from "../../fixtures/gateway.ts";
import { waitUntil } from "../../fixtures/wait.ts";
import { RawClient, type Frame } from "../../fixtures/ws-client.ts";

let g: TestGateway;
/** admin + exec-approvals cap: an approval client that sees everything. */
let approver: RawClient;
/** admin without approval caps: may call the methods, gets no prompts. */
let plainAdmin: RawClient;
/** read only. */
let reader: RawClient;

const connect = (scopes: string[], caps: string[] = [], clientId = "cli") =>
  RawClient.connect(g.url, { token: TEST_TOKEN, scopes, clientId, extra: { caps } });

beforeAll(async () => {
  g = await startTestGateway();
  approver = await connect(["operator.admin", "operator.approvals"], ["exec-approvals"]);
  plainAdmin = await connect(["operator.admin"]);
  reader = await connect(["operator.read"]);
});
afterAll(async () => {
  for (const c of [approver, plainAdmin, reader]) c.close();
  await g.stop();
});

function input(over: Partial<ExecApprovalInput> = {}): ExecApprovalInput {
  return {
    command: "echo hi-from-exec", commandArgv: ["echo", "hi-from-exec"], cwd: "/tmp", host: "gateway", resolvedPath: "/usr/bin/echo",
    security: "allowlist", ask: "on-miss", agentId: "main", sessionKey: "agent:main:main", runId: "run-6", toolCallId: "call_1_0",
    allowedDecisions: ["allow-once", "allow-always", "deny"], ...over,
  };
}

const requested = (c: RawClient, id: string) => c.waitFor((f) => f.event === "exec.approval.requested" && f.payload.id === id);
const resolved = (c: RawClient, id: string) => c.waitFor((f) => f.event === "exec.approval.resolved" && f.payload.id === id);
const eventsFor = (c: RawClient, id: string) => c.frames.filter((f) => f.type === "event" && f.payload?.id === id);

/** Starts a request through the service and returns its id once it is pending. */
async function pending(over: Partial<ExecApprovalInput> = {}, signal?: AbortSignal) {
  let id = "";
  const outcome = g.runtime.approvals.request(input(over), { signal, onPending: (i) => (id = i) });
  await waitUntil(() => id, "the approval to be pending");
  return { id, outcome };
}

describe("the round trip through the service", () => {
  test("requested goes to the approval client only, with the spec's payload; allow-once comes back", async () => {
    const { id, outcome } = await pending({ allowedDecisions: ["allow-once", "deny"] });
    const ev = await requested(approver, id);
    expect(ev.seq).toBeNumber();
    expect(ev.payload).toEqual({
      approvalKind: "exec", id,
      request: {
        command: "echo hi-from-exec", systemRunBinding: null, systemRunPlan: null, cwd: "/tmp", nodeId: null, host: "gateway",
        security: "allowlist", ask: "on-miss", warningText: null, scope: null,
        commandAnalysis: { commandCount: 1, nestedCommandCount: 0, riskKinds: [], warningLines: [] },
        unavailableDecisions: ["allow-always"], allowedDecisions: ["allow-once", "deny"], agentId: "main", resolvedPath: "/usr/bin/echo",
        sessionKey: "agent:main:main", sessionId: null, runId: "run-6", toolCallId: "call_1_0", turnSourceChannel: null, turnSourceTo: null,
        turnSourceAccountId: null, turnSourceThreadId: null, cronExecutionSource: null, cronOperationBinding: null,
      },
      createdAtMs: expect.any(Number), expiresAtMs: expect.any(Number),
    });
    expect(ev.payload.expiresAtMs - ev.payload.createdAtMs).toBe(30 * 60_000);
    expect(Object.keys(ev.payload.request).slice(0, 4)).toEqual(["command", "systemRunBinding", "systemRunPlan", "cwd"]);

    const listed = await plainAdmin.request("exec.approval.list", {});
    expect(listed.payload.map((e: { id: string }) => e.id)).toContain(id);
    expect((await approver.request("exec.approval.resolve", { id, decision: "allow-once" })).payload).toEqual({ ok: true });
    expect(await outcome).toEqual({ id, decision: "allow-once" });
    const done = await resolved(approver, id);
    expect(done.payload).toEqual({ id, decision: "allow-once", resolvedBy: "cli", ts: expect.any(Number), request: ev.payload.request });
    // Admin without approval caps and a reader never heard of it.
    expect(eventsFor(plainAdmin, id)).toEqual([]);
    expect(eventsFor(reader, id)).toEqual([]);
    expect((await plainAdmin.request("exec.approval.list", {})).payload.map((e: { id: string }) => e.id)).not.toContain(id);
  });

  test("deny comes back as deny", async () => {
    const { id, outcome } = await pending();
    await requested(approver, id);
    expect((await approver.request("exec.approval.resolve", { id, decision: "deny" })).ok).toBe(true);
    expect(await outcome).toEqual({ id, decision: "deny" });
    expect((await resolved(approver, id)).payload).toMatchObject({ decision: "deny", resolvedBy: "cli" });
  });

  test("expiry: null for the requester, deny with resolvedBy null for the clients", async () => {
    const { id, outcome } = await pending({ timeoutMs: 150 });
    expect(await outcome).toEqual({ id, decision: null, reason: "timeout" });
    expect((await resolved(approver, id)).payload).toMatchObject({ id, decision: "deny", resolvedBy: null });
    const late = await approver.request("exec.approval.resolve", { id, decision: "allow-once" });
    expect(late.error).toMatchObject({ code: "INVALID_REQUEST", message: "approval already resolved", details: { reason: "APPROVAL_ALREADY_RESOLVED" } });
  });

  test("abort: the request rejects, the record closes as deny and leaves the list", async () => {
    const ctl = new AbortController();
    const { id, outcome } = await pending({}, ctl.signal);
    await requested(approver, id);
    ctl.abort();
    await expect(outcome).rejects.toThrow(/aborted/i);
    expect((await resolved(approver, id)).payload).toMatchObject({ id, decision: "deny", resolvedBy: null });
    expect((await approver.request("exec.approval.list", {})).payload.map((e: { id: string }) => e.id)).not.toContain(id);
    const wait = await approver.request("exec.approval.waitDecision", { id });
    expect(wait.payload).toMatchObject({ id, decision: "deny", terminalReason: "run-aborted" });
  });

  test("an already aborted signal never creates a record", async () => {
    const ctl = new AbortController();
    ctl.abort();
    const before = g.runtime.approvals.records.pendingCount;
    await expect(g.runtime.approvals.request(input(), { signal: ctl.signal })).rejects.toThrow(/aborted/i);
    expect(g.runtime.approvals.records.pendingCount).toBe(before);
  });
});

describe("no approval client", () => {
  test("null at once with no-approval-route, and nobody gets an event", async () => {
    const gw2 = await startTestGateway();
    const admin = await RawClient.connect(gw2.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
    try {
      let pendingCalled = false;
      const started = Date.now();
      const out = await gw2.runtime.approvals.request(input(), { onPending: () => (pendingCalled = true) });
      expect(out).toEqual({ id: expect.any(String), decision: null, reason: "no-approval-route" });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(pendingCalled).toBe(false);
      expect((await admin.request("exec.approval.list", {})).payload).toEqual([]);
      expect(admin.frames.filter((f) => f.event?.startsWith("exec.approval"))).toEqual([]);
    } finally {
      admin.close();
      await gw2.stop();
    }
  }, 20_000);

  test("an approvals-only client with the cap does not get an agent's prompt (only admin sees those)", async () => {
    const gw2 = await startTestGateway();
    const limited = await RawClient.connect(gw2.url, { token: TEST_TOKEN, scopes: ["operator.read", "operator.approvals"], extra: { caps: ["exec-approvals"] } });
    try {
      expect((await gw2.runtime.approvals.request(input(), {})).decision).toBeNull();
      expect(limited.frames.filter((f) => f.event?.startsWith("exec.approval"))).toEqual([]);
    } finally {
      limited.close();
      await gw2.stop();
    }
  }, 20_000);
});

describe("exec.approval.resolve errors", () => {
  test("unknown id, bad decision, repeat with the same and another decision", async () => {
    const unknown = await approver.request("exec.approval.resolve", { id: crypto.randomUUID(), decision: "deny" });
    expect(unknown.error).toEqual({
      code: "INVALID_REQUEST", message: "unknown or expired approval id",
      details: { reason: "APPROVAL_NOT_FOUND", remediation: expect.any(String) },
    });
    const { id, outcome } = await pending();
    const bad = await approver.request("exec.approval.resolve", { id, decision: "maybe" });
    expect(bad.error).toMatchObject({ code: "INVALID_REQUEST", message: "invalid decision" });
    expect((await approver.request("exec.approval.resolve", { id, decision: "deny" })).ok).toBe(true);
    expect((await outcome).decision).toBe("deny");
    expect((await approver.request("exec.approval.resolve", { id, decision: "deny" })).payload).toEqual({ ok: true });
    const other = await approver.request("exec.approval.resolve", { id, decision: "allow-once" });
    expect(other.error).toMatchObject({ message: "approval already resolved", details: { reason: "APPROVAL_ALREADY_RESOLVED" } });
  });

  test("a decision the record does not offer is refused and it stays pending", async () => {
    const { id, outcome } = await pending({ allowedDecisions: ["allow-once", "deny"] });
    const r = await approver.request("exec.approval.resolve", { id, decision: "allow-always" });
    expect(r.error).toMatchObject({ code: "INVALID_REQUEST", details: { reason: "APPROVAL_ALLOW_ALWAYS_UNAVAILABLE" } });
    expect((await approver.request("exec.approval.get", { id })).payload).toEqual({
      id, commandText: "echo hi-from-exec", commandPreview: null, allowedDecisions: ["allow-once", "deny"], host: "gateway", nodeId: null,
      agentId: "main", expiresAtMs: expect.any(Number),
    });
    await approver.request("exec.approval.resolve", { id, decision: "allow-once" });
    expect((await outcome).decision).toBe("allow-once");
  });

  test("the methods need operator.approvals", async () => {
    const r = await reader.request("exec.approval.list", {});
    expect(r.error).toMatchObject({ code: "FORBIDDEN", message: "missing scope: operator.approvals" });
  });
});

describe("exec.approval.request from a client", () => {
  test("twoPhase: accepted, then the decision under the same id; the requester is not sent its own prompt", async () => {
    const requester = await connect(["operator.approvals"], ["exec-approvals"]);
    const other = await connect(["operator.approvals"], ["exec-approvals"]);
    try {
      const reqId = "req-two-phase";
      const final = requester.waitFor((f) => f.type === "res" && f.id === reqId && f.payload?.status !== "accepted");
      const accepted = requester.request("exec.approval.request", { command: "ls -la", host: "gateway", ask: "always", agentId: "main", twoPhase: true }, reqId);
      const first = await accepted;
      expect(first.payload).toEqual({ status: "accepted", id: expect.any(String), deliveryRoute: "approval-client", createdAtMs: expect.any(Number), expiresAtMs: expect.any(Number) });
      const id = first.payload.id as string;
      const ev = await requested(approver, id);
      expect(ev.payload.request.allowedDecisions).toEqual(["allow-once", "deny"]);
      // The requester sees its own record through the methods, another approvals-only client does not.
      expect((await requester.request("exec.approval.list", {})).payload.map((e: { id: string }) => e.id)).toEqual([id]);
      expect((await other.request("exec.approval.list", {})).payload).toEqual([]);
      expect((await other.request("exec.approval.get", { id })).error?.message).toBe("unknown or expired approval id");
      await approver.request("exec.approval.resolve", { id, decision: "allow-once" });
      expect((await final).payload).toEqual({ id, decision: "allow-once", createdAtMs: first.payload.createdAtMs, expiresAtMs: first.payload.expiresAtMs });
      expect(eventsFor(requester, id).map((f) => f.event)).toEqual(["exec.approval.resolved"]);
      expect(eventsFor(other, id)).toEqual([]);
    } finally {
      requester.close();
      other.close();
    }
  });

  test("nobody else to ask: decision null at once", async () => {
    const gw2 = await startTestGateway();
    const c = await RawClient.connect(gw2.url, { token: TEST_TOKEN, scopes: ["operator.admin"], extra: { caps: ["approvals"] } });
    try {
      const r = await c.request("exec.approval.request", { command: "rm -rf /tmp/x", twoPhase: true });
      expect(r.payload).toEqual({ id: expect.any(String), decision: null, createdAtMs: expect.any(Number), expiresAtMs: expect.any(Number) });
      const wait = await c.request("exec.approval.waitDecision", { id: r.payload.id });
      expect(wait.payload).toMatchObject({ decision: null, terminalReason: "no-route" });
      // requireDeliveryRoute:false: it waits anyway (listed, answerable) until its expiry.
      const kept = c.request("exec.approval.request", { command: "true", requireDeliveryRoute: false, timeoutMs: 300 });
      const listed = await waitUntil(async () => (await c.request("exec.approval.list", {})).payload[0], "the kept record to be listed");
      expect(listed.request.command).toBe("true");
      expect((await kept).payload).toMatchObject({ id: listed.id, decision: null });
    } finally {
      c.close();
      await gw2.stop();
    }
  }, 20_000);

  test("host=node needs nodeId and a plan; an explicit id must be free", async () => {
    expect((await approver.request("exec.approval.request", { command: "x", host: "node" })).error?.message).toBe("nodeId is required for host=node");
    expect((await approver.request("exec.approval.request", { command: "x", host: "node", nodeId: "n1" })).error?.message).toBe("systemRunPlan is required for host=node");
    const first = approver.request("exec.approval.request", { command: "sleep 1", id: "fixed-id-1", timeoutMs: 200 });
    const dup = await approver.request("exec.approval.request", { command: "sleep 1", id: "fixed-id-1" });
    expect(dup.error?.message).toBe("approval id already pending");
    expect((await first).payload).toMatchObject({ id: "fixed-id-1", decision: null });
  });
});

describe("approval.get / approval.resolve", () => {
  test("pending snapshot, applied resolve, then applied:false with the recorded outcome", async () => {
    const { id, outcome } = await pending();
    const got = await approver.request("approval.get", { id });
    expect(got.payload).toEqual({
      approval: {
        id, status: "pending", urlPath: `/approve/${id}`, createdAtMs: expect.any(Number), expiresAtMs: expect.any(Number),
        presentation: {
          kind: "exec", commandText: "echo hi-from-exec", commandPreview: null, warningText: null, host: "gateway", nodeId: null, agentId: "main",
          allowedDecisions: ["allow-once", "allow-always", "deny"],
        },
      },
    });
    const first = await approver.request("approval.resolve", { id, kind: "exec", decision: "allow-once" });
    expect(first.payload).toMatchObject({
      applied: true,
      approval: { status: "allowed", decision: "allow-once", reason: "user", source: { agentId: "main", sessionKey: "agent:main:main" }, resolver: { kind: "runtime", id: "cli" } },
    });
    expect((await outcome).decision).toBe("allow-once");
    const again = await approver.request("approval.resolve", { id, kind: "exec", decision: "deny" });
    expect(again.payload).toMatchObject({ applied: false, approval: { status: "allowed", decision: "allow-once" } });
    expect((await approver.request("approval.get", { id: "nope" })).error).toMatchObject({ message: "approval not found", details: { reason: "APPROVAL_NOT_FOUND" } });
  });

  test("a verdict of the wrong kind closes the approval as deny", async () => {
    const { id, outcome } = await pending();
    const r = await approver.request("approval.resolve", { id, kind: "plugin", decision: "allow-once" });
    expect(r.payload).toMatchObject({ applied: true, approval: { status: "denied", decision: "deny", reason: "malformed-verdict" } });
    expect((await outcome).decision).toBe("deny");
  });

  test("plugin and system-agent lists are empty", async () => {
    expect((await approver.request("plugin.approval.list", {})).payload).toEqual([]);
    expect((await approver.request("openclaw.approval.list", {})).payload).toEqual([]);
  });
});

describe("the host document", () => {
  test("get shows the empty document and resolved defaults; set needs the current hash", async () => {
    const first = await plainAdmin.request("exec.approvals.get", {});
    expect(first.payload).toEqual({
      path: expect.stringMatching(/exec-approvals\.sqlite$/), exists: true, hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      file: { version: 1, defaults: {}, agents: {} },
      resolvedDefaults: { security: "full", ask: "off", askFallback: "deny", autoAllowSkills: false },
    });
    const file = { version: 1, defaults: { security: "allowlist", ask: "on-miss" }, agents: { main: { allowlist: [{ pattern: "echo" }] } } };
    const noHash = await plainAdmin.request("exec.approvals.set", { file });
    expect(noHash.error).toMatchObject({ code: "INVALID_REQUEST", message: "exec approvals base hash required; re-run exec.approvals.get and retry" });
    const stale = await plainAdmin.request("exec.approvals.set", { file, baseHash: "0".repeat(64) });
    expect(stale.error?.message).toBe("exec approvals changed since last load; re-run exec.approvals.get and retry");
    const set = await plainAdmin.request("exec.approvals.set", { file, baseHash: first.payload.hash });
    expect(set.payload.hash).not.toBe(first.payload.hash);
    expect(set.payload.file.agents.main.allowlist).toEqual([{ id: expect.stringMatching(/^[0-9a-f-]{36}$/), pattern: "echo" }]);
    expect(set.payload.resolvedDefaults).toEqual({ security: "allowlist", ask: "on-miss", askFallback: "deny", autoAllowSkills: false });
    const reused = await plainAdmin.request("exec.approvals.set", { file, baseHash: first.payload.hash });
    expect(reused.error?.message).toContain("changed since last load");

    const svc = g.runtime.approvals;
    expect(svc.effectivePolicy("main", { security: "full", ask: "off" })).toEqual({ security: "allowlist", ask: "on-miss", askFallback: "deny" });
    expect(svc.allowlisted("main", ["echo", "hi"], null)).toBe(true);
    expect(svc.allowlisted("other", ["echo", "hi"], null)).toBe(false);

    const invalid = await plainAdmin.request("exec.approvals.set", { file: { version: 1, defaults: { security: "sometimes" } }, baseHash: set.payload.hash });
    expect(invalid.error?.message).toMatch(/^invalid exec approvals file: at \/defaults\/security/);
    const badRegex = await plainAdmin.request("exec.approvals.set", { file: { version: 1, agents: { main: { allowlist: [{ pattern: "ls", argPattern: "(" }] } } }, baseHash: set.payload.hash });
    expect(badRegex.error?.message).toContain("argPattern is not a valid regular expression");
    // Restore the open defaults for the other tests.
    await plainAdmin.request("exec.approvals.set", { file: { version: 1 }, baseHash: set.payload.hash });
  });

  test("exec.approvals.* need admin", async () => {
    const limited = await connect(["operator.approvals"]);
    try {
      expect((await limited.request("exec.approvals.get", {})).error).toMatchObject({ code: "FORBIDDEN", message: "missing scope: operator.admin" });
    } finally {
      limited.close();
    }
  });
});

describe("allow-always and restarts", () => {
  test("the entry is written, matches next time, and survives a restart on the same state dir", async () => {
    const dir = tempDir("approvals-");
    let gw2 = await startTestGateway({ dir });
    const c = await RawClient.connect(gw2.url, { token: TEST_TOKEN, scopes: ["operator.admin"], extra: { caps: ["approvals"] } });
    const argv = ["echo", "hello", "world"];
    try {
      let id = "";
      const outcome = gw2.runtime.approvals.request(input({ command: "echo hello world", commandArgv: argv }), { onPending: (i) => (id = i) });
      await waitUntil(() => id, "pending");
      await c.request("exec.approval.resolve", { id, decision: "allow-always" });
      expect((await outcome).decision).toBe("allow-always");
      gw2.runtime.approvals.rememberAllowAlways("main", argv, "/usr/bin/echo", "echo hello world");
      gw2.runtime.approvals.rememberAllowAlways("main", argv, "/usr/bin/echo", "echo hello world");
      const doc = (await c.request("exec.approvals.get", {})).payload;
      expect(doc.file.agents.main.allowlist).toEqual([{
        id: expect.any(String), pattern: "/usr/bin/echo", argPattern: "^hello world$", source: "allow-always",
        lastUsedAt: expect.any(Number), lastUsedCommand: "echo hello world", lastResolvedPath: "/usr/bin/echo",
      }]);
      expect(gw2.runtime.approvals.allowlisted("main", argv, "/usr/bin/echo")).toBe(true);
      expect(gw2.runtime.approvals.allowlisted("main", ["echo", "goodbye"], "/usr/bin/echo")).toBe(false);
    } finally {
      c.close();
      await gw2.stop();
    }
    gw2 = await startTestGateway({ dir });
    try {
      expect(gw2.runtime.approvals.allowlisted("main", argv, "/usr/bin/echo")).toBe(true);
      expect(gw2.runtime.approvals.snapshot().file.agents?.main?.allowlist?.[0]?.source).toBe("allow-always");
    } finally {
      await gw2.stop();
    }
  }, 30_000);

  test("stopping the gateway closes pending approvals as deny, and clients hear it", async () => {
    const gw2 = await startTestGateway();
    const c = await RawClient.connect(gw2.url, { token: TEST_TOKEN, scopes: ["operator.admin"], extra: { caps: ["approvals"] } });
    let id = "";
    const outcome = gw2.runtime.approvals.request(input(), { onPending: (i) => (id = i) });
    await waitUntil(() => id, "pending");
    const heard = c.waitFor((f: Frame) => f.event === "exec.approval.resolved");
    await gw2.stop();
    expect(await outcome).toEqual({ id, decision: "deny", reason: "gateway-restart" });
    expect((await heard).payload).toMatchObject({ id, decision: "deny", resolvedBy: null });
  }, 20_000);
});

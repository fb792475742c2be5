// node.invoke end to end with a scripted node: the request/result round trip, the node's own
// errors, deadline and cancel, disconnects, and every refusal of the error table (spec nodes §6).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ConnectParams } from "../../src/protocol/index.ts";
import { newTestDevice, type TestDevice } from "../fixtures/device.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient, type Frame } from "../fixtures/ws-client.ts";

let g: TestGateway;
let admin: RawClient;
let writer: RawClient;
const dev = newTestDevice();
let node: RawClient;

async function connectNode(d: TestDevice, commands: string[]): Promise<RawClient> {
  const c = await RawClient.open(g.url);
  const challenge = await c.waitFor((f) => f.event === "connect.challenge");
  const params: ConnectParams = {
    minProtocol: 4, maxProtocol: 4, role: "node", scopes: [], commands, auth: { token: TEST_TOKEN },
    client: { id: "node-host", version: "test", platform: "linux", mode: "node", displayName: "worker" },
  };
  const res = await c.request("connect", d.signConnect(params, challenge.payload.nonce));
  if (!res.ok) throw new Error(JSON.stringify(res.error));
  return c;
}

async function approveAll(nodeId: string): Promise<void> {
  const pending = (await admin.request("node.pair.list", {})).payload.pending.find((p: { nodeId: string }) => p.nodeId === nodeId);
  expect((await admin.request("node.pair.approve", { requestId: pending.requestId })).ok).toBe(true);
}

beforeAll(async () => {
  g = await startTestGateway();
  admin = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
  writer = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
  node = await connectNode(dev, ["system.which", "system.run", "fs.listDir"]);
  await approveAll(dev.id);
});
afterAll(async () => {
  for (const c of [admin, writer, node]) c.close();
  await g.stop();
});

const key = () => crypto.randomUUID();
/** The next node.invoke.request the node sees. */
const nextRequest = () => node.next((f) => f.event === "node.invoke.request");
const answer = (req: Frame, result: Record<string, unknown>) => node.request("node.invoke.result", { id: req.payload.id, nodeId: dev.id, ...result });

describe("the round trip", () => {
  test("the node gets the request (no seq), answers, and the operator gets its parsed payload", async () => {
    const got = nextRequest();
    const call = writer.request("node.invoke", { nodeId: dev.id, command: "system.which", params: { bins: ["ls"] }, idempotencyKey: key() });
    const req = await got;
    expect(req.seq).toBeUndefined();
    expect(req.payload).toMatchObject({ nodeId: dev.id, command: "system.which", paramsJSON: '{"bins":["ls"]}', timeoutMs: 30000 });
    expect((await answer(req, { ok: true, payloadJSON: '{"bins":{"ls":"/usr/bin/ls"}}' })).payload).toEqual({ ok: true });
    expect((await call).payload).toEqual({ ok: true, nodeId: dev.id, command: "system.which", payload: { bins: { ls: "/usr/bin/ls" } }, payloadJSON: '{"bins":{"ls":"/usr/bin/ls"}}' });
  });

  test("system.run gets a runId added; no params are sent as null", async () => {
    let got = nextRequest();
    let call = writer.request("node.invoke", { nodeId: dev.id, command: "system.run", params: { command: ["echo", "hi"] }, idempotencyKey: key() });
    let req = await got;
    expect(JSON.parse(req.payload.paramsJSON)).toMatchObject({ command: ["echo", "hi"], runId: expect.any(String) });
    await answer(req, { ok: true, payload: { stdout: "hi\n" } });
    expect((await call).payload).toMatchObject({ payload: { stdout: "hi\n" }, payloadJSON: null });
    got = nextRequest();
    call = writer.request("node.invoke", { nodeId: dev.id, command: "system.which", idempotencyKey: key() });
    req = await got;
    expect(req.payload.paramsJSON).toBeNull();
    await answer(req, { ok: true, payloadJSON: null });
    expect((await call).payload.payload).toBeNull();
  });

  test("the node's own failure is UNAVAILABLE '<code>: <message>' with nodeError", async () => {
    const got = nextRequest();
    const call = writer.request("node.invoke", { nodeId: dev.id, command: "system.run", params: {}, idempotencyKey: key() });
    await answer(await got, { ok: false, error: { code: "INVALID_REQUEST", message: "command required" } });
    expect((await call).error).toEqual({
      code: "UNAVAILABLE", message: "INVALID_REQUEST: command required",
      details: { nodeError: { code: "INVALID_REQUEST", message: "command required" }, nodeCommandDispatched: true },
    });
  });

  test("past the deadline: TIMEOUT for the operator, node.invoke.cancel for the node, a late result is ignored", async () => {
    const got = nextRequest();
    const cancel = node.next((f) => f.event === "node.invoke.cancel", 15_000);
    const call = writer.request("node.invoke", { nodeId: dev.id, command: "system.which", timeoutMs: 100, idempotencyKey: key() });
    const req = await got;
    expect((await call).error).toMatchObject({ code: "UNAVAILABLE", message: "TIMEOUT: node invoke timed out", details: { nodeError: { code: "TIMEOUT" }, nodeCommandDispatched: true } });
    expect((await cancel).payload).toEqual({ invokeId: req.payload.id, nodeId: dev.id });
    expect((await answer(req, { ok: true, payloadJSON: "{}" })).payload).toEqual({ ok: true, ignored: true });
  });

  test("a result for another node is refused; only nodes may send results", async () => {
    expect((await node.request("node.invoke.result", { id: "x", nodeId: "someone-else", ok: true })).error).toEqual({ code: "INVALID_REQUEST", message: "nodeId mismatch" });
    expect((await admin.request("node.invoke.result", { id: "x", nodeId: dev.id, ok: true })).error?.message).toBe("unauthorized role: operator");
  });
});

describe("refusals", () => {
  const invoke = (c: RawClient, nodeId: string, command: string) => c.request("node.invoke", { nodeId, command, params: {}, idempotencyKey: key() });

  test("never allowed, admin-only, not allowlisted, not declared", async () => {
    expect((await invoke(admin, dev.id, "system.execApprovals.get")).error).toEqual({ code: "INVALID_REQUEST", message: "node.invoke does not allow system.execApprovals.*; use exec.approvals.node.*" });
    expect((await invoke(writer, dev.id, "fs.listDir")).error).toMatchObject({ code: "FORBIDDEN", message: "missing scope: operator.admin" });
    expect((await invoke(admin, dev.id, "file.stat")).error).toEqual({
      code: "INVALID_REQUEST", message: 'node command not allowed: "file.stat" is not in the allowlist for platform "linux"',
      details: { reason: "command not allowlisted", command: "file.stat" },
    });
    expect((await invoke(admin, dev.id, "system.notify")).error?.message).toBe('node command not allowed: the node (platform: linux) does not support "system.notify"');
  });

  test("unknown node, unapproved node, node offline, node leaving mid-call", async () => {
    expect((await invoke(admin, "no-such-node", "system.which")).error).toEqual({
      code: "UNAVAILABLE", message: "node pairing changed while invocation was active", retryable: true, details: { code: "PAIRING_CHANGED" },
    });
    const fresh = newTestDevice();
    const unapproved = await connectNode(fresh, ["system.which"]);
    expect((await invoke(admin, fresh.id, "system.which")).error?.details?.code).toBe("PAIRING_CHANGED");

    await approveAll(fresh.id);
    const got = unapproved.next((f) => f.event === "node.invoke.request");
    const call = invoke(admin, fresh.id, "system.which");
    await got;
    unapproved.close();
    expect((await call).error).toMatchObject({ code: "UNAVAILABLE", message: "DISCONNECTED: node disconnected (system.which)" });
    await waitUntil(async () => (await admin.request("node.describe", { nodeId: fresh.id })).payload.connected === false, "the node to be gone");
    expect((await invoke(admin, fresh.id, "system.which")).error).toEqual({
      code: "UNAVAILABLE", message: "node not connected",
      details: { code: "NOT_CONNECTED", nodeError: { code: "NOT_CONNECTED", message: "node not connected" }, nodeCommandDispatched: false },
    });
  });
});

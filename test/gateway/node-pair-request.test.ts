// node.pair.request (a connected node declares its surface again) and node.pair.verify (is this a
// paired node's current token), over real sockets.
import { afterEach, expect, test } from "bun:test";
import type { ConnectParams } from "../../src/protocol/index.ts";
import { newTestDevice, type TestDevice } from "../fixtures/device.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { RawClient, type Frame } from "../fixtures/ws-client.ts";

const started: TestGateway[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const g of started.splice(0)) await g.stop();
});

async function setup() {
  const g = await startTestGateway();
  started.push(g);
  const admin = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.pairing"] });
  clients.push(admin);
  return { g, admin };
}

async function connectNode(g: TestGateway, dev: TestDevice, commands: string[]): Promise<{ c: RawClient; hello: Frame }> {
  const c = await RawClient.open(g.url);
  clients.push(c);
  const challenge = await c.waitFor((f) => f.event === "connect.challenge");
  const params: ConnectParams = {
    minProtocol: 4, maxProtocol: 4, role: "node", scopes: [], caps: ["system"], commands, auth: { token: TEST_TOKEN },
    client: { id: "node-host", version: "t", platform: "linux", deviceFamily: "Linux", mode: "node", displayName: "box" },
  };
  const hello = await c.request("connect", dev.signConnect(params, challenge.payload.nonce));
  if (!hello.ok) throw new Error(JSON.stringify(hello.error));
  return { c, hello };
}

async function approvePending(admin: RawClient, nodeId: string): Promise<void> {
  const req = (await admin.request("node.pair.list", {})).payload.pending.find((p: { nodeId: string }) => p.nodeId === nodeId);
  expect((await admin.request("node.pair.approve", { requestId: req.requestId })).ok).toBe(true);
}

test("node.pair.request: narrower applies at once, wider waits for an operator, the same again files nothing", async () => {
  const { g, admin } = await setup();
  const dev = newTestDevice();
  const { c } = await connectNode(g, dev, ["system.which", "system.run"]);
  await approvePending(admin, dev.id);

  const narrower = await c.request("node.pair.request", { commands: ["system.which"] });
  expect(narrower.payload).toEqual({ nodeId: dev.id, status: "approved", created: false, caps: ["system"], commands: ["system.which"], withheld: [] });

  const wider = await c.request("node.pair.request", { commands: ["system.which", "system.run", "system.notify", "file.stat"] });
  expect(wider.payload).toMatchObject({
    nodeId: dev.id, status: "pending", created: true, requiredApproveScopes: ["operator.pairing", "operator.admin"],
    caps: ["system"], commands: ["system.run", "system.which"], withheld: ["file.stat"],
  });
  const requested = await admin.waitFor((f) => f.event === "node.pair.requested" && f.payload.requestId === wider.payload.requestId);
  expect(requested.payload.commands).toEqual(["system.notify", "system.run", "system.which"]);

  const again = await c.request("node.pair.request", {});
  expect(again.payload).toMatchObject({ status: "pending", created: false, requestId: wider.payload.requestId });

  await approvePending(admin, dev.id);
  const node = (await admin.request("node.describe", { nodeId: dev.id })).payload;
  expect(node).toMatchObject({ approvalState: "approved", commands: ["system.notify", "system.run", "system.which"] });
});

test("node.pair.request is for nodes only, and its params are checked", async () => {
  const { g, admin } = await setup();
  expect((await admin.request("node.pair.request", { commands: [] })).error).toMatchObject({ code: "INVALID_REQUEST", message: "unauthorized role: operator" });
  const dev = newTestDevice();
  const { c } = await connectNode(g, dev, ["system.which"]);
  expect((await c.request("node.pair.request", { commands: "system.run" })).error).toMatchObject({ code: "INVALID_REQUEST" });
  expect((await c.request("node.pair.request", { extra: 1 })).error).toMatchObject({ code: "INVALID_REQUEST" });
});

test("node.pair.verify: the current token is ok; a wrong, rotated or unpaired one is not", async () => {
  const { g, admin } = await setup();
  const dev = newTestDevice();
  const { hello } = await connectNode(g, dev, ["system.which"]);
  const token = hello.payload.auth.deviceToken as string;
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  // Paired as a device but its surface not yet approved: not a paired node.
  expect((await admin.request("node.pair.verify", { nodeId: dev.id, token })).payload).toEqual({ ok: false, nodeId: dev.id, reason: "not-paired" });
  await approvePending(admin, dev.id);
  const ok = (await admin.request("node.pair.verify", { nodeId: dev.id, token })).payload;
  expect(ok).toMatchObject({ ok: true, nodeId: dev.id, node: { nodeId: dev.id, commands: ["system.which"] } });
  expect((await admin.request("node.pair.verify", { nodeId: dev.id, token: `${token}x` })).payload).toEqual({ ok: false, nodeId: dev.id, reason: "token-mismatch" });
  expect((await admin.request("node.pair.verify", { nodeId: "f".repeat(64), token })).payload).toEqual({ ok: false, nodeId: "f".repeat(64), reason: "not-paired" });
  await admin.request("device.token.rotate", { deviceId: dev.id, role: "node" });
  expect((await admin.request("node.pair.verify", { nodeId: dev.id, token })).payload).toMatchObject({ ok: false, reason: "token-mismatch" });

  const reader = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
  clients.push(reader);
  expect((await reader.request("node.pair.verify", { nodeId: dev.id, token })).error).toMatchObject({ code: "FORBIDDEN" });
});

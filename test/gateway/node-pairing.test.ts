// Node pairing (gate 2, the command surface) over real sockets, and node.list / node.describe.
import { afterEach, expect, test } from "bun:test";
import type { ConnectParams } from "../../src/protocol/index.ts";
import { newTestDevice, type TestDevice } from "../fixtures/device.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient, type Frame } from "../fixtures/ws-client.ts";

const started: TestGateway[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const g of started.splice(0)) await g.stop();
});

const LINUX = [
  "browser.proxy", "dir.list", "file.stat", "fs.listDir", "ollama.chat", "system.run", "system.run.prepare", "system.which", "workspace.memory",
];

async function setup() {
  const g = await startTestGateway();
  started.push(g);
  const admin = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
  clients.push(admin);
  return { g, admin };
}

function params(commands: string[], displayName = "box"): ConnectParams {
  return {
    minProtocol: 4, maxProtocol: 4, role: "node", scopes: [], caps: ["system"], commands, auth: { token: TEST_TOKEN },
    client: { id: "node-host", version: "2026.9.6", platform: "linux", deviceFamily: "Linux", mode: "node", displayName },
  };
}

async function connectNode(g: TestGateway, dev: TestDevice, commands = LINUX): Promise<{ c: RawClient; res: Frame }> {
  const c = await RawClient.open(g.url);
  clients.push(c);
  const challenge = await c.waitFor((f) => f.event === "connect.challenge");
  return { c, res: await c.request("connect", dev.signConnect(params(commands), challenge.payload.nonce)) };
}

const listed = async (op: RawClient) => (await op.request("node.list", {})).payload.nodes as Array<Record<string, any>>;

test("a new node's surface waits for approval; the approval applies to the live session without a reconnect", async () => {
  const { g, admin } = await setup();
  const dev = newTestDevice();
  const { c, res } = await connectNode(g, dev);
  expect(res.ok).toBe(true);
  const requested = await admin.waitFor((f) => f.event === "node.pair.requested");
  expect(requested.payload).toMatchObject({
    nodeId: dev.id, clientId: "node-host", displayName: "box", caps: ["system"],
    commands: ["browser.proxy", "fs.listDir", "ollama.chat", "system.run", "system.run.prepare", "system.which"],
    requiredApproveScopes: ["operator.pairing", "operator.admin"], silent: true,
  });
  const requestId = requested.payload.requestId;
  let [node] = await listed(admin);
  expect(node).toMatchObject({ nodeId: dev.id, approvalState: "pending-approval", caps: [], commands: [], connected: true, paired: true, pendingRequestId: requestId });

  // A reader sees the node but not the pending request.
  const reader = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
  clients.push(reader);
  expect((await listed(reader))[0]!.pendingRequestId).toBeUndefined();

  // The same surface again reuses the request.
  const again = await connectNode(g, dev);
  expect(again.res.ok).toBe(true);
  expect((await admin.request("node.pair.list", {})).payload.pending.map((p: { requestId: string }) => p.requestId)).toEqual([requestId]);

  const pairer = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.pairing"] });
  clients.push(pairer);
  expect((await pairer.request("node.pair.approve", { requestId })).error).toMatchObject({
    code: "FORBIDDEN", message: "missing scope: operator.admin",
    details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.pairing", "operator.admin"] },
  });
  const approved = await admin.request("node.pair.approve", { requestId });
  expect(approved.payload).toMatchObject({ requestId, node: { nodeId: dev.id, commands: requested.payload.commands } });
  const resolved = await c.waitFor((f) => f.event === "node.pair.resolved");
  expect(resolved.payload).toMatchObject({ requestId, nodeId: dev.id, decision: "approved" });
  expect(resolved.seq).toBeUndefined();
  [node] = await listed(admin);
  expect(node).toMatchObject({ approvalState: "approved", commands: requested.payload.commands, connected: true });
  expect(c.closed).toBeNull();
  expect((await admin.request("node.pair.approve", { requestId })).error?.message).toBe("unknown requestId");
});

test("a wider declaration needs re-approval; meanwhile the node keeps what was approved", async () => {
  const { g, admin } = await setup();
  const dev = newTestDevice();
  await connectNode(g, dev, ["system.which"]);
  const first = await admin.waitFor((f) => f.event === "node.pair.requested");
  await admin.request("node.pair.approve", { requestId: first.payload.requestId });
  const { c } = await connectNode(g, dev, ["system.which", "system.run"]);
  const second = await admin.waitFor((f) => f.event === "node.pair.requested" && f.payload.requestId !== first.payload.requestId);
  expect(second.payload.commands).toEqual(["system.run", "system.which"]);
  const node = (await listed(admin)).find((n) => n.connected)!;
  expect(node).toMatchObject({ approvalState: "pending-reapproval", commands: ["system.which"], pendingDeclaredCommands: ["system.run", "system.which"] });
  // Rejecting the wider surface keeps the old approval; the node stays connected.
  expect((await admin.request("node.pair.reject", { requestId: second.payload.requestId })).payload).toEqual({ requestId: second.payload.requestId, nodeId: dev.id });
  expect((await listed(admin))[0]).toMatchObject({ approvalState: "approved", commands: ["system.which"] });
  expect(c.closed).toBeNull();
});

test("reject, rename, describe (also offline), remove", async () => {
  const { g, admin } = await setup();
  const dev = newTestDevice();
  const { c } = await connectNode(g, dev);
  const requested = await admin.waitFor((f) => f.event === "node.pair.requested");
  await admin.request("node.pair.reject", { requestId: requested.payload.requestId });
  expect((await listed(admin))[0]).toMatchObject({ approvalState: "unapproved", commands: [] });

  expect((await admin.request("node.rename", { nodeId: dev.id, displayName: "Work laptop" })).payload).toEqual({ nodeId: dev.id, displayName: "Work laptop" });
  c.close();
  const described = await waitUntil(async () => {
    const r = await admin.request("node.describe", { nodeId: dev.id });
    return r.payload.connected === false ? r : undefined;
  }, "the gateway to see the node leave");
  expect(described.payload).toMatchObject({ nodeId: dev.id, displayName: "Work laptop", connected: false, approvalState: "unapproved" });
  expect(typeof described.payload.ts).toBe("number");
  expect((await admin.request("node.describe", { nodeId: "nope" })).error).toEqual({ code: "INVALID_REQUEST", message: "unknown nodeId" });

  const back = await connectNode(g, dev);
  expect((await admin.request("node.pair.remove", { nodeId: dev.id })).payload).toEqual({ nodeId: dev.id });
  expect(await back.c.waitClose()).toEqual({ code: 4001, reason: "device removed" });
  expect(await listed(admin)).toEqual([]);
  // It was only a node, so the device is forgotten: on loopback it pairs again silently, with a new surface request.
  expect((await admin.request("device.pair.list", {})).payload.paired).toEqual([]);
  const again = await connectNode(g, dev);
  expect(again.res.ok).toBe(true);
  const [entry] = await listed(admin);
  expect(entry).toMatchObject({ nodeId: dev.id, approvalState: "pending-approval", connected: true });
});

// What a node host sends after hello: node.event (host stats, exec events), runner inventory,
// skills and plugin tools; refused as the published gateway does while its surface awaits approval.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { ConnectParams } from "../../src/protocol/index.ts";
import { newTestDevice, type TestDevice } from "../fixtures/device.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { RawClient } from "../fixtures/ws-client.ts";

let g: TestGateway;
let admin: RawClient;
const open: RawClient[] = [];
beforeAll(async () => {
  g = await startTestGateway();
  admin = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
});
afterAll(async () => {
  for (const c of [admin, ...open]) c.close();
  await g.stop();
});

async function connectNode(d: TestDevice): Promise<RawClient> {
  const c = await RawClient.open(g.url);
  open.push(c);
  const challenge = await c.waitFor((f) => f.event === "connect.challenge");
  const params: ConnectParams = {
    minProtocol: 4, maxProtocol: 4, role: "node", scopes: [], commands: ["system.which"], auth: { token: TEST_TOKEN },
    client: { id: "node-host", version: "test", platform: "linux", mode: "node" },
  };
  expect((await c.request("connect", d.signConnect(params, challenge.payload.nonce))).ok).toBe(true);
  return c;
}

const STATS = { cpuCount: 2, loadAverage: [0.1, 0.2, 0.3], memoryTotalBytes: 8e9, memoryFreeBytes: 4e9, diskTotalBytes: 1e11, diskAvailableBytes: 5e10 };

test("gateway.identity.get: the gateway's own stable identity", async () => {
  const a = (await admin.request("gateway.identity.get", {})).payload;
  expect(a.deviceId).toMatch(/^[0-9a-f]{64}$/);
  expect(a.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect((await admin.request("gateway.identity.get", {})).payload).toEqual(a);
});

test("while the surface awaits approval: stats and runner inventory are refused, skills and tools answered", async () => {
  const dev = newTestDevice();
  const node = await connectNode(dev);
  expect((await node.request("node.event", { event: "node.host.stats", payloadJSON: JSON.stringify(STATS) })).error).toMatchObject({ code: "UNAVAILABLE", retryable: true, details: { code: "PAIRING_CHANGED" } });
  const inv = await node.request("node.runnerInventory.update", { protocolFeatures: ["node-worker-supervisor-v6"], workerHost: { enabled: false } });
  expect(inv.error?.message).toStartWith("node capability surface is awaiting operator approval; run `openclaw nodes approve ");
  expect((await node.request("node.skills.update", { skills: [] })).payload).toEqual({ nodeId: dev.id, skills: [] });
  expect((await node.request("node.pluginTools.update", { tools: [] })).payload).toEqual({ nodeId: dev.id, tools: [] });
});

test("once approved: host stats are saved and broadcast; exec events accepted; unknown events not handled", async () => {
  const dev = newTestDevice();
  const node = await connectNode(dev);
  const pending = (await admin.request("node.pair.list", {})).payload.pending.find((p: { nodeId: string }) => p.nodeId === dev.id);
  await admin.request("node.pair.approve", { requestId: pending.requestId });
  expect((await node.request("node.runnerInventory.update", {})).payload).toEqual({ nodeId: dev.id });
  const stats = await node.request("node.event", { event: "node.host.stats", payloadJSON: JSON.stringify(STATS) });
  expect(stats.payload).toEqual({ ok: true, event: "node.host.stats", handled: true, reason: "updated" });
  const broadcast = await admin.waitFor((f) => f.event === "node.hostStats" && f.payload.nodeId === dev.id);
  expect(broadcast.payload.hostStats).toMatchObject({ ...STATS, updatedAtMs: expect.any(Number) });
  expect((await admin.request("node.describe", { nodeId: dev.id })).payload.hostStats).toMatchObject(STATS);
  expect((await node.request("node.event", { event: "node.host.stats", payloadJSON: "{not json" })).payload).toEqual({ ok: true, event: "node.host.stats", handled: false, reason: "invalid_payload" });
  expect((await node.request("node.event", { event: "exec.finished", payloadJSON: JSON.stringify({ command: "echo hi", exitCode: 0 }) })).payload).toEqual({ ok: true });
  expect((await node.request("node.event", { event: "something.else" })).payload).toEqual({ ok: true, event: "something.else", handled: false, reason: "unsupported_event" });
  expect((await admin.request("node.event", { event: "node.host.stats" })).error?.message).toBe("unauthorized role: operator");
});

// Device pairing (gate 1) over real sockets: silent local approval, the pending path with its
// events, approval by an admin, device tokens (reconnect, rotate, revoke), reject and remove.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
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

async function gateway(autoApproveLocal?: boolean): Promise<TestGateway> {
  const nodes = autoApproveLocal === undefined ? {} : { nodes: { pairing: { autoApproveLocal } } };
  const g = await startTestGateway({ config: { gateway: { mode: "local", ...nodes } } });
  started.push(g);
  return g;
}

const nodeParams = (auth: ConnectParams["auth"] = { token: TEST_TOKEN }): ConnectParams => ({
  minProtocol: 4, maxProtocol: 4, role: "node", scopes: [],
  client: { id: "node-host", version: "test", platform: "linux", deviceFamily: "Linux", mode: "node", displayName: "box", instanceId: crypto.randomUUID() },
  auth,
});

/** A signed connect on a fresh socket: the connect res and the client. */
async function connectDevice(g: TestGateway, dev: TestDevice, params = nodeParams()): Promise<{ c: RawClient; res: Frame }> {
  const c = await RawClient.open(g.url);
  clients.push(c);
  const challenge = await c.waitFor((f) => f.event === "connect.challenge");
  const res = await c.request("connect", dev.signConnect(params, challenge.payload.nonce));
  return { c, res };
}

async function operator(g: TestGateway, scopes = ["operator.admin"]): Promise<RawClient> {
  const c = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes });
  clients.push(c);
  return c;
}

describe("silent local pairing", () => {
  test("a loopback node with the token is paired at once and gets its device token in hello-ok", async () => {
    const g = await gateway();
    const admin = await operator(g);
    const dev = newTestDevice();
    const { res } = await connectDevice(g, dev);
    expect(res.ok).toBe(true);
    expect(res.payload.auth).toMatchObject({ method: "token", role: "node", scopes: [] });
    expect(res.payload.auth.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.payload.auth.issuedAtMs).toBeGreaterThan(0);
    const resolved = await admin.waitFor((f) => f.event === "device.pair.resolved");
    expect(resolved.payload).toMatchObject({ deviceId: dev.id, decision: "approved" });
    const list = (await admin.request("device.pair.list", {})).payload;
    expect(list.paired).toHaveLength(1);
    expect(list.paired[0]).toMatchObject({ deviceId: dev.id, roles: ["node"], approvedVia: "silent", connected: true, displayName: "box" });
    expect(JSON.stringify(list)).not.toContain(res.payload.auth.deviceToken);

    // The device token alone is enough next time, and comes back as the same token.
    const again = await connectDevice(g, dev, nodeParams({ deviceToken: res.payload.auth.deviceToken }));
    expect(again.res.payload.auth).toMatchObject({ method: "device-token", deviceToken: res.payload.auth.deviceToken });
    const wrong = await connectDevice(g, dev, nodeParams({ deviceToken: "x".repeat(43) }));
    expect(wrong.res.error).toMatchObject({ code: "INVALID_REQUEST", message: "unauthorized: device token mismatch (rotate/reissue device token)", details: { code: "AUTH_DEVICE_TOKEN_MISMATCH" } });
  });

  test("a wrong shared token with a device says a device token may be retried", async () => {
    const g = await gateway();
    const { res, c } = await connectDevice(g, newTestDevice(), nodeParams({ token: "wrong-token-0000000000" }));
    expect(res.error).toMatchObject({
      message: "unauthorized: gateway token mismatch (provide gateway auth token)",
      details: { code: "AUTH_TOKEN_MISMATCH", canRetryWithDeviceToken: true, recommendedNextStep: "retry_with_device_token" },
    });
    expect((await c.waitClose()).code).toBe(1008);
  });
});

describe("the pending path (gateway.nodes.pairing.autoApproveLocal: false)", () => {
  test("NOT_PAIRED with a requestId; a retry reuses it; an admin approves; the next connect gets the token", async () => {
    const g = await gateway(false);
    const admin = await operator(g);
    const dev = newTestDevice();
    const first = await connectDevice(g, dev);
    expect(first.res.error).toMatchObject({
      code: "NOT_PAIRED", message: "pairing required: device is not approved yet",
      details: { code: "PAIRING_REQUIRED", reason: "not-paired", deviceId: dev.id, requestedRole: "node" },
    });
    const requestId = first.res.error!.details.requestId;
    expect(await first.c.waitClose()).toEqual({ code: 1008, reason: `pairing required: device is not approved yet (requestId: ${requestId})` });
    const requested = await admin.waitFor((f) => f.event === "device.pair.requested");
    expect(requested.payload).toMatchObject({ requestId, deviceId: dev.id, publicKey: dev.publicKey, role: "node", roles: ["node"], silent: false, isRepair: false });

    const retry = await connectDevice(g, dev);
    expect(retry.res.error?.details?.requestId).toBe(requestId);
    expect((await admin.request("device.pair.list", {})).payload.pending.map((r: { requestId: string }) => r.requestId)).toEqual([requestId]);

    // Pairing scope alone may not let a key act as a node.
    const pairer = await operator(g, ["operator.pairing"]);
    expect((await pairer.request("device.pair.approve", { requestId })).error).toMatchObject({ code: "INVALID_REQUEST", message: "device pairing approval denied" });

    const approved = await admin.request("device.pair.approve", { requestId });
    expect(approved.payload).toMatchObject({ requestId, device: { deviceId: dev.id, roles: ["node"], approvedVia: "owner" } });
    expect((await admin.waitFor((f) => f.event === "device.pair.resolved" && f.payload.requestId === requestId)).payload).toMatchObject({ decision: "approved" });
    const after = await connectDevice(g, dev);
    expect(after.res.ok).toBe(true);
    expect(after.res.payload.auth.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test("reject ends the request; the device's next connect opens a new one", async () => {
    const g = await gateway(false);
    const admin = await operator(g);
    const dev = newTestDevice();
    const requestId = (await connectDevice(g, dev)).res.error!.details.requestId;
    expect((await admin.request("device.pair.reject", { requestId })).payload).toEqual({ requestId, deviceId: dev.id });
    expect((await admin.waitFor((f) => f.event === "device.pair.resolved" && f.payload.requestId === requestId)).payload.decision).toBe("rejected");
    expect((await admin.request("device.pair.reject", { requestId })).error?.message).toBe(`unknown requestId: ${requestId}`);
    const next = (await connectDevice(g, dev)).res.error!.details.requestId;
    expect(next).not.toBe(requestId);
  });
});

describe("tokens and removal", () => {
  test("rotate retires the device token; the device's next shared-token connect receives the new one", async () => {
    const g = await gateway();
    const admin = await operator(g);
    const dev = newTestDevice();
    const old = (await connectDevice(g, dev)).res.payload.auth.deviceToken;
    const rotated = await admin.request("device.token.rotate", { deviceId: dev.id, role: "node" });
    expect(rotated.payload).toMatchObject({ deviceId: dev.id, role: "node", scopes: [], tokenDelivery: "withheld-cross-device" });
    expect((await connectDevice(g, dev, nodeParams({ deviceToken: old }))).res.error?.details?.code).toBe("AUTH_DEVICE_TOKEN_MISMATCH");
    const fresh = (await connectDevice(g, dev)).res.payload.auth.deviceToken;
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(fresh).not.toBe(old);
    expect((await connectDevice(g, dev, nodeParams({ deviceToken: fresh }))).res.ok).toBe(true);
  });

  test("revoke closes the node 4001 'device removed'; even on loopback it must be approved again (role-upgrade)", async () => {
    const g = await gateway();
    const admin = await operator(g);
    const dev = newTestDevice();
    const { c } = await connectDevice(g, dev);
    expect((await admin.request("device.token.revoke", { deviceId: dev.id, role: "node" })).payload).toMatchObject({ deviceId: dev.id, role: "node" });
    expect(await c.waitClose()).toEqual({ code: 4001, reason: "device removed" });
    const again = await connectDevice(g, dev);
    expect(again.res.error).toMatchObject({
      message: "pairing required: device is asking for a higher role than currently approved",
      details: { code: "PAIRING_REQUIRED", reason: "role-upgrade", approvedRoles: [] },
    });
  });

  test("remove forgets the device and disconnects it; unknown ids are refused", async () => {
    const g = await gateway();
    const admin = await operator(g);
    const dev = newTestDevice();
    const { c } = await connectDevice(g, dev);
    expect((await admin.request("device.pair.remove", { deviceId: dev.id })).payload).toEqual({ deviceId: dev.id });
    expect((await c.waitClose()).code).toBe(4001);
    expect((await admin.request("device.pair.list", {})).payload.paired).toEqual([]);
    expect((await admin.request("device.pair.remove", { deviceId: dev.id })).error?.message).toBe(`unknown deviceId: ${dev.id}`);
    expect((await admin.request("device.token.revoke", { deviceId: dev.id, role: "node" })).error?.code).toBe("INVALID_REQUEST");
  });

  test("pairing events and methods need operator.pairing", async () => {
    const g = await gateway(false);
    const reader = await operator(g, ["operator.read"]);
    expect((await reader.request("device.pair.list", {})).error).toMatchObject({ code: "FORBIDDEN", message: "missing scope: operator.pairing" });
    await connectDevice(g, newTestDevice());
    const admin = await operator(g);
    expect((await admin.request("device.pair.list", {})).payload.pending).toHaveLength(1);
    expect(reader.events("device.pair.requested")).toEqual([]);
  });
});

describe("the pairing store opens when a device first shows up", () => {
  test("no device, no pairing.sqlite; the first device creates it", async () => {
    const g = await gateway();
    const path = join(g.dir, "state", "pairing.sqlite");
    await operator(g);
    expect(existsSync(path)).toBe(false);
    expect((await connectDevice(g, newTestDevice())).res.ok).toBe(true);
    expect(existsSync(path)).toBe(true);
  });

  test("a store that cannot be opened refuses the device with UNAVAILABLE and the gateway keeps serving", async () => {
    const g = await gateway();
    // A directory where the database file should be: SQLite cannot open it.
    mkdirSync(join(g.dir, "state", "pairing.sqlite"), { recursive: true });
    const { res, c } = await connectDevice(g, newTestDevice());
    expect(res.error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(res.error!.message).toStartWith("device pairing store unavailable:");
    expect((await c.waitClose()).code).toBe(1008);
    const admin = await operator(g);
    expect((await admin.request("health")).ok).toBe(true);
  });
});

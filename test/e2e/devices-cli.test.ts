// `openclaw devices …` (the real CLI, spawned) against a gateway in this process whose pairing is
// manual: a device asks, the operator lists, approves, rejects, rotates, revokes and removes.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { join, resolve } from "node:path";
import type { ConnectParams } from "../../src/protocol/index.ts";
import { newTestDevice, type TestDevice } from "../fixtures/device.ts";
import { startTestGateway, tempDir, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { RawClient, type Frame } from "../fixtures/ws-client.ts";

setDefaultTimeout(60_000);

const ROOT = resolve(import.meta.dir, "../..");
let gw: TestGateway;
let home: string;
beforeAll(async () => {
  gw = await startTestGateway({ config: { gateway: { mode: "local", nodes: { pairing: { autoApproveLocal: false } } } } });
  home = tempDir("devices-cli-");
});
afterAll(async () => {
  await gw.stop();
});

async function cli(args: string[]) {
  const proc = Bun.spawn([process.execPath, join(ROOT, "src/main.ts"), "devices", ...args, "--url", gw.url, "--token", TEST_TOKEN], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const nodeParams: ConnectParams = {
  minProtocol: 4, maxProtocol: 4, role: "node", scopes: [], auth: { token: TEST_TOKEN },
  client: { id: "node-host", version: "test", platform: "linux", mode: "node", displayName: "laptop" },
};

async function connectDevice(dev: TestDevice): Promise<{ c: RawClient; res: Frame }> {
  const c = await RawClient.open(gw.url);
  const challenge = await c.waitFor((f) => f.event === "connect.challenge");
  return { c, res: await c.request("connect", dev.signConnect(nodeParams, challenge.payload.nonce)) };
}

test("list → approve (the CLI asks for admin for a node) → the device connects; rotate and revoke print JSON", async () => {
  const dev = newTestDevice();
  const asked = await connectDevice(dev);
  const requestId = asked.res.error!.details.requestId as string;

  const list = await cli(["list"]);
  expect(list.code).toBe(0);
  expect(list.stdout).toContain("Pending: 1 · Paired: 0");
  expect(list.stdout).toContain(requestId);
  expect(list.stdout).toContain(dev.id);
  const json = JSON.parse((await cli(["list", "--json"])).stdout);
  expect(json.pending[0]).toMatchObject({ requestId, deviceId: dev.id, role: "node", displayName: "laptop" });

  const preview = await cli(["approve"]);
  expect(preview.code).toBe(1);
  expect(preview.stdout).toContain(requestId);

  const approve = await cli(["approve", requestId]);
  expect(approve.stdout.trim()).toBe(`Approved ${dev.id} (${requestId})`);
  expect(approve.code).toBe(0);
  const { c, res } = await connectDevice(dev);
  expect(res.ok).toBe(true);

  const rotate = await cli(["rotate", "--device", dev.id, "--role", "node"]);
  expect(JSON.parse(rotate.stdout)).toMatchObject({ deviceId: dev.id, role: "node", tokenDelivery: "withheld-cross-device" });
  const revoke = await cli(["revoke", "--device", dev.id, "--role", "node"]);
  expect(JSON.parse(revoke.stdout)).toMatchObject({ deviceId: dev.id, role: "node" });
  expect((await c.waitClose()).code).toBe(4001);

  const removed = await cli(["remove", dev.id]);
  expect(removed.stdout.trim()).toBe(`Removed ${dev.id}`);
});

test("reject, and errors as JSON with exit 1", async () => {
  const dev = newTestDevice();
  const requestId = (await connectDevice(dev)).res.error!.details.requestId as string;
  const reject = await cli(["reject", requestId]);
  expect(reject.stdout.trim()).toBe(`Rejected ${requestId}`);
  const again = await cli(["reject", requestId, "--json"]);
  expect(again.code).toBe(1);
  expect(JSON.parse(again.stdout)).toEqual({
    ok: false,
    error: { type: "gateway_request_error", code: "INVALID_REQUEST", message: `unknown requestId: ${requestId}`, retryable: false },
  });
  const missing = await cli(["remove"]);
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toContain("Missing <deviceId>");
});

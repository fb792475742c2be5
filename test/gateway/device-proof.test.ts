// The device proof on a real socket: checked before shared-secret auth, each failure answered with
// INVALID_REQUEST, its DEVICE_AUTH_* detail code and reason, then close 1008 with the message.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ConnectParams } from "../../src/protocol/index.ts";
import { newTestDevice } from "../fixtures/device.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { RawClient } from "../fixtures/ws-client.ts";

let g: TestGateway;
beforeAll(async () => {
  g = await startTestGateway();
});
afterAll(async () => {
  await g.stop();
});

const dev = newTestDevice();
const params = (token = TEST_TOKEN): ConnectParams => ({
  minProtocol: 4, maxProtocol: 4, role: "operator", scopes: ["operator.read"],
  client: { id: "cli", version: "test", platform: "linux", mode: "cli", instanceId: crypto.randomUUID() },
  auth: { token },
});

async function open(): Promise<{ c: RawClient; nonce: string }> {
  const c = await RawClient.open(g.url);
  const challenge = await c.waitFor((f) => f.event === "connect.challenge");
  return { c, nonce: challenge.payload.nonce };
}

test("a valid proof with the right token gets hello-ok", async () => {
  const { c, nonce } = await open();
  const res = await c.request("connect", dev.signConnect(params(), nonce));
  expect(res.ok).toBe(true);
  expect(res.payload.type).toBe("hello-ok");
  c.close();
});

describe("refused proofs", () => {
  const cases: Array<[string, (nonce: string) => ConnectParams, string, string]> = [
    ["a forged id", (n) => { const p = dev.signConnect(params(), n); return { ...p, device: { ...p.device!, id: "a".repeat(64) } }; }, "device identity mismatch", "DEVICE_AUTH_DEVICE_ID_MISMATCH"],
    ["a stale signature", (n) => dev.signConnect(params(), n, { signedAt: Date.now() - 300_000 }), "device signature expired", "DEVICE_AUTH_SIGNATURE_EXPIRED"],
    ["a blank nonce", () => dev.signConnect(params(), "  "), "device nonce required", "DEVICE_AUTH_NONCE_REQUIRED"],
    ["a forged signature", (n) => { const p = dev.signConnect(params(), n); return { ...p, scopes: ["operator.admin"] }; }, "device signature invalid", "DEVICE_AUTH_SIGNATURE_INVALID"],
  ];
  for (const [name, build, message, code] of cases) {
    test(`${name} → ${code}, close 1008`, async () => {
      const { c, nonce } = await open();
      const res = await c.request("connect", build(nonce));
      expect(res.ok).toBe(false);
      expect(res.error).toMatchObject({ code: "INVALID_REQUEST", message, details: { code } });
      expect(await c.waitClose()).toEqual({ code: 1008, reason: message });
    });
  }

  test("a proof replayed on another socket (its nonce) → DEVICE_AUTH_NONCE_MISMATCH", async () => {
    const first = await open();
    const signed = dev.signConnect(params(), first.nonce);
    const second = await open();
    const res = await second.c.request("connect", signed);
    expect(res.error?.details?.code).toBe("DEVICE_AUTH_NONCE_MISMATCH");
    first.c.close();
  });

  test("the proof is checked before the shared secret: a bad proof with a wrong token is a proof failure", async () => {
    const { c, nonce } = await open();
    const p = dev.signConnect(params("wrong-token-0000000000"), nonce, { signedAt: 0 });
    expect((await c.request("connect", p)).error?.details?.code).toBe("DEVICE_AUTH_SIGNATURE_EXPIRED");
  });
});

// The Control UI's device connect: a page served by this gateway and opened on this machine is
// paired silently (as the published gateway does), gets the scopes it asked for and a device
// token it can reconnect with; a page on any other origin waits for an owner's approval, and a
// foreign non-loopback page is still refused by the origin check.
import { afterEach, describe, expect, test } from "bun:test";
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

const UI_SCOPES = ["operator.admin", "operator.read", "operator.write", "operator.approvals", "operator.pairing"];

async function gateway(extra: object = {}): Promise<TestGateway> {
  const g = await startTestGateway({ config: { gateway: { mode: "local", ...extra } } });
  started.push(g);
  return g;
}

const uiParams = (auth: ConnectParams["auth"]): ConnectParams => ({
  minProtocol: 4, maxProtocol: 4, role: "operator", scopes: UI_SCOPES, caps: ["tool-events"],
  client: { id: "openclaw-control-ui", version: "test", platform: "Linux x86_64", mode: "webchat", instanceId: crypto.randomUUID() },
  ...(auth ? { auth } : {}),
});

/** `auth` null: no secret at all. */
async function connectPage(g: TestGateway, dev: TestDevice, origin: string, auth: ConnectParams["auth"] | null = { token: TEST_TOKEN, password: TEST_TOKEN }): Promise<{ c: RawClient; res: Frame }> {
  const c = await RawClient.open(g.url, { Origin: origin });
  clients.push(c);
  const challenge = await c.waitFor((f) => f.event === "connect.challenge");
  const res = await c.request("connect", dev.signConnect(uiParams(auth ?? undefined), challenge.payload.nonce, { version: "v2" }));
  return { c, res };
}

describe("a Control UI page on this machine", () => {
  for (const page of ["own origin", "localhost dev server"]) {
    test(`${page}: paired silently with the scopes it asked for, then reconnects with its device token`, async () => {
      const g = await gateway();
      const origin = page === "own origin" ? `http://127.0.0.1:${g.port}` : "http://localhost:5173";
      const dev = newTestDevice();
      const { c, res } = await connectPage(g, dev, origin);
      expect(res.ok).toBe(true);
      expect(res.payload.auth).toMatchObject({ method: "token", role: "operator", scopes: UI_SCOPES });
      const deviceToken = res.payload.auth.deviceToken as string;
      expect(deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // Write scope works: the page can chat.
      expect((await c.request("sessions.list", {})).ok).toBe(true);

      const again = await connectPage(g, dev, origin, { deviceToken });
      expect(again.res.ok).toBe(true);
      expect(again.res.payload.auth).toMatchObject({ method: "device-token", scopes: UI_SCOPES });
    });
  }

  test("without a secret the page is told the token is missing; a wrong one is a mismatch", async () => {
    const g = await gateway();
    const origin = `http://127.0.0.1:${g.port}`;
    const missing = await connectPage(g, newTestDevice(), origin, null);
    expect(missing.res.error?.details?.code).toBe("AUTH_TOKEN_MISSING");
    expect((await missing.c.waitClose()).code).toBe(1008);
    const wrong = await connectPage(g, newTestDevice(), origin, { token: "nope", password: "nope" });
    expect(wrong.res.error?.details?.code).toBe("AUTH_TOKEN_MISMATCH");
  });

  test("with autoApproveLocal off the page waits for approval (PAIRING_REQUIRED with a request id), then gets in", async () => {
    const g = await gateway({ nodes: { pairing: { autoApproveLocal: false } } });
    const dev = newTestDevice();
    const origin = `http://127.0.0.1:${g.port}`;
    const first = await connectPage(g, dev, origin);
    expect(first.res.ok).toBe(false);
    expect(first.res.error).toMatchObject({ code: "NOT_PAIRED", details: { code: "PAIRING_REQUIRED", reason: "not-paired" } });
    const requestId = first.res.error!.details.requestId as string;
    expect(requestId).toBeTruthy();
    const admin = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
    clients.push(admin);
    expect((await admin.request("device.pair.approve", { requestId })).ok).toBe(true);
    const after = await connectPage(g, dev, origin);
    expect(after.res.ok).toBe(true);
    expect(after.res.payload.auth.scopes).toEqual(UI_SCOPES);
  });

  test("a page on a LAN address allowed by the allowlist is not paired silently", async () => {
    const g = await gateway({ controlUi: { allowedOrigins: ["http://192.168.1.5:8080"] } });
    const { res } = await connectPage(g, newTestDevice(), "http://192.168.1.5:8080");
    expect(res.error?.details?.code).toBe("PAIRING_REQUIRED");
  });

  test("a foreign page is refused by the origin check before any pairing", async () => {
    const g = await gateway();
    const { c, res } = await connectPage(g, newTestDevice(), "http://evil.example");
    expect(res.error?.details?.code).toBe("CONTROL_UI_ORIGIN_NOT_ALLOWED");
    expect((await c.waitClose()).code).toBe(1008);
  });
});

test("a device operator gets only the scopes its pairing approved", async () => {
  const g = await gateway({ nodes: { pairing: { autoApproveLocal: false } } });
  const dev = newTestDevice();
  const admin = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
  clients.push(admin);
  const ask = async (scopes: string[]) => {
    const c = await RawClient.open(g.url);
    clients.push(c);
    const challenge = await c.waitFor((f) => f.event === "connect.challenge");
    const params: ConnectParams = { ...uiParams({ token: TEST_TOKEN }), client: { ...uiParams(undefined).client, id: "openclaw-macos", mode: "ui" }, scopes };
    return c.request("connect", dev.signConnect(params, challenge.payload.nonce));
  };
  const pending = await ask(["operator.read"]);
  expect((await admin.request("device.pair.approve", { requestId: pending.error!.details.requestId })).ok).toBe(true);
  const res = await ask(["operator.read", "operator.admin"]);
  expect(res.ok).toBe(true);
  expect(res.payload.auth.scopes).toEqual(["operator.read"]);
});

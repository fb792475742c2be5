import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HelloOkSchema } from "../../src/protocol/index.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { connectParams, RawClient } from "../fixtures/ws-client.ts";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ handshakeTimeoutMs: 300 });
});
afterAll(() => gw.stop());

async function opened(): Promise<RawClient> {
  const c = await RawClient.open(gw.url);
  await c.waitFor((f) => f.event === "connect.challenge");
  return c;
}

describe("connect.challenge", () => {
  test("is the first frame, has a uuid nonce and a ts, and no seq", async () => {
    const c = await RawClient.open(gw.url);
    const f = await c.waitFor(() => true);
    expect(f.event).toBe("connect.challenge");
    expect(f.payload.nonce).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof f.payload.ts).toBe("number");
    expect(f.seq).toBeUndefined();
    c.close();
  });
});

describe("successful connect", () => {
  test("hello-ok has the full schema shape and the effective scopes", async () => {
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read", "operator.write"] });
    const hello = HelloOkSchema.parse(c.hello);
    expect(hello.protocol).toBe(4);
    expect(hello.features.methods).toContain("system-presence");
    expect(hello.features.methods).toContain("agent");
    expect(hello.features.methods).not.toContain("last-heartbeat");
    expect(hello.features.events).toEqual(expect.arrayContaining(["tick", "presence", "shutdown"]));
    expect(hello.auth).toEqual({ method: "token", role: "operator", scopes: ["operator.read", "operator.write"] });
    expect(hello.policy).toEqual({ maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs: 30000 });
    expect(hello.snapshot.presence.some((p) => p.mode === "gateway" && p.reason === "self")).toBe(true);
    expect(hello.snapshot.stateVersion.presence).toBeGreaterThan(0);
    c.close();
  });

  test("a binary frame holding UTF-8 JSON is accepted as connect", async () => {
    const c = await opened();
    const id = "bin-1";
    c.ws.send(new TextEncoder().encode(JSON.stringify({ type: "req", id, method: "connect", params: connectParams({ token: TEST_TOKEN }) })));
    const res = await c.waitFor((f) => f.id === id);
    expect(res.ok).toBe(true);
    c.close();
  });

  test("requests pipelined right after connect are answered after hello", async () => {
    const c = await opened();
    c.send({ type: "req", id: "c1", method: "connect", params: connectParams({ token: TEST_TOKEN }) });
    c.send({ type: "req", id: "h1", method: "health" });
    c.send({ type: "req", id: "p1", method: "system-presence" });
    const p = await c.waitFor((f) => f.id === "p1");
    expect(p.ok).toBe(true);
    const order = c.frames.filter((f) => f.type === "res").map((f) => f.id);
    expect(order).toEqual(["c1", "h1", "p1"]);
    c.close();
  });

  test("probe and test clients are admitted with no scopes; probes may speak protocol 3", async () => {
    const probe = await RawClient.connect(gw.url, { token: TEST_TOKEN, clientId: "cli", mode: "probe", minProtocol: 3, maxProtocol: 3 });
    expect(probe.hello.protocol).toBe(3);
    expect(probe.hello.auth.scopes).toEqual([]);
    const t = await RawClient.connect(gw.url, { token: TEST_TOKEN, clientId: "test", mode: "test" });
    expect(t.hello.auth.scopes).toEqual([]);
    expect((await t.request("health")).ok).toBe(true);
    probe.close();
    t.close();
  });
});

describe("handshake failures close the socket the way real clients expect", () => {
  const cases: Array<{ name: string; send: (c: RawClient) => void; code: number; reason?: string; error?: RegExp; detail?: string }> = [
    { name: "a req other than connect first", send: (c) => c.send({ type: "req", id: "x1", method: "health" }), code: 1008, error: /^invalid handshake: first request must be connect$/ },
    { name: "non-req JSON first", send: (c) => c.send({ type: "event", event: "hi" }), code: 1008, reason: "invalid request frame" },
    { name: "text that is not JSON", send: (c) => c.send("{nope"), code: 1000 },
    { name: "binary junk", send: (c) => c.ws.send(new Uint8Array([0xff, 0xfe, 0x00, 0x81])), code: 1000 },
    { name: "connect params missing minProtocol", send: (c) => c.send({ type: "req", id: "x2", method: "connect", params: { ...connectParams({ token: TEST_TOKEN }), minProtocol: undefined } }), code: 1008, error: /invalid connect params: must have required property 'minProtocol'/ },
    { name: "connect params with an unknown property", send: (c) => c.send({ type: "req", id: "x3", method: "connect", params: { ...connectParams({ token: TEST_TOKEN }), bogus: 1 } }), code: 1008, error: /at root: unexpected property 'bogus'/ },
    { name: "an unknown client id", send: (c) => c.send({ type: "req", id: "x4", method: "connect", params: connectParams({ token: TEST_TOKEN, clientId: "evil" }) }), code: 1008, error: /at \/client\/id: must be equal to one of the allowed values/ },
    { name: "a protocol range without 4", send: (c) => c.send({ type: "req", id: "x5", method: "connect", params: connectParams({ token: TEST_TOKEN, minProtocol: 5, maxProtocol: 5 }) }), code: 1002, reason: "protocol mismatch", detail: "PROTOCOL_MISMATCH" },
    { name: "a wrong token", send: (c) => c.send({ type: "req", id: "x6", method: "connect", params: connectParams({ token: "wrong" }) }), code: 1008, error: /^unauthorized: gateway token mismatch/, detail: "AUTH_TOKEN_MISMATCH" },
    { name: "no credentials", send: (c) => c.send({ type: "req", id: "x7", method: "connect", params: connectParams({}) }), code: 1008, reason: "device identity required", detail: "DEVICE_IDENTITY_REQUIRED" },
    { name: "a node without a device identity", send: (c) => c.send({ type: "req", id: "x8", method: "connect", params: connectParams({ token: TEST_TOKEN, role: "node", clientId: "node-host", mode: "node", scopes: [] }) }), code: 1008, detail: "DEVICE_IDENTITY_REQUIRED" },
    { name: "a pre-connect frame over 64 KiB", send: (c) => c.send("x".repeat(70_000)), code: 1009 },
    { name: "64 KiB counted in bytes: 30,000 three-byte characters (90,000 bytes)", send: (c) => c.send("中".repeat(30_000)), code: 1009 },
  ];
  for (const k of cases) {
    test(k.name, async () => {
      const c = await opened();
      k.send(c);
      const closed = await c.waitClose();
      expect(closed.code).toBe(k.code);
      if (k.reason !== undefined) expect(closed.reason).toBe(k.reason);
      const res = c.frames.find((f) => f.type === "res");
      if (k.error || k.detail) {
        expect(res?.ok).toBe(false);
        if (k.error) expect(res!.error!.message).toMatch(k.error);
        if (k.detail) expect(res!.error!.details.code).toBe(k.detail);
        // The reason repeats the error text (capped at 123 bytes by the WebSocket spec).
        if (k.error) expect(res!.error!.message.startsWith(closed.reason.replace(/\.\.\.$/, ""))).toBe(true);
      } else {
        expect(res).toBeUndefined();
      }
    });
  }

  test("silence after open is closed with 1000 at the handshake timeout", async () => {
    // Timed from before the socket opens, so however late this side sees the open (a busy machine),
    // the gateway's 300 ms timer started after t0: the close cannot come sooner than that.
    const t0 = Date.now();
    const c = await opened();
    const closed = await c.waitClose();
    expect(closed.code).toBe(1000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });
});

describe("password auth", () => {
  test("accepts the password, refuses a wrong one with AUTH_PASSWORD_MISMATCH", async () => {
    const pw = await startTestGateway({ auth: { mode: "password", password: "hunter2-hunter2" } });
    try {
      const ok = await RawClient.connect(pw.url, { password: "hunter2-hunter2" });
      expect(ok.hello.auth.method).toBe("password");
      ok.close();
      const err = await RawClient.connect(pw.url, { password: "nope" }).catch((e) => e.res);
      expect(err.error.details.code).toBe("AUTH_PASSWORD_MISMATCH");
      const tokenInstead = await RawClient.connect(pw.url, { token: "hunter2-hunter2" }).catch((e) => e.res);
      expect(tokenInstead.ok).toBe(false);
    } finally {
      await pw.stop();
    }
  });

  test("auth mode none admits a client without credentials", async () => {
    const open = await startTestGateway({ auth: { mode: "none" } });
    try {
      const c = await RawClient.connect(open.url, {});
      expect(c.hello.auth.method).toBe("none");
      c.close();
    } finally {
      await open.stop();
    }
  });
});

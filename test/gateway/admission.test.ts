// Hostile traffic on the WebSocket door: a budget for sockets that never authenticate (per address
// and in total, answered 503 before any WebSocket state), and failed guesses locking an address out
// through the limiter the HTTP door uses too.
import { afterAll, describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway, type TestGatewayOptions } from "../fixtures/gateway.ts";
import { rawUpgrade, type RawUpgrade } from "../fixtures/raw-upgrade.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

const started: TestGateway[] = [];
const sockets: RawUpgrade[] = [];
afterAll(async () => {
  for (const s of sockets) s.socket.destroy();
  for (const g of started) await g.stop();
});

async function gateway(gatewayConfig: NonNullable<OpenClawConfig["gateway"]>, opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const g = await startTestGateway({ ...opts, config: { gateway: { mode: "local", ...gatewayConfig } } });
  started.push(g);
  return g;
}

async function hold(port: number, localAddress: string): Promise<RawUpgrade> {
  const u = await rawUpgrade(port, { localAddress });
  sockets.push(u);
  return u;
}

describe("the unauthenticated budget", () => {
  test("per address: beyond it the upgrade gets 503 + Retry-After; other addresses are unaffected", async () => {
    const g = await gateway({ handshake: { maxPendingPerAddress: 3, maxPendingTotal: 100 } });
    for (let i = 0; i < 3; i++) expect((await hold(g.port, "127.0.0.2")).status).toBe(101);
    const refused = await hold(g.port, "127.0.0.2");
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("1");
    expect(g.runtime.admission.heldBy("127.0.0.2")).toBe(3);
    // Another address, and a real client from it, still get in.
    expect((await hold(g.port, "127.0.0.3")).status).toBe(101);
    const c = await RawClient.connect(g.url, { token: TEST_TOKEN });
    expect(c.hello.type).toBe("hello-ok");
    c.close();
  });

  test("in total: beyond it every address gets 503", async () => {
    const g = await gateway({ handshake: { maxPendingPerAddress: 100, maxPendingTotal: 2 } });
    expect((await hold(g.port, "127.0.0.4")).status).toBe(101);
    expect((await hold(g.port, "127.0.0.5")).status).toBe(101);
    expect((await hold(g.port, "127.0.0.6")).status).toBe(503);
  });

  test("completing connect, closing, or the handshake timeout gives the slot back", async () => {
    const g = await gateway({ handshake: { maxPendingPerAddress: 1 } }, { handshakeTimeoutMs: 300 });
    // connect completes: the socket is no longer unauthenticated.
    const c = await RawClient.connect(g.url, { token: TEST_TOKEN });
    expect(g.runtime.admission.total).toBe(0);
    // closed by the client.
    const a = await hold(g.port, "127.0.0.7");
    expect(g.runtime.admission.heldBy("127.0.0.7")).toBe(1);
    a.socket.destroy();
    await waitUntil(() => g.runtime.admission.heldBy("127.0.0.7") === 0, "the slot of 127.0.0.7 to be free");
    // never authenticates: closed at the handshake timeout, and the slot is free again.
    const b = await hold(g.port, "127.0.0.7");
    await b.closed;
    await waitUntil(() => g.runtime.admission.heldBy("127.0.0.7") === 0, "the slot of 127.0.0.7 to be free");
    expect((await hold(g.port, "127.0.0.7")).status).toBe(101);
    expect((await c.request("health")).ok).toBe(true);
    c.close();
  });

  test("the budget hot-applies from gateway.handshake", async () => {
    const g = await gateway({ handshake: { maxPendingPerAddress: 1 } });
    expect((await hold(g.port, "127.0.0.8")).status).toBe(101);
    expect((await hold(g.port, "127.0.0.8")).status).toBe(503);
    const config = { gateway: { mode: "local" as const, handshake: { maxPendingPerAddress: 5 } } };
    g.applyConfig({ loaded: { ...g.runtime.loaded, config }, config, auth: g.runtime.auth });
    expect((await hold(g.port, "127.0.0.8")).status).toBe(101);
  });
});

describe("failed authentication locks an address out (one limiter for both doors)", () => {
  const LIMITS = { maxAttempts: 3, windowMs: 60_000, lockoutMs: 1_500, exemptLoopback: false };
  const HTTP_ON = { endpoints: { chatCompletions: { enabled: true } } };

  async function wrong(g: TestGateway) {
    const c = await RawClient.open(g.url);
    await c.waitFor((f) => f.event === "connect.challenge");
    const res = await c.request("connect", connectWith("wrong-token-0000000000"));
    await c.waitClose();
    return res;
  }

  function connectWith(token: string) {
    return {
      minProtocol: 4, maxProtocol: 4, role: "operator", scopes: ["operator.read"], auth: { token },
      client: { id: "cli", version: "test", platform: "linux", mode: "cli", instanceId: crypto.randomUUID() },
    };
  }

  test("after maxAttempts wrong tokens: even the right one is refused, then it works again", async () => {
    const g = await gateway({ auth: { rateLimit: LIMITS }, http: HTTP_ON });
    for (let i = 0; i < 3; i++) expect((await wrong(g)).error?.details?.code).toBe("AUTH_TOKEN_MISMATCH");

    // New upgrades are refused before any WebSocket state: 429 + Retry-After.
    const up = await rawUpgrade(g.port);
    sockets.push(up);
    expect(up.status).toBe(429);
    expect(Number(up.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    // The HTTP door shares the lockout.
    const http = await fetch(`http://127.0.0.1:${g.port}/v1/models`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(http.status).toBe(429);

    await waitUntil(() => g.runtime.limiter.retryAfterMs("127.0.0.1", LIMITS) === 0, "the lockout to end");
    const c = await RawClient.connect(g.url, { token: TEST_TOKEN });
    expect(c.hello.auth.method).toBe("token");
    c.close();
  });

  test("connect on a socket opened before the lockout gets AUTH_RATE_LIMITED, retryable, with retryAfterMs", async () => {
    const g = await gateway({ auth: { rateLimit: LIMITS } });
    const early = await RawClient.open(g.url);
    await early.waitFor((f) => f.event === "connect.challenge");
    for (let i = 0; i < 3; i++) await wrong(g);
    const res = await early.request("connect", connectWith(TEST_TOKEN));
    expect(res.ok).toBe(false);
    expect(res.error).toMatchObject({
      code: "INVALID_REQUEST",
      message: "unauthorized: too many failed authentication attempts (retry later)",
      retryable: true,
      details: { code: "AUTH_RATE_LIMITED", authReason: "rate_limited" },
    });
    expect((res.error as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(0);
    expect((await early.waitClose()).code).toBe(1008);
  });

  test("HTTP failures count toward the WebSocket lockout too", async () => {
    const g = await gateway({ auth: { rateLimit: LIMITS }, http: HTTP_ON });
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${g.port}/v1/models`, { headers: { authorization: "Bearer nope" } });
      expect(res.status).toBe(401);
    }
    const up = await rawUpgrade(g.port);
    sockets.push(up);
    expect(up.status).toBe(429);
  });

  test("loopback keeps its exemption by default", async () => {
    const g = await gateway({});
    for (let i = 0; i < 12; i++) expect((await wrong(g)).error?.details?.code).toBe("AUTH_TOKEN_MISMATCH");
    const c = await RawClient.connect(g.url, { token: TEST_TOKEN });
    expect(c.hello.type).toBe("hello-ok");
    c.close();
  });

  test("a missing credential is not a guess and does not count", async () => {
    const g = await gateway({ auth: { rateLimit: LIMITS } });
    for (let i = 0; i < 5; i++) {
      const c = await RawClient.open(g.url);
      await c.waitFor((f) => f.event === "connect.challenge");
      const res = await c.request("connect", { ...connectWith("x"), auth: undefined });
      expect(res.error?.code).toBe("NOT_PAIRED");
      await c.waitClose();
    }
    const c = await RawClient.connect(g.url, { token: TEST_TOKEN });
    expect(c.hello.type).toBe("hello-ok");
    c.close();
  });
});

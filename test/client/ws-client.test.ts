import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GatewayClient, GatewayRequestError, GatewayTransportError, type GatewayConnectOptions } from "../../src/client/ws-client.ts";
import type { EventFrame } from "../../src/protocol/index.ts";
import { VERSION } from "../../src/version.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { challenge, closedPort, send, startFakeGateway, type FakeGateway } from "./fake-gateway.ts";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

function opts(over: Partial<GatewayConnectOptions> = {}): GatewayConnectOptions {
  return { url: gw.url, token: TEST_TOKEN, scopes: ["operator.read"], clientId: "cli", mode: "cli", timeoutMs: 5000, ...over };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (err: unknown) => err,
  );
}

/** Fake gateways are torn down after each test that uses one. */
async function withFake<T>(fake: FakeGateway, fn: (fake: FakeGateway) => Promise<T>): Promise<T> {
  try {
    return await fn(fake);
  } finally {
    fake.stop();
  }
}

describe("against the real gateway", () => {
  test("connect resolves after hello-ok with the effective scopes", async () => {
    const client = await GatewayClient.connect(opts({ scopes: ["operator.read", "operator.write"] }));
    try {
      expect(client.hello.type).toBe("hello-ok");
      expect(client.hello.protocol).toBe(4);
      expect(client.hello.auth.scopes).toEqual(["operator.read", "operator.write"]);
      expect(client.isOpen).toBe(true);
    } finally {
      client.close();
    }
  });

  test("request returns the payload", async () => {
    const client = await GatewayClient.connect(opts());
    try {
      const health = await client.request<{ ok: boolean; defaultAgentId: string }>("health");
      expect(health.ok).toBe(true);
      expect(health.defaultAgentId).toBe("main");
      const presence = await client.request<unknown[]>("system-presence", {});
      expect(Array.isArray(presence)).toBe(true);
    } finally {
      client.close();
    }
  });

  test("an RPC error becomes GatewayRequestError with code, details and retryable", async () => {
    const client = await GatewayClient.connect(opts());
    try {
      const err = await rejection(client.request("system-event", { text: "hi" }));
      expect(err).toBeInstanceOf(GatewayRequestError);
      const e = err as GatewayRequestError;
      expect(e.code).toBe("FORBIDDEN");
      expect(e.message).toBe("missing scope: operator.admin");
      expect((e.details as { code: string }).code).toBe("MISSING_SCOPE");
      expect(e.retryable).toBe(false);
    } finally {
      client.close();
    }
  });

  test("unknown method with admin scope is INVALID_REQUEST", async () => {
    const client = await GatewayClient.connect(opts({ scopes: ["operator.admin"] }));
    try {
      const err = (await rejection(client.request("nope.nope", {}))) as GatewayRequestError;
      expect(err).toBeInstanceOf(GatewayRequestError);
      expect(err.code).toBe("INVALID_REQUEST");
      expect(err.message).toBe("unknown method: nope.nope");
    } finally {
      client.close();
    }
  });

  test("a wrong token fails connect with AUTH_TOKEN_MISMATCH", async () => {
    const err = (await rejection(GatewayClient.connect(opts({ token: "wrong-token" })))) as GatewayRequestError;
    expect(err).toBeInstanceOf(GatewayRequestError);
    expect(err.code).toBe("INVALID_REQUEST");
    expect((err.details as { code: string }).code).toBe("AUTH_TOKEN_MISMATCH");
  });

  test("no secret at all is NOT_PAIRED", async () => {
    const { token: _omit, ...rest } = opts();
    const err = (await rejection(GatewayClient.connect(rest))) as GatewayRequestError;
    expect(err).toBeInstanceOf(GatewayRequestError);
    expect(err.code).toBe("NOT_PAIRED");
  });

  test("broadcast events reach onEvent listeners", async () => {
    const watcher = await GatewayClient.connect(opts());
    const admin = await GatewayClient.connect(opts({ scopes: ["operator.admin"] }));
    try {
      const presence = new Promise<EventFrame>((resolve) => {
        watcher.onEvent((e) => {
          if (e.event === "presence") resolve(e);
        });
      });
      await admin.request("system-event", { text: "Node: ws-client test", instanceId: crypto.randomUUID() });
      const event = await presence;
      expect(event.stateVersion?.presence).toBeGreaterThan(0);
      expect(typeof event.seq).toBe("number");
    } finally {
      watcher.close();
      admin.close();
    }
  });

  test("requests after close reject with a closed transport error", async () => {
    const client = await GatewayClient.connect(opts());
    client.close();
    const err = (await rejection(client.request("health"))) as GatewayTransportError;
    expect(err).toBeInstanceOf(GatewayTransportError);
    expect(err.kind).toBe("closed");
  });
});

describe("against a scripted server", () => {
  test("connect sends what the published CLI sends, with <n>:<uuid> ids", async () => {
    await withFake(startFakeGateway({ request: (ws, f) => send(ws, { type: "res", id: f.id, ok: true, payload: { pong: true } }) }), async (fake) => {
      const client = await GatewayClient.connect({ ...opts({ url: fake.url, displayName: "gateway:health" }), clientId: "gateway-client", mode: "backend" });
      await client.request("ping");
      client.close();
      const [connect, ping] = fake.received;
      expect(connect.id).toMatch(/^1:[0-9a-f-]{36}$/);
      expect(ping.id).toMatch(/^2:[0-9a-f-]{36}$/);
      expect("params" in ping).toBe(false);
      const p = connect.params;
      expect(p.minProtocol).toBe(4);
      expect(p.maxProtocol).toBe(4);
      expect(p.role).toBe("operator");
      expect(p.caps).toEqual([]);
      expect(p.scopes).toEqual(["operator.read"]);
      expect(p.auth).toEqual({ token: TEST_TOKEN });
      expect(p.client).toMatchObject({ id: "gateway-client", mode: "backend", version: VERSION, platform: process.platform, displayName: "gateway:health" });
      expect(p.client.instanceId).toMatch(/^[0-9a-f-]{36}$/);
      expect(p.device).toBeUndefined();
    });
  });

  test("expectFinal waits past the accepted ack for the final res on the same id", async () => {
    const twoStage = startFakeGateway({
      request(ws, f) {
        send(ws, { type: "res", id: f.id, ok: true, payload: { runId: "r1", status: "accepted", acceptedAt: 1 } });
        setTimeout(() => send(ws, { type: "res", id: f.id, ok: true, payload: { runId: "r1", status: "ok", summary: "completed" } }), 20);
      },
    });
    await withFake(twoStage, async (fake) => {
      const client = await GatewayClient.connect(opts({ url: fake.url }));
      try {
        const acks: unknown[] = [];
        const final = await client.request<{ status: string }>("agent", { message: "hi" }, { expectFinal: true, onAccepted: (p) => acks.push(p) });
        expect(final.status).toBe("ok");
        expect(acks).toEqual([{ runId: "r1", status: "accepted", acceptedAt: 1 }]);
        // Without expectFinal the ack itself settles the request.
        const first = await client.request<{ status: string }>("agent", { message: "again" });
        expect(first.status).toBe("accepted");
      } finally {
        client.close();
      }
    });
  });

  test("a failed final res after the ack rejects with its error", async () => {
    const failing = startFakeGateway({
      request(ws, f) {
        send(ws, { type: "res", id: f.id, ok: true, payload: { status: "accepted" } });
        send(ws, { type: "res", id: f.id, ok: false, payload: { status: "error" }, error: { code: "UNAVAILABLE", message: "boom", retryable: true } });
      },
    });
    await withFake(failing, async (fake) => {
      const client = await GatewayClient.connect(opts({ url: fake.url }));
      try {
        const err = (await rejection(client.request("agent", {}, { expectFinal: true }))) as GatewayRequestError;
        expect(err).toBeInstanceOf(GatewayRequestError);
        expect(err.code).toBe("UNAVAILABLE");
        expect(err.retryable).toBe(true);
        expect(err.payload).toEqual({ status: "error" });
      } finally {
        client.close();
      }
    });
  });

  test("malformed and non-JSON frames are ignored", async () => {
    const noisy = startFakeGateway({
      request(ws, f) {
        send(ws, "not json at all");
        send(ws, { type: "res", id: f.id, ok: false, error: { code: "X" } }); // no message: dropped
        send(ws, { type: "event", event: "", payload: {} }); // empty event name: dropped
        send(ws, { type: "res", id: f.id, ok: true, payload: 42 });
      },
    });
    await withFake(noisy, async (fake) => {
      const client = await GatewayClient.connect(opts({ url: fake.url }));
      try {
        expect(await client.request<number>("x")).toBe(42);
      } finally {
        client.close();
      }
    });
  });

  test("no challenge: connect times out with the budget in the message", async () => {
    await withFake(startFakeGateway({ open: () => {} }), async (fake) => {
      // The fake never sends a challenge: only the 150 ms budget can end this, and the message says it did.
      const err = (await rejection(GatewayClient.connect(opts({ url: fake.url, timeoutMs: 150 })))) as GatewayTransportError;
      expect(err).toBeInstanceOf(GatewayTransportError);
      expect(err.kind).toBe("timeout");
      expect(err.message).toBe("gateway timeout after 150ms");
    });
  });

  test("a request nobody answers times out", async () => {
    await withFake(startFakeGateway({ request: () => {} }), async (fake) => {
      const client = await GatewayClient.connect(opts({ url: fake.url }));
      try {
        const err = (await rejection(client.request("slow", {}, { timeoutMs: 100 }))) as GatewayTransportError;
        expect(err).toBeInstanceOf(GatewayTransportError);
        expect(err.kind).toBe("timeout");
        expect(err.message).toBe("gateway timeout after 100ms");
      } finally {
        client.close();
      }
    });
  });

  test("a challenge without a nonce fails the connect", async () => {
    await withFake(startFakeGateway({ open: (ws) => challenge(ws, "  ") }), async (fake) => {
      const err = (await rejection(GatewayClient.connect(opts({ url: fake.url })))) as GatewayTransportError;
      expect(err).toBeInstanceOf(GatewayTransportError);
      expect(err.kind).toBe("closed");
      expect(err.message).toContain("connect challenge missing nonce");
    });
  });

  test("a close before hello reports its code and reason", async () => {
    await withFake(startFakeGateway({ connect: (ws) => ws.close(1008, "go away") }), async (fake) => {
      const err = (await rejection(GatewayClient.connect(opts({ url: fake.url })))) as GatewayTransportError;
      expect(err).toBeInstanceOf(GatewayTransportError);
      expect(err.kind).toBe("closed");
      expect(err.closeCode).toBe(1008);
      expect(err.message).toBe("gateway closed (1008): go away");
    });
  });

  test("a close after hello rejects pending requests", async () => {
    await withFake(startFakeGateway({ request: (ws) => ws.close(1012, "service restart") }), async (fake) => {
      const client = await GatewayClient.connect(opts({ url: fake.url }));
      const err = (await rejection(client.request("x"))) as GatewayTransportError;
      expect(err.kind).toBe("closed");
      expect(err.message).toContain("1012");
      expect(client.isOpen).toBe(false);
    });
  });
});

test("nothing listening: refused, quickly", async () => {
  const err = (await rejection(GatewayClient.connect(opts({ url: `ws://127.0.0.1:${closedPort()}` })))) as GatewayTransportError;
  expect(err).toBeInstanceOf(GatewayTransportError);
  // "refused", not "timeout": it did not sit out the 5 s connect budget (no wall-clock bound needed).
  expect(err.kind).toBe("refused");
});

test("an invalid URL is refused without throwing synchronously", async () => {
  const err = (await rejection(GatewayClient.connect(opts({ url: "not a url" })))) as GatewayTransportError;
  expect(err).toBeInstanceOf(GatewayTransportError);
  expect(err.kind).toBe("refused");
});

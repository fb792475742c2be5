import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { RawClient } from "../fixtures/ws-client.ts";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ policy: { maxPayload: 200_000 } });
});
afterAll(() => gw.stop());

const as = (scopes: string[], extra = {}) => RawClient.connect(gw.url, { token: TEST_TOKEN, scopes, ...extra });

describe("frames after hello", () => {
  test("text that is not JSON is ignored and the socket keeps working", async () => {
    const c = await as(["operator.read"]);
    c.send("not json at all");
    expect((await c.request("health")).ok).toBe(true);
    expect(c.closed).toBeNull();
    c.close();
  });

  test("a frame that fails the request schema gets INVALID_REQUEST with its own id, or 'invalid'", async () => {
    const c = await as(["operator.read"]);
    c.send({ type: "req", method: "health" });
    const noId = await c.waitFor((f) => f.id === "invalid");
    expect(noId.error).toMatchObject({ code: "INVALID_REQUEST", message: "invalid request frame: must have required property 'id'" });
    c.send({ type: "req", id: "r2", method: "health", junk: true });
    const withId = await c.waitFor((f) => f.id === "r2");
    expect(withId.error!.message).toContain("unexpected property 'junk'");
    expect(c.closed).toBeNull();
    c.close();
  });

  test("a second connect is refused without closing", async () => {
    const c = await as(["operator.read"]);
    const r = await c.request("connect", {});
    expect(r.error).toMatchObject({ code: "INVALID_REQUEST", message: "connect is only valid as the first request" });
    expect((await c.request("health")).ok).toBe(true);
    c.close();
  });

  test("a frame over maxPayload closes with 1009", async () => {
    const c = await as(["operator.read"]);
    c.send({ type: "req", id: "big", method: "health", params: { pad: "x".repeat(250_000) } });
    expect((await c.waitClose()).code).toBe(1009);
  });

  test("concurrent requests with the same id are both answered", async () => {
    const c = await as(["operator.read"]);
    c.send({ type: "req", id: "dup", method: "health" });
    c.send({ type: "req", id: "dup", method: "status" });
    await c.waitFor((f) => c.frames.filter((x) => x.id === "dup").length === 2);
    c.close();
  });
});

describe("authorization", () => {
  test("health is allowed with no scopes at all", async () => {
    const c = await as([]);
    const r = await c.request("health");
    expect(r.ok).toBe(true);
    expect(r.payload.ok).toBe(true);
    c.close();
  });

  test("a missing scope is FORBIDDEN with MISSING_SCOPE details", async () => {
    const c = await as(["operator.read"]);
    const r = await c.request("system-event", { text: "x" });
    expect(r.error).toEqual({
      code: "FORBIDDEN",
      message: "missing scope: operator.admin",
      details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
    });
    const none = await as([]);
    expect((await none.request("status")).error!.message).toBe("missing scope: operator.read");
    c.close();
    none.close();
  });

  test("write implies read, admin implies everything", async () => {
    const w = await as(["operator.write"]);
    expect((await w.request("system-presence")).ok).toBe(true);
    expect((await w.request("system-event", { text: "x" })).ok).toBe(false);
    const a = await as(["operator.admin"]);
    expect((await a.request("system-event", { text: "x" })).ok).toBe(true);
    expect((await a.request("logs.tail", { limit: 1 })).ok).toBe(true);
    w.close();
    a.close();
  });

  test("authorization runs before the method lookup", async () => {
    const reader = await as(["operator.read"]);
    expect((await reader.request("no.such.method")).error!.message).toBe("missing scope: operator.admin");
    const admin = await as(["operator.admin"]);
    expect((await admin.request("no.such.method")).error).toMatchObject({ code: "INVALID_REQUEST", message: "unknown method: no.such.method" });
    reader.close();
    admin.close();
  });

  test("known-but-unimplemented methods keep their scope", async () => {
    const reader = await as(["operator.read"]);
    expect((await reader.request("chat.send", {})).error!.message).toBe("missing scope: operator.write");
    expect((await reader.request("last-heartbeat", {})).error!.message).toBe("unknown method: last-heartbeat");
    reader.close();
  });
});

describe("params validation", () => {
  test("bad params name the method and the problem", async () => {
    const c = await as(["operator.read"]);
    const r = await c.request("logs.tail", { limit: "many" });
    expect(r.error).toMatchObject({ code: "INVALID_REQUEST", message: "invalid logs.tail params: at /limit: must be number" });
    const extra = await c.request("logs.tail", { nope: 1 });
    expect(extra.error!.message).toBe("invalid logs.tail params: at root: unexpected property 'nope'");
    c.close();
  });

  test("missing params count as {}; lenient read methods ignore non-object params", async () => {
    const c = await as(["operator.read"]);
    expect((await c.request("status")).ok).toBe(true);
    expect((await c.request("health", "junk")).ok).toBe(true);
    expect((await c.request("system-presence", [1, 2])).ok).toBe(true);
    expect((await c.request("logs.tail", "junk")).ok).toBe(false);
    c.close();
  });

  test("system-event requires text", async () => {
    const c = await as(["operator.admin"]);
    expect((await c.request("system-event", {})).error!.message).toBe("invalid system-event params: must have required property 'text'");
    c.close();
  });
});

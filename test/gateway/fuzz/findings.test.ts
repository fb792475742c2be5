// Fuzz of the WebSocket door: what the fuzzing found, pinned so every seed keeps checking it.
// Seeded and bounded; see test/fixtures/fuzz.ts for FUZZ_SEED and FUZZ_SCALE.
import { describe, expect, test } from "bun:test";
import type { AgentTestGateway } from "../../fixtures/agent-gateway.ts";
import { fuzz } from "../../fixtures/fuzz.ts";
import { TEST_TOKEN } from "../../fixtures/gateway.ts";
import { RawClient } from "../../fixtures/ws-client.ts";
import { isFinal, useFuzzGateway } from "./harness.ts";

let gw!: AgentTestGateway;
const h = useFuzzGateway((g) => (gw = g));

describe("fuzz findings", () => {
  test("method names that are Object.prototype keys are unknown methods, not scopes", async () => {
    const read = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    const admin = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
    for (const method of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect((await read.request(method, {})).error).toEqual({
        code: "FORBIDDEN",
        message: "missing scope: operator.admin",
        details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
      });
      expect((await admin.request(method, {})).error).toEqual({ code: "INVALID_REQUEST", message: `unknown method: ${method}` });
    }
    read.close();
    admin.close();
  }, 15_000);

  test("params the store cannot take are INVALID_REQUEST, not a handler failure", async () => {
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    const history = await c.request("chat.history", { sessionKey: "main", cursor: "99999999999999999999" });
    expect(history.error?.code).toBe("INVALID_REQUEST");
    expect(history.error?.message).toStartWith("invalid chat.history params: at /cursor");
    expect((await c.request("chat.history", { sessionKey: "main", cursor: "9007199254740991" })).ok).toBe(true);
    const list = await c.request("sessions.list", { agentId: "" });
    expect(list.error).toEqual({ code: "INVALID_REQUEST", message: "invalid sessions.list params: at /agentId: must be at least 1 characters" });
    h.expectNoHandlerErrors();
    c.close();
  }, 15_000);

  test("an idempotencyKey with a NUL is INVALID_REQUEST, not a store failure", async () => {
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
    for (const idempotencyKey of ["\u0000", "\u0000abc", "a\u0000"]) {
      const agent = await c.request("agent", { message: "hello", idempotencyKey, sessionKey: "nul" });
      expect(agent.error).toMatchObject({ code: "INVALID_REQUEST", message: "idempotencyKey must not contain NUL characters" });
      const chat = await c.request("chat.send", { message: "hello", idempotencyKey, sessionKey: "nul" });
      expect(chat.error).toMatchObject({ code: "INVALID_REQUEST", message: "idempotencyKey must not contain NUL characters" });
    }
    h.expectNoHandlerErrors();
    c.close();
  }, 15_000);

  test("a timeout past setTimeout's 2^31-1 ms limit does not fire at once", async () => {
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
    const id = "huge-timeout";
    c.send({ type: "req", id, method: "agent", params: { message: "[slow:3] hello", idempotencyKey: crypto.randomUUID(), timeout: 1e308 } });
    const final = await c.waitFor((f) => isFinal(f, id), 10_000);
    expect(final.ok).toBe(true);
    expect(final.payload.status).toBe("ok");
    c.close();
  }, 15_000);
});

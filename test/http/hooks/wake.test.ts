// POST /hooks/wake: a system event for an agent's main session (channels.md §7).
import { describe, expect, test } from "bun:test";
import { FakeAgents } from "../fake-agents.ts";
import { hookApp } from "./helpers.ts";

describe("POST /hooks/wake", () => {
  test("queues the text for the default agent's main session: {ok, mode:'now', eventOutcome:'queued'}", async () => {
    const t = hookApp();
    const res = await t.post("/hooks/wake", { text: "  The import finished  " });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toEqual({ ok: true, mode: "now", eventOutcome: "queued" });
    expect(t.systemEvents).toHaveLength(1);
    expect(t.systemEvents[0]).toMatchObject({ text: "The import finished", sessionKey: "agent:main:main", source: "hook" });
    expect(typeof t.systemEvents[0]!.ts).toBe("number");
    expect(t.agents.turns).toEqual([]);
  });

  test("the same text as the newest queued event is coalesced, not queued twice", async () => {
    const t = hookApp();
    expect(await (await t.post("/hooks/wake", { text: "ping" })).json()).toMatchObject({ eventOutcome: "queued" });
    expect(await (await t.post("/hooks/wake", { text: "ping", mode: "next-heartbeat" })).json()).toEqual({
      ok: true, mode: "next-heartbeat", eventOutcome: "coalesced",
    });
    expect(await (await t.post("/hooks/wake", { text: "pong" })).json()).toMatchObject({ eventOutcome: "queued" });
    expect(await (await t.post("/hooks/wake", { text: "ping" })).json()).toMatchObject({ eventOutcome: "queued" });
    expect(t.systemEvents.map((e) => e.text)).toEqual(["ping", "pong", "ping"]);
  });

  test("any mode but next-heartbeat is now", async () => {
    const t = hookApp();
    expect(await (await t.post("/hooks/wake", { text: "a", mode: "later" })).json()).toMatchObject({ mode: "now" });
  });

  test.each([
    [{}, "text required"],
    [{ text: "   " }, "text required"],
    [{ text: 42 }, "text required"],
    [{ text: "x", agentId: "" }, "agentId must be a non-empty string"],
    [{ text: "x", agentId: 7 }, "agentId must be a non-empty string"],
    [{ text: "x", agentId: "nope" }, 'unknown agentId "nope"'],
    [{ text: "x", sessionKey: "" }, "sessionKey must be a non-empty string"],
    [{ text: "x", sessionKey: "s", mode: "next-heartbeat" }, "sessionKey requires mode=now"],
    [{ text: "x", sessionKey: "s" }, "sessionKey is disabled for externally supplied hook payload values; set hooks.allowRequestSessionKey=true to enable"],
  ])("%j → 400 %s", async (body, error) => {
    const t = hookApp();
    const res = await t.post("/hooks/wake", body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ ok: false, error });
    expect(t.systemEvents).toEqual([]);
  });

  test("agentId picks the agent (case-insensitive); allowedAgentIds limits it", async () => {
    const t = hookApp({ hooks: { allowedAgentIds: ["research"] } });
    expect((await t.post("/hooks/wake", { text: "r", agentId: "Research" })).status).toBe(200);
    expect(t.systemEvents.at(-1)!.sessionKey).toBe("agent:research:main");
    // The default agent (main) is not on the list either.
    for (const body of [{ text: "m", agentId: "main" }, { text: "m" }]) {
      const res = await t.post("/hooks/wake", body);
      expect([res.status, await res.json()]).toEqual([400, { ok: false, error: "agentId is not allowed by hooks.allowedAgentIds" }]);
    }
  });

  test("allowedAgentIds: [] denies every agent, '*' allows all", async () => {
    expect((await hookApp({ hooks: { allowedAgentIds: [] } }).post("/hooks/wake", { text: "x" })).status).toBe(400);
    expect((await hookApp({ hooks: { allowedAgentIds: ["*"] } }).post("/hooks/wake", { text: "x", agentId: "research" })).status).toBe(200);
  });

  test("a request sessionKey, when allowed, addresses that session of the agent (prefixes apply)", async () => {
    const t = hookApp({ hooks: { allowRequestSessionKey: true, allowedSessionKeyPrefixes: ["hook:", "ops:"] } });
    expect((await t.post("/hooks/wake", { text: "a", sessionKey: "ops:alerts" })).status).toBe(200);
    expect(t.systemEvents.at(-1)!.sessionKey).toBe("agent:main:ops:alerts");
    const res = await t.post("/hooks/wake", { text: "b", sessionKey: "other:x" });
    expect(await res.json()).toEqual({ ok: false, error: "sessionKey must start with one of: hook:, ops:" });
  });

  test("an agent with a custom default id gets its own main session", async () => {
    const agents = new FakeAgents([{ id: "ops", isDefault: true }]);
    const t = hookApp({ agents });
    await t.post("/hooks/wake", { text: "x" });
    expect(t.systemEvents[0]!.sessionKey).toBe("agent:ops:main");
  });

  test("without a queue from the gateway the route still answers", async () => {
    const { createHttpApp } = await import("../../../src/http/app.ts");
    const app = createHttpApp({
      config: () => ({ hooks: { enabled: true, token: "t" } }),
      auth: () => ({ mode: "token", token: "g" }),
      agents: new FakeAgents(),
      uptimeMs: () => 0,
      isDraining: () => false,
    });
    const res = await app.request("/hooks/wake", { method: "POST", body: '{"text":"x"}', headers: { authorization: "Bearer t" } });
    expect(await res.json()).toEqual({ ok: true, mode: "now", eventOutcome: "queued" });
  });
});

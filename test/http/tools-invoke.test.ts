import { describe, expect, test } from "bun:test";
import { HTTP_DENIED_TOOLS, httpToolAllowed } from "../../src/agents/tools/registry.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { FakeAgents } from "./fake-agents.ts";
import { OPEN_CONFIG, testApp } from "./helpers.ts";

const URL_ = "/tools/invoke";

function seeded() {
  const agents = new FakeAgents();
  agents.sessions.append("agent:main:main", "main", [
    { role: "user", content: "one" },
    { role: "assistant", content: "two" },
    { role: "user", content: "three" },
  ]);
  agents.sessions.append("agent:main:openai-user:bob", "main", [{ role: "user", content: "hi" }]);
  agents.sessions.append("agent:research:main", "research", [{ role: "user", content: "r" }]);
  return testApp({ agents });
}

type Ok = { ok: true; result: { content: { type: string; text: string }[]; details: Record<string, any> } };

async function ok(res: Response): Promise<Ok["result"]> {
  expect(res.status).toBe(200);
  const body = (await res.json()) as Ok;
  expect(body.ok).toBe(true);
  expect(body.result.content).toEqual([{ type: "text", text: JSON.stringify(body.result.details, null, 2) }]);
  return body.result;
}

describe("envelopes", () => {
  const { post } = seeded();
  test.each([
    ["no name", {}, 400, { type: "invalid_request", message: "tools.invoke requires name" }],
    ["blank name", { name: "  " }, 400, { type: "invalid_request", message: "tools.invoke requires name" }],
    ["args not an object", { tool: "agents_list", args: [] }, 400, { type: "invalid_request", message: "args: Invalid input: expected record, received array" }],
    ["agent/session mismatch", { tool: "session_status", agentId: "research", sessionKey: "agent:main:main" }, 400, { type: "invalid_request", message: 'agent "research" does not match session key agent "main"' }],
    ["unknown agent", { tool: "agents_list", agentId: "ghost" }, 400, { type: "invalid_request", message: 'unknown agent "ghost"' }],
    ["missing required arg", { tool: "sessions_history" }, 400, { type: "tool_error", message: "sessionKey required" }],
    ["bad limit", { tool: "sessions_list", args: { limit: 0 } }, 400, { type: "tool_error", message: "limit must be an integer >= 1" }],
    ["unknown session", { tool: "sessions_history", args: { sessionKey: "agent:main:nope" } }, 400, { type: "tool_error", message: "Session not found: agent:main:nope" }],
    ["unknown tool", { tool: "web_search" }, 404, { type: "not_found", message: "Tool not available: web_search" }],
    ["denied tool", { tool: "exec" }, 404, { type: "not_found", message: "Tool not available: exec" }],
  ])("%s → %d", async (_name, body, status, error) => {
    const res = await post(URL_, body);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ ok: false, error });
  });

  test("name wins over tool", async () => {
    const result = await ok(await post(URL_, { tool: "exec", name: "agents_list" }));
    expect(result.details.count).toBe(2);
  });

  test("a failing tool is a 500 tool_error without details", async () => {
    const t = seeded();
    t.agents.sessions.close();
    const res = await t.post(URL_, { tool: "sessions_list" });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ ok: false, error: { type: "tool_error", message: "tool execution failed" } });
    expect(t.errors).toHaveLength(1);
  });

  test("dryRun does not execute", async () => {
    const result = await ok(await post(URL_, { tool: "sessions_history", dryRun: true, args: { sessionKey: "main" } }));
    expect(result.details).toEqual({ dryRun: true, tool: "sessions_history", args: { sessionKey: "main" } });
  });
});

describe("tools", () => {
  const { post } = seeded();
  test("agents_list", async () => {
    const { details } = await ok(await post(URL_, { tool: "agents_list" }));
    expect(details.defaultAgentId).toBe("main");
    expect(details.agents.map((a: { id: string }) => a.id)).toEqual(["main", "research"]);
  });

  test("sessions_list pages with hasMore/nextOffset and filters by agent", async () => {
    const page = (await ok(await post(URL_, { tool: "sessions_list", args: { limit: 2 } }))).details;
    expect(page).toMatchObject({ count: 2, total: 3, hasMore: true, nextOffset: 2, limitApplied: 2 });
    const rest = (await ok(await post(URL_, { tool: "sessions_list", args: { limit: 2, offset: 2 } }))).details;
    expect(rest).toMatchObject({ count: 1, hasMore: false });
    expect(rest.nextOffset).toBeUndefined();
    const all = [...page.sessions, ...rest.sessions].map((s: { key: string }) => s.key).sort();
    expect(all).toEqual(["agent:main:main", "agent:main:openai-user:bob", "agent:research:main"]);
    const research = (await ok(await post(URL_, { tool: "sessions_list", args: { agentId: "research" } }))).details;
    expect(research.sessions.map((s: { key: string }) => s.key)).toEqual(["agent:research:main"]);
  });

  test("sessions_history: last N messages; a bare key is the agent's", async () => {
    const { details } = await ok(await post(URL_, { tool: "sessions_history", args: { sessionKey: "main", limit: 2 } }));
    expect(details.sessionKey).toBe("agent:main:main");
    expect(details.messages.map((m: { content: string }) => m.content)).toEqual(["two", "three"]);
    expect(details).toMatchObject({ hasMore: true, total: 3, count: 2 });
  });

  test("session_status defaults to the agent's main session", async () => {
    const main = (await ok(await post(URL_, { tool: "session_status" }))).details;
    expect(main).toMatchObject({ sessionKey: "agent:main:main", exists: true, activeRuns: [] });
    expect(main.session.messageCount).toBe(3);
    const research = (await ok(await post(URL_, { tool: "session_status", agentId: "research" }))).details;
    expect(research.sessionKey).toBe("agent:research:main");
    const fresh = (await ok(await post(URL_, { tool: "session_status", sessionKey: "agent:research:none" }))).details;
    expect(fresh).toMatchObject({ exists: false, session: null });
  });
});

describe("HTTP tool policy", () => {
  test("the default deny list", () => {
    expect([...HTTP_DENIED_TOOLS].sort()).toEqual(
      ["apply_patch", "automations", "cron", "edit", "exec", "fs_delete", "fs_move", "fs_write", "gateway", "ls", "nodes", "process", "read", "sessions_send", "sessions_spawn", "shell", "spawn", "write"].sort(),
    );
    expect(httpToolAllowed("sessions_list", undefined, false)).toBe(true);
    expect(httpToolAllowed("exec", undefined, true)).toBe(false);
    expect(httpToolAllowed("exec", { allow: ["exec"] }, true)).toBe(true);
    expect(httpToolAllowed("exec", { allow: ["exec"] }, false)).toBe(false);
    expect(httpToolAllowed("exec", { allow: ["exec"], deny: ["exec"] }, true)).toBe(false);
  });

  test("gateway.tools.deny hides a tool; changes hot-apply", async () => {
    const t = seeded();
    expect((await t.post(URL_, { tool: "agents_list" })).status).toBe(200);
    t.state.config = { ...OPEN_CONFIG, gateway: { ...OPEN_CONFIG.gateway, tools: { deny: ["agents_list"] } } } satisfies OpenClawConfig;
    const res = await t.post(URL_, { tool: "agents_list" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: { type: "not_found", message: "Tool not available: agents_list" } });
  });
});

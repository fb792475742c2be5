// The tool loop in the agent runtime: scripted model rounds, tools run concurrently, results
// fed back in call order, every failure a result the model sees, abort/timeout mid-tool, a crash
// mid-loop repaired on the next turn, and idempotent replays that run nothing again.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { AgentRuntime } from "../../src/agents/runtime.ts";
import { SessionStore } from "../../src/agents/sessions.ts";
import { MISSING_RESULT_TEXT } from "../../src/agents/tool-round.ts";
import { createToolRegistry } from "../../src/agents/tools/registry.ts";
import { textResult, type AgentTool } from "../../src/agents/tools/types.ts";
import type { TurnEvent } from "../../src/agents/types.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { fakeProvider } from "../fixtures/fake-provider.ts";
import { tempDir } from "../fixtures/gateway.ts";
import { scriptDirective, type ScriptStep } from "../fixtures/model-script.ts";

const BASE: OpenClawConfig = { gateway: { mode: "local" }, agents: { defaults: { model: "fake/echo" } } };
const stores: SessionStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** A tool that records its calls; `gate` lets a test hold it until released. */
function probeTool(name: string, behave: (args: Record<string, unknown>, signal?: AbortSignal) => Promise<string> = async (a) => `${name} got ${JSON.stringify(a)}`): AgentTool & { calls: Record<string, unknown>[] } {
  const calls: Record<string, unknown>[] = [];
  return {
    name, calls, description: `probe ${name}`,
    parameters: { type: "object", properties: { n: { type: "integer" }, text: { type: "string" } }, additionalProperties: false },
    async execute(args, ctx) {
      calls.push(args);
      return textResult(await behave(args, ctx.signal));
    },
  };
}

function setup(tools: AgentTool[], config: OpenClawConfig = BASE, storePath?: string) {
  const provider = fakeProvider("fake");
  const path = storePath ?? join(tempDir("loop-"), "sessions.sqlite");
  const store = SessionStore.open(path);
  stores.push(store);
  const agents = new AgentRuntime({
    config, store, logger: createLogger({ file: null, consoleLevel: "silent" }),
    providerFactory: (id) => (id === "fake" ? provider : undefined), tools: createToolRegistry(tools),
  });
  return { provider, store, agents, path };
}

const turn = (steps: ScriptStep[], extra = "") => `do it ${scriptDirective(steps)}${extra}`;

describe("the tool loop", () => {
  test("runs rounds until a text answer; results go back in call order; events and summary", async () => {
    const slow = probeTool("slow", async () => {
      await Bun.sleep(40);
      return "slow done";
    });
    const fast = probeTool("fast", async () => "fast done");
    const { agents, provider, store } = setup([slow, fast]);
    const events: TurnEvent[] = [];
    const r = await agents.runTurn({
      agentId: "main", sessionKey: "agent:main:main", agentTools: true, onEvent: (e) => events.push(e),
      message: turn([{ calls: [{ name: "slow", args: { n: 1 } }, { name: "fast", args: { n: 2 } }] }, { calls: [{ name: "fast", args: { n: 3 } }] }, { text: "all done" }]),
    });
    expect(r.text).toBe("all done");
    expect(r.assistantTurns).toBe(3);
    expect(r.toolSummary).toEqual({ calls: 3, tools: ["slow", "fast"], failures: 0 });
    expect(r.successfulToolNames).toEqual(["fast", "slow"]);
    expect(provider.requests).toHaveLength(3);
    // Tools were offered, and round 1's results came back in call order although "fast" finished first.
    expect(provider.requests[0]!.tools?.map((t) => t.name)).toEqual(["slow", "fast"]);
    const second = provider.requests[1]!.messages.slice(-3);
    expect(second.map((m) => [m.role, m.toolCallId ?? null])).toEqual([["assistant", null], ["tool", "call_1_0"], ["tool", "call_1_1"]]);
    expect(second[1]!.content).toBe("slow done");
    // Both ran concurrently: fast ended before slow.
    const ends = events.filter((e) => e.type === "tool_end").map((e) => (e as { call: { id: string } }).call.id);
    expect(ends.slice(0, 2)).toEqual(["call_1_1", "call_1_0"]);
    expect(usageSum(r.usage)).toBeGreaterThan(0);
    // Transcript: user, assistant round, 2 results, assistant round, 1 result, reply.
    const rows = store.history("agent:main:main").messages;
    expect(rows.map((m) => m.role)).toEqual(["user", "assistant", "tool", "tool", "assistant", "tool", "assistant"]);
    expect(rows[1]!.toolCalls?.map((c) => c.name)).toEqual(["slow", "fast"]);
    expect(rows[2]!.meta).toMatchObject({ toolName: "slow", isError: false });
  });

  test("unknown tool, bad JSON, schema violations and throws become results; the turn goes on", async () => {
    const boom = probeTool("boom", async () => {
      throw new Error("disk on fire");
    });
    const ok = probeTool("ok");
    const { agents, provider } = setup([boom, ok]);
    const r = await agents.runTurn({
      agentId: "main", sessionKey: "agent:main:main", agentTools: true,
      message: turn([
        { calls: [{ name: "nosuchtool" }, { name: "ok", rawArguments: "{not json" }, { name: "ok", args: { n: "x" } }, { name: "ok", args: { zzz: 1 } }, { name: "boom" }] },
        { text: "recovered" },
      ]),
    });
    expect(r.text).toBe("recovered");
    const results = provider.requests[1]!.messages.filter((m) => m.role === "tool").map((m) => m.content);
    expect(results[0]).toBe("Tool nosuchtool not found");
    expect(JSON.parse(results[1]!)).toMatchObject({ status: "error", tool: "ok", error: expect.stringContaining("not valid JSON") });
    expect(JSON.parse(results[2]!).error).toContain("n must be integer");
    expect(JSON.parse(results[3]!).error).toContain("unknown argument: zzz");
    expect(JSON.parse(results[4]!)).toEqual({ status: "error", tool: "boom", error: "disk on fire" });
    expect(ok.calls).toHaveLength(0);
    expect(r.toolSummary).toMatchObject({ calls: 5, failures: 5, unresolvedError: { toolName: "boom" } });
  });

  test("a huge result is cut with a note", async () => {
    const big = probeTool("big", async () => "x".repeat(5000));
    const { agents, provider } = setup([big], { ...BASE, tools: { maxResultChars: 1000 } });
    await agents.runTurn({ agentId: "main", sessionKey: "agent:main:main", agentTools: true, message: turn([{ calls: [{ name: "big" }] }, { text: "ok" }]) });
    const result = provider.requests[1]!.messages.find((m) => m.role === "tool")!.content;
    expect(result.length).toBeLessThan(1100);
    expect(result).toContain("[tool result truncated: 4000 more characters not shown]");
  });

  test("policy: the model only sees allowed tools, and a call to a hidden one is not run", async () => {
    const a = probeTool("sessions_list");
    const b = probeTool("agents_list");
    const { agents, provider } = setup([a, b], { ...BASE, tools: { deny: ["agents_list"] } });
    await agents.runTurn({ agentId: "main", sessionKey: "agent:main:main", agentTools: true, message: turn([{ calls: [{ name: "agents_list" }] }, { text: "ok" }]) });
    expect(provider.requests[0]!.tools?.map((t) => t.name)).toEqual(["sessions_list"]);
    expect(b.calls).toHaveLength(0);
    expect(provider.requests[1]!.messages.find((m) => m.role === "tool")!.content).toBe("Tool agents_list not found");
  });

  test("the tool list follows the config snapshot: a reloaded config with the same registry offers what it allows", async () => {
    const registry = createToolRegistry([probeTool("sessions_list"), probeTool("agents_list")]);
    const offered = async (config: OpenClawConfig) => {
      const provider = fakeProvider("fake");
      const store = SessionStore.open(join(tempDir("loop-"), "sessions.sqlite"));
      stores.push(store);
      const agents = new AgentRuntime({
        config, store, logger: createLogger({ file: null, consoleLevel: "silent" }), providerFactory: () => provider, tools: registry,
      });
      for (const key of ["agent:main:a", "agent:main:b"]) await agents.runTurn({ agentId: "main", sessionKey: key, agentTools: true, message: "hi" });
      return provider.requests.map((r) => r.tools?.map((t) => t.name));
    };
    expect(await offered({ ...BASE, tools: { deny: ["agents_list"] } })).toEqual([["sessions_list"], ["sessions_list"]]);
    expect(await offered({ ...BASE })).toEqual([["sessions_list", "agents_list"], ["sessions_list", "agents_list"]]);
    expect(await offered({ ...BASE, tools: { allow: ["agents_list"] } })).toEqual([["agents_list"], ["agents_list"]]);
  });

  test("without agentTools (the OpenAI-compatible door) a tool call ends the turn for the client", async () => {
    const a = probeTool("sessions_list");
    const { agents } = setup([a]);
    const r = await agents.runTurn({ agentId: "main", sessionKey: "agent:main:main", message: turn([{ calls: [{ name: "sessions_list" }] }]) });
    expect(r.finishReason).toBe("tool_calls");
    expect(r.toolCalls.map((c) => c.name)).toEqual(["sessions_list"]);
    expect(a.calls).toHaveLength(0);
  });

  test("abort mid-tool stops the tool, records Aborted, and the run ends aborted", async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const hang = probeTool("hang", (_a, signal) => new Promise((_, reject) => {
      started();
      signal?.addEventListener("abort", () => reject(new Error("stopped")), { once: true });
    }));
    const { agents, store } = setup([hang]);
    const p = agents.runTurn({ agentId: "main", sessionKey: "agent:main:main", agentTools: true, message: turn([{ calls: [{ name: "hang" }] }, { text: "never" }]) });
    await running;
    expect(agents.abort("agent:main:main")).toHaveLength(1);
    await expect(p).rejects.toMatchObject({ kind: "aborted" });
    const rows = store.history("agent:main:main").messages;
    expect(rows.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
    expect(rows[2]!.content).toBe("Aborted");
  });

  test("the run timeout ends a tool that hangs", async () => {
    const hang = probeTool("hang", () => new Promise(() => {}));
    const { agents } = setup([hang]);
    const t0 = Date.now();
    await expect(
      agents.runTurn({ agentId: "main", sessionKey: "agent:main:main", agentTools: true, timeoutMs: 300, message: turn([{ calls: [{ name: "hang" }] }]) }),
    ).rejects.toMatchObject({ kind: "timeout" });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  test("a tool round cap ends with one answer without tools", async () => {
    const a = probeTool("again");
    const { agents, provider } = setup([a], { ...BASE, tools: { maxRounds: 2 } });
    const steps = Array.from({ length: 10 }, () => ({ calls: [{ name: "again" }] }));
    const r = await agents.runTurn({ agentId: "main", sessionKey: "agent:main:main", agentTools: true, message: turn(steps) });
    expect(a.calls).toHaveLength(2);
    expect(provider.requests).toHaveLength(3);
    expect(provider.requests[2]!.tools).toBeUndefined();
    expect(r.finishReason).toBe("stop");
  });

  test("loop detection warns, blocks, then stops", async () => {
    const a = probeTool("same");
    const { agents, provider } = setup([a], { ...BASE, tools: { loopDetection: { enabled: true, warningThreshold: 2, criticalThreshold: 3 } } });
    const steps = Array.from({ length: 50 }, () => ({ calls: [{ name: "same", args: { n: 1 } }] }));
    const r = await agents.runTurn({ agentId: "main", sessionKey: "agent:main:main", agentTools: true, message: turn(steps) });
    expect(r.stopReason).toBe("loop");
    expect(r.text).toContain("repeated 3 times");
    const toolTexts = provider.requests.at(-1)!.messages.filter((m) => m.role === "tool").map((m) => m.content);
    expect(toolTexts.some((t) => t.includes("[loop warning]"))).toBe(true);
    expect(toolTexts.some((t) => t.startsWith("Not run:"))).toBe(true);
    expect(a.calls.length).toBeLessThan(6);
  });

  test("an idempotent replay returns the first result and runs no tool again", async () => {
    const a = probeTool("once");
    const { agents, provider } = setup([a]);
    const input = { agentId: "main", sessionKey: "agent:main:main", agentTools: true, idempotencyKey: "k1", message: turn([{ calls: [{ name: "once" }] }, { text: "fin" }]) };
    const first = await agents.runTurn(input);
    const again = await agents.runTurn(input);
    expect(again.cached).toBe(true);
    expect(again.text).toBe(first.text);
    expect(a.calls).toHaveLength(1);
    expect(provider.requests).toHaveLength(2);
  });

  test("a crash mid-loop leaves the round on disk; the next turn repairs the missing result", async () => {
    const dir = tempDir("loop-crash-");
    const path = join(dir, "sessions.sqlite");
    // Simulate the crash: the assistant round is stored, its result never is.
    const store = SessionStore.open(path);
    store.append("agent:main:main", "main", [
      { role: "user", content: "earlier" },
      { role: "assistant", content: "", toolCalls: [{ id: "call_x", name: "gone", arguments: "{}" }] },
    ]);
    store.close();
    const { agents, provider } = setup([probeTool("gone")], BASE, path);
    await agents.runTurn({ agentId: "main", sessionKey: "agent:main:main", agentTools: true, message: "hello again" });
    const sent = provider.requests[0]!.messages;
    const i = sent.findIndex((m) => m.toolCalls?.[0]?.id === "call_x");
    expect(sent[i + 1]).toEqual({ role: "tool", content: MISSING_RESULT_TEXT, toolCallId: "call_x" });
  });
});

function usageSum(u: { inputTokens: number; outputTokens: number }) {
  return u.inputTokens + u.outputTokens;
}

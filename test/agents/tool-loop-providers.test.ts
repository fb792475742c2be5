// The tool loop through both real provider adapters against their stubs: two tool rounds (one of
// them parallel) then text, each round's results carried back in the provider's native shape.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createProvider } from "../../src/agents/providers/index.ts";
import { AgentRuntime } from "../../src/agents/runtime.ts";
import { SessionStore } from "../../src/agents/sessions.ts";
import { createToolRegistry } from "../../src/agents/tools/registry.ts";
import { textResult, type AgentTool } from "../../src/agents/tools/types.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { startAnthropicStub, type AnthropicStub } from "../fixtures/anthropic-stub.ts";
import { tempDir } from "../fixtures/gateway.ts";
import { scriptDirective } from "../fixtures/model-script.ts";
import { startOpenAIStub, type OpenAIStub } from "../fixtures/openai-stub.ts";

let openai: OpenAIStub;
let anthropic: AnthropicStub;
beforeAll(async () => {
  openai = await startOpenAIStub();
  anthropic = await startAnthropicStub();
});
afterAll(() => {
  openai.stop();
  anthropic.stop();
});

const lookup: AgentTool = {
  name: "lookup",
  description: "Look a word up",
  parameters: { type: "object", properties: { word: { type: "string" } }, required: ["word"], additionalProperties: false },
  async execute(args) {
    return textResult(`definition of ${String(args.word)}`);
  },
};

const SCRIPT = scriptDirective([
  { calls: [{ name: "lookup", args: { word: "alpha" } }, { name: "lookup", args: { word: "beta" } }] },
  { calls: [{ name: "lookup", args: { word: "gamma" } }] },
  { text: "three looked up" },
]);

function runtime(api: "openai-completions" | "anthropic-messages", baseUrl: string) {
  const config: OpenClawConfig = {
    gateway: { mode: "local" },
    models: { providers: { m: { baseUrl, apiKey: "sk-test", api, timeoutSeconds: 10, maxRetries: 0, models: [{ id: "x", name: "X" }] } } },
    agents: { defaults: { model: "m/x" } },
  };
  const store = SessionStore.open(join(tempDir("loop-prov-"), "sessions.sqlite"));
  const agents = new AgentRuntime({
    config, store, logger: createLogger({ file: null, consoleLevel: "silent" }),
    providerFactory: (id, cfg) => (id === "m" ? createProvider(id, cfg.models!.providers!.m!) : undefined),
    tools: createToolRegistry([lookup]),
  });
  return { agents, store };
}

describe("tool rounds through the provider adapters", () => {
  test("OpenAI chat completions: assistant tool_calls + role tool messages, in call order", async () => {
    const { agents, store } = runtime("openai-completions", openai.baseUrl);
    const r = await agents.runTurn({ agentId: "main", sessionKey: "agent:main:main", agentTools: true, message: `go ${SCRIPT}` });
    expect(r.text).toBe("three looked up");
    const calls = (await openai.requests()).filter((q) => q.path === "/v1/chat/completions").slice(-3);
    expect(calls[0]!.body.tools).toEqual([{ type: "function", function: { name: "lookup", description: "Look a word up", parameters: lookup.parameters } }]);
    const third = calls[2]!.body.messages.slice(-5);
    expect(third.map((m: any) => m.role)).toEqual(["assistant", "tool", "tool", "assistant", "tool"]);
    expect(third[0].tool_calls.map((c: any) => [c.id, c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ["call_1_0", "lookup", { word: "alpha" }], ["call_1_1", "lookup", { word: "beta" }],
    ]);
    expect(third.slice(1, 3).map((m: any) => [m.tool_call_id, m.content])).toEqual([["call_1_0", "definition of alpha"], ["call_1_1", "definition of beta"]]);
    expect(third[4]).toMatchObject({ role: "tool", tool_call_id: "call_2_0", content: "definition of gamma" });
    store.close();
  }, 15_000);

  test("Anthropic messages: tool_use blocks + one user message of tool_result blocks per round", async () => {
    const { agents, store } = runtime("anthropic-messages", anthropic.baseUrl);
    const r = await agents.runTurn({ agentId: "main", sessionKey: "agent:main:main", agentTools: true, message: `go ${SCRIPT}` });
    expect(r.text).toBe("three looked up");
    expect(r.assistantTurns).toBe(3);
    const calls = (await anthropic.requests()).filter((q) => q.path === "/v1/messages").slice(-3);
    expect(calls[0]!.body.tools).toEqual([{ name: "lookup", description: "Look a word up", input_schema: lookup.parameters }]);
    const msgs = calls[2]!.body.messages;
    const roundOne = msgs.at(-4);
    expect(roundOne.role).toBe("assistant");
    expect(roundOne.content.filter((b: any) => b.type === "tool_use").map((b: any) => [b.id, b.input])).toEqual([["call_1_0", { word: "alpha" }], ["call_1_1", { word: "beta" }]]);
    const results = msgs.at(-3);
    expect(results.role).toBe("user");
    expect(results.content.map((b: any) => [b.type, b.tool_use_id, typeof b.content === "string" ? b.content : b.content?.[0]?.text])).toEqual([
      ["tool_result", "call_1_0", "definition of alpha"], ["tool_result", "call_1_1", "definition of beta"],
    ]);
    expect(msgs.at(-1).content[0]).toMatchObject({ type: "tool_result", tool_use_id: "call_2_0" });
    store.close();
  }, 15_000);
});

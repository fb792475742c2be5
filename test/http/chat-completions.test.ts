import { describe, expect, test } from "bun:test";
import { ProviderError } from "../../src/agents/providers/types.ts";
import { AgentError } from "../../src/agents/types.ts";
import { testApp } from "./helpers.ts";

const URL_ = "/v1/chat/completions";
const user = (content: unknown) => ({ role: "user", content });
const CHAT = { model: "openclaw", messages: [user("hi")] };
const invalid = (message: string) => ({ error: { message, type: "invalid_request_error" } });

describe("validation (400 invalid_request_error)", () => {
  const { post, agents } = testApp();
  test.each([
    ["model not agent syntax", { ...CHAT, model: "gpt-4o" }, "Invalid `model`. Use `openclaw` or `openclaw/<agentId>`."],
    ["unknown agent", { ...CHAT, model: "openclaw/no-such-agent" }, "Unknown agent 'no-such-agent'."],
    ["no messages", { model: "openclaw" }, "Missing user message in `messages`."],
    ["empty messages", { model: "openclaw", messages: [] }, "Missing user message in `messages`."],
    ["only system", { model: "openclaw", messages: [{ role: "system", content: "be nice" }] }, "Missing user message in `messages`."],
    ["temperature 3", { ...CHAT, temperature: 3 }, "`temperature` must be between 0 and 2."],
    ["top_p 1.5", { ...CHAT, top_p: 1.5 }, "`top_p` must be between 0 and 1."],
    ["frequency_penalty -3", { ...CHAT, frequency_penalty: -3 }, "`frequency_penalty` must be between -2.0 and 2.0."],
    ["presence_penalty 2.5", { ...CHAT, presence_penalty: 2.5 }, "`presence_penalty` must be between -2.0 and 2.0."],
    ["seed 1.5", { ...CHAT, seed: 1.5 }, "`seed` must be an integer."],
    ["stop x5", { ...CHAT, stop: ["a", "b", "c", "d", "e"] }, "Invalid stop: stop supports at most 4 sequences"],
    ["max_tokens 0", { ...CHAT, max_tokens: 0 }, "max_tokens: Too small: expected number to be >0"],
    ["response_format xml", { ...CHAT, response_format: { type: "xml" } }, "Invalid response_format: response_format.type must be text, json_object, or json_schema"],
    ["tools {}", { ...CHAT, tools: {} }, "tools: Invalid input: expected array, received object"],
    ["tool without name", { ...CHAT, tools: [{ type: "function", function: {} }] }, "Invalid tools/tool_choice: tool.function.name is required"],
    [
      "allowed_tools",
      { ...CHAT, tools: [{ type: "function", function: { name: "a" } }], tool_choice: { type: "allowed_tools", allowed_tools: {} } },
      "Invalid tools/tool_choice: tool_choice allowed_tools is not supported",
    ],
    [
      "unknown tool_choice",
      { ...CHAT, tools: [{ type: "function", function: { name: "a" } }], tool_choice: { type: "function", function: { name: "b" } } },
      "Invalid tools/tool_choice: tool_choice requested unknown tool: b",
    ],
    ["image by URL", { ...CHAT, messages: [user([{ type: "image_url", image_url: { url: "https://x.example/a.png" } }])] }, "Invalid image_url content in `messages`."],
    ["body is an array", [], ": Invalid input: expected object, received array"],
  ])("%s", async (_name, body, message) => {
    const res = await post(URL_, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(invalid(message));
    expect(agents.turns).toHaveLength(0);
  });

  test("unknown keys are ignored", async () => {
    expect((await post(URL_, { ...CHAT, n: 2, logprobs: true, foo: "bar" })).status).toBe(200);
  });

  test("an unknown agent in the header is 400 too", async () => {
    const res = await post(URL_, CHAT, { "x-openclaw-agent-id": "nope" });
    expect(await res.json()).toEqual(invalid("Unknown agent 'nope'."));
  });
});

describe("agent and session resolution", () => {
  test.each([
    ["default model", {}, {}, "main", /^agent:main:openai:[0-9a-f-]{36}$/],
    ["missing model", { model: undefined }, {}, "main", /^agent:main:openai:/],
    ["openclaw/default", { model: "openclaw/default" }, {}, "main", /^agent:main:openai:/],
    ["openclaw/research", { model: "openclaw/research" }, {}, "research", /^agent:research:openai:/],
    ["agent:research", { model: "agent:research" }, {}, "research", /^agent:research:openai:/],
    ["header beats model", { model: "openclaw/main" }, { "x-openclaw-agent-id": "research" }, "research", /^agent:research:/],
    ["alias header", {}, { "x-openclaw-agent": "Research" }, "research", /^agent:research:/],
    ["user field", { user: "Foo Bar/Baz:1" }, {}, "main", /^agent:main:openai-user:foo bar\/baz:1$/],
    ["bare session key", { user: "ignored" }, { "x-openclaw-session-key": "my-key" }, "main", /^agent:main:my-key$/],
    ["full session key selects its agent", {}, { "x-openclaw-session-key": "agent:research:custom1" }, "research", /^agent:research:custom1$/],
  ])("%s", async (_name, patch, headers, agentId, key) => {
    const { post, agents } = testApp();
    const res = await post(URL_, { ...CHAT, ...patch }, headers as Record<string, string>);
    expect(res.status).toBe(200);
    expect(agents.lastTurn.agentId).toBe(agentId);
    expect(agents.lastTurn.sessionKey).toMatch(key);
  });

  test("each request without a key gets a new session", async () => {
    const { post, agents } = testApp();
    await post(URL_, CHAT);
    await post(URL_, CHAT);
    expect(agents.turns[0]!.sessionKey).not.toBe(agents.turns[1]!.sessionKey);
  });

  test.each(["subagent:x", "cron:job", "acp:1", "agent:main:subagent:x"])("reserved session key %p → 400", async (key) => {
    const { post } = testApp();
    const res = await post(URL_, CHAT, { "x-openclaw-session-key": key });
    expect(await res.json()).toEqual(invalid("`x-openclaw-session-key` cannot use reserved internal session namespaces."));
  });

  test("channel defaults to webchat; x-openclaw-message-channel passes through", async () => {
    const { post, agents } = testApp();
    await post(URL_, CHAT);
    expect(agents.lastTurn.channel).toBe("webchat");
    await post(URL_, CHAT, { "x-openclaw-message-channel": "telegram" });
    expect(agents.lastTurn.channel).toBe("telegram");
  });
});

describe("prompt mapping", () => {
  test("system/developer → extraSystemPrompt; earlier turns flattened; parts joined by newline", async () => {
    const { post, agents } = testApp();
    await post(URL_, {
      model: "openclaw",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Use metric." }] },
        user("q1"),
        { role: "assistant", content: "a1" },
        user([
          { type: "text", text: "second" },
          { type: "text", text: "part" },
        ]),
      ],
    });
    expect(agents.lastTurn.extraSystemPrompt).toBe("Be brief.\n\nUse metric.");
    expect(agents.lastTurn.message).toBe(
      "[Chat messages since your last reply - for context]\nUser: q1\nAssistant: a1\n\n[Current message - respond to this]\nUser: second\npart",
    );
  });

  test("a single user message is sent as is", async () => {
    const { post, agents } = testApp();
    await post(URL_, CHAT);
    expect(agents.lastTurn.message).toBe("hi");
    expect(agents.lastTurn.extraSystemPrompt).toBeUndefined();
  });

  test("tool results become Tool:<id>: <content>", async () => {
    const { post, agents } = testApp();
    await post(URL_, {
      messages: [
        user("weather?"),
        { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "w", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "c1", content: "sunny" },
      ],
    });
    expect(agents.lastTurn.message).toBe(
      "[Chat messages since your last reply - for context]\nUser: weather?\n\n[Current message - respond to this]\nTool:c1: sunny",
    );
  });

  test("sampling, tools and the model header reach the turn", async () => {
    const { post, agents } = testApp();
    await post(
      URL_,
      {
        ...CHAT,
        temperature: 0.5,
        top_p: 0.9,
        seed: 7,
        stop: "END",
        max_tokens: 10,
        max_completion_tokens: 50,
        frequency_penalty: 0.1,
        presence_penalty: -0.1,
        response_format: { type: "json_object" },
        tools: [{ type: "function", function: { name: "get_weather", description: "d", parameters: { type: "object" } } }],
        tool_choice: { type: "function", function: { name: "get_weather" } },
      },
      { "x-openclaw-model": "stub/big" },
    );
    const turn = agents.lastTurn;
    expect(turn.sampling).toEqual({
      temperature: 0.5,
      topP: 0.9,
      seed: 7,
      stop: ["END"],
      maxTokens: 50,
      frequencyPenalty: 0.1,
      presencePenalty: -0.1,
      responseFormat: { type: "json_object" },
    });
    expect(turn.tools).toEqual([{ name: "get_weather", description: "d", parameters: { type: "object" } }]);
    expect(turn.toolChoice).toEqual({ name: "get_weather" });
    expect(turn.modelOverride).toBe("stub/big");
    expect(turn.signal).toBeInstanceOf(AbortSignal);
  });
});

describe("non-streaming answers", () => {
  test("shape: chatcmpl_<uuid> = runId, model echoed, usage", async () => {
    const { post, agents } = testApp();
    const before = Math.floor(Date.now() / 1000);
    const res = await post(URL_, { ...CHAT, model: "agent:main" });
    const after = Math.ceil(Date.now() / 1000);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.id).toMatch(/^chatcmpl_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(agents.lastTurn.runId).toBe(body.id as string);
    // Unix seconds, taken while the request ran (however long a busy machine made it take).
    expect(body.created as number).toBeGreaterThanOrEqual(before);
    expect(body.created as number).toBeLessThanOrEqual(after);
    expect(body).toEqual({
      id: body.id,
      object: "chat.completion",
      created: body.created,
      model: "agent:main",
      choices: [{ index: 0, message: { role: "assistant", content: "echo: hi" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
    });
  });

  test("a missing model is echoed as openclaw", async () => {
    const { post } = testApp();
    expect(((await (await post(URL_, { messages: [user("x")] })).json()) as { model: string }).model).toBe("openclaw");
  });

  test("empty text → No response from OpenClaw.", async () => {
    const { post, agents } = testApp();
    agents.script.push({ deltas: [] });
    const body = (await (await post(URL_, CHAT)).json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]!.message.content).toBe("No response from OpenClaw.");
  });

  test("length appends the truncation warning", async () => {
    const { post, agents } = testApp();
    agents.script.push({ deltas: ["partial"], finishReason: "length" });
    const body = (await (await post(URL_, CHAT)).json()) as { choices: { message: { content: string }; finish_reason: string }[] };
    expect(body.choices[0]!.finish_reason).toBe("length");
    expect(body.choices[0]!.message.content).toBe(
      "partial\n\n⚠️ Reply truncated at the model's output token limit. The text above is partial — ask to continue it.",
    );
  });

  test("tool calls get gateway ids and drop the commentary", async () => {
    const { post, agents } = testApp();
    agents.script.push({ deltas: ["let me check"], toolCalls: [{ id: "upstream-1", name: "get_weather", arguments: '{"city":"Paris"}' }] });
    const body = (await (await post(URL_, { ...CHAT, tools: [{ type: "function", function: { name: "get_weather" } }] })).json()) as {
      choices: { message: { content: string; tool_calls: { id: string; type: string; function: unknown }[] }; finish_reason: string }[];
    };
    const choice = body.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBe("");
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls[0]!;
    expect(call.id).toMatch(/^[0-9a-f]{9}$/);
    expect(call).toEqual({ id: call.id, type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } });
  });

  test("tool_choice required but no call → 502", async () => {
    const { post } = testApp();
    const res = await post(URL_, { ...CHAT, tools: [{ type: "function", function: { name: "a" } }], tool_choice: "required" });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: { message: "tool_choice=required was not satisfied by the agent response", type: "api_error" } });
  });
});

describe("run failures", () => {
  const provider = (kind: ProviderError["kind"], message = "raw provider text", code?: string) =>
    new AgentError("provider", message, new ProviderError(kind, message, undefined, code));
  test.each([
    ["upstream", provider("upstream"), 502, { message: "upstream provider error", type: "api_error" }],
    ["unreachable", provider("unreachable"), 502, { message: "upstream provider error", type: "api_error" }],
    ["provider timeout", provider("timeout"), 504, { message: "upstream provider timeout", type: "api_error" }],
    ["run timeout", new AgentError("timeout", "agent run timed out"), 504, { message: "upstream provider timeout", type: "api_error" }],
    ["overloaded", provider("overloaded"), 503, { message: "upstream provider overloaded", type: "api_error" }],
    ["rate limit", provider("rate_limit", "slow down", "rate_limit_exceeded"), 429, { message: "slow down", type: "rate_limit_error", code: "rate_limit_exceeded" }],
    ["auth", provider("auth", "bad key"), 401, { message: "bad key", type: "authentication_error" }],
    ["permission", provider("permission", "no"), 403, { message: "no", type: "permission_error" }],
    ["unknown model", new AgentError("unknown_model", "Unknown model: nope/nope."), 404, { message: "Unknown model: nope/nope.", type: "invalid_request_error" }],
    ["bad request", provider("bad_request", "context too long"), 400, { message: "context too long", type: "invalid_request_error" }],
    ["conflict", new AgentError("conflict", "run still in progress"), 409, { message: "run still in progress", type: "invalid_request_error" }],
    ["not configured", new AgentError("not_configured", "no model"), 500, { message: "internal error", type: "api_error" }],
    ["anything else", new Error("boom at /secret/path"), 500, { message: "internal error", type: "api_error" }],
  ])("%s → %d", async (_name, error, status, body) => {
    const { post, agents } = testApp();
    agents.script.push({ error });
    const res = await post(URL_, CHAT);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: body });
  });
});

// The Anthropic Messages adapter against the in-process Anthropic double.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildAnthropicBody, createAnthropicMessagesProvider } from "../../../src/agents/providers/anthropic-messages.ts";
import type { ProviderConfig, StreamEvent } from "../../../src/agents/providers/types.ts";
import { startAnthropicStub, type AnthropicStub } from "../../fixtures/anthropic-stub.ts";
import { collect, failure, instantSleep, jsonResponse, scriptedFetch, sseResponse, textOf } from "./helpers.ts";

let stub: AnthropicStub;
beforeAll(async () => {
  stub = await startAnthropicStub();
});
afterAll(() => stub?.stop());

const KEY = "sk-ant-test-0123456789";
const config = (over: Partial<ProviderConfig> = {}): ProviderConfig => ({
  id: "anth", baseUrl: stub.baseUrl, apiKey: KEY, timeoutMs: 5_000, maxRetries: 2, ...over,
});
const user = (content: string) => ({ model: "claude-test", messages: [{ role: "user" as const, content }] });
const requestsWith = async (marker: string) => (await stub.requests()).filter((r) => JSON.stringify(r.body?.messages ?? []).includes(marker));

describe("anthropic-messages against the Anthropic stub", () => {
  test("streams the echo, then finish stop with input/output usage", async () => {
    const p = createAnthropicMessagesProvider(config());
    expect(p.api).toBe("anthropic-messages");
    expect(p.embed).toBeUndefined();
    const events = await collect(p.stream(user("hello there world")));
    expect(events.filter((e) => e.type === "text").length).toBeGreaterThan(1);
    expect(textOf(events)).toBe("echo: hello there world");
    expect(events.at(-1)).toEqual({ type: "finish", reason: "stop", usage: { inputTokens: 17, outputTokens: 23 } });
  });

  test("a tool_use block is assembled from input_json_delta and finishes as tool_calls", async () => {
    const events = await collect(createAnthropicMessagesProvider(config()).stream(user("go [tool:lookup]")));
    expect(events).toEqual([
      { type: "tool_call", call: { id: "toolu_stub_1", name: "lookup", arguments: "{}" } },
      { type: "finish", reason: "tool_calls", usage: { inputTokens: 16, outputTokens: 10 } },
    ]);
  });

  test("stop reasons: max_tokens → length, stop_sequence → stop", async () => {
    const p = createAnthropicMessagesProvider(config());
    expect((await collect(p.stream(user("x [stop:max_tokens]")))).at(-1)).toMatchObject({ reason: "length" });
    expect((await collect(p.stream(user("x [stop:stop_sequence]")))).at(-1)).toMatchObject({ reason: "stop" });
  });

  test("request shape: headers, top-level system, blocks, merged turns, tools, sampling, default max_tokens", async () => {
    const p = createAnthropicMessagesProvider(config({ headers: { "anthropic-beta": "tools-2024" } }));
    await collect(p.stream({
      model: "claude-test",
      system: "Be brief.",
      messages: [
        { role: "system", content: "Also be kind." },
        { role: "user", content: "weather?" },
        { role: "assistant", content: "Checking.", toolCalls: [{ id: "tu1", name: "weather", arguments: '{"city":"Oslo"}' }, { id: "tu2", name: "time", arguments: "" }] },
        { role: "tool", toolCallId: "tu1", content: "rainy" },
        { role: "tool", toolCallId: "tu2", content: "noon" },
        { role: "user", content: "anth-shape" },
      ],
      tools: [{ name: "weather", description: "Weather now", parameters: { type: "object", properties: { city: { type: "string" } } } }, { name: "time" }],
      toolChoice: "required",
      sampling: { temperature: 0.5, topP: 0.8, stop: ["STOP"], seed: 1, frequencyPenalty: 1, responseFormat: { type: "json_object" } },
    }));
    const [req] = await requestsWith("anth-shape");
    expect(req.path).toBe("/v1/messages");
    expect(req.headers["x-api-key"]).toBe(KEY);
    expect(req.headers["anthropic-version"]).toBe("2023-06-01");
    expect(req.headers["content-type"]).toContain("application/json");
    expect(req.headers["anthropic-beta"]).toBe("tools-2024");
    expect(req.headers.authorization).toBeUndefined();
    const b = req.body;
    expect(b.system).toBe("Be brief.\n\nAlso be kind.");
    expect(b.messages.some((m: any) => m.role === "system")).toBe(false);
    expect(b.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "weather?" }] },
      { role: "assistant", content: [
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "tu1", name: "weather", input: { city: "Oslo" } },
        { type: "tool_use", id: "tu2", name: "time", input: {} },
      ] },
      // two tool results and the next user text: one user turn, results first
      { role: "user", content: [
        { type: "tool_result", tool_use_id: "tu1", content: "rainy" },
        { type: "tool_result", tool_use_id: "tu2", content: "noon" },
        { type: "text", text: "anth-shape" },
      ] },
    ]);
    expect(b.tools).toEqual([
      { name: "weather", description: "Weather now", input_schema: { type: "object", properties: { city: { type: "string" } } } },
      { name: "time", input_schema: { type: "object", properties: {} } },
    ]);
    expect(b.tool_choice).toEqual({ type: "any" });
    expect(b).toMatchObject({ model: "claude-test", stream: true, max_tokens: 4096, temperature: 0.5, top_p: 0.8, stop_sequences: ["STOP"] });
    for (const k of ["seed", "frequency_penalty", "response_format", "stop", "stream_options"]) expect(b).not.toHaveProperty(k);
  });

  test("max_tokens: from sampling, else the configured default", async () => {
    expect(buildAnthropicBody({ ...user("a"), sampling: { maxTokens: 99 } }).max_tokens).toBe(99);
    expect(buildAnthropicBody(user("a"), 1234).max_tokens).toBe(1234);
    await collect(createAnthropicMessagesProvider(config(), { defaultMaxTokens: 777 }).stream(user("anth-maxtok")));
    expect((await requestsWith("anth-maxtok"))[0].body.max_tokens).toBe(777);
  });

  test("tool_choice mapping: auto, none, named", () => {
    expect(buildAnthropicBody({ ...user("a"), toolChoice: "auto" }).tool_choice).toEqual({ type: "auto" });
    expect(buildAnthropicBody({ ...user("a"), toolChoice: "none" }).tool_choice).toEqual({ type: "none" });
    expect(buildAnthropicBody({ ...user("a"), toolChoice: { name: "t" } }).tool_choice).toEqual({ type: "tool", name: "t" });
    expect(buildAnthropicBody(user("a"))).not.toHaveProperty("system");
  });

  test("529 → overloaded after retries, with the Anthropic error message and type", async () => {
    const sleep = instantSleep();
    const err = await failure(createAnthropicMessagesProvider(config({ maxRetries: 2 }), { sleep }).stream(user("anth-529 [fail:529]")));
    expect([err.kind, err.status, err.code, err.message]).toEqual(["overloaded", 529, "overloaded_error", "provider anth: HTTP 529: scripted failure 529"]);
    expect(await requestsWith("anth-529")).toHaveLength(3);
    expect(sleep.delays).toEqual([250, 500]);
  });

  test("429 → rate_limit (retried), 500 → upstream (retried), 401 → auth and 400 → bad_request (not retried)", async () => {
    const p = createAnthropicMessagesProvider(config({ maxRetries: 1 }), { sleep: instantSleep() });
    for (const [status, kind, attempts] of [[429, "rate_limit", 2], [500, "upstream", 2], [401, "auth", 1], [400, "bad_request", 1], [404, "not_found", 1]] as const) {
      const err = await failure(p.stream(user(`anth-st${status} [fail:${status}]`)));
      expect([err.kind, err.status]).toEqual([kind, status]);
      expect(await requestsWith(`anth-st${status}`)).toHaveLength(attempts);
    }
  });

  test("an `error` event in the stream: overloaded_error → overloaded (retried while nothing was yielded)", async () => {
    const err = await failure(createAnthropicMessagesProvider(config({ maxRetries: 1 }), { sleep: instantSleep() }).stream(user("anth-sev [error:overloaded_error]")));
    expect([err.kind, err.code, err.message]).toEqual(["overloaded", "overloaded_error", "provider anth: stream error: overloaded_error: scripted overloaded_error"]);
    expect(await requestsWith("anth-sev")).toHaveLength(2);
    const bad = await failure(createAnthropicMessagesProvider(config({ maxRetries: 1 }), { sleep: instantSleep() }).stream(user("anth-sev2 [error:invalid_request_error]")));
    expect(bad.kind).toBe("bad_request");
    expect(await requestsWith("anth-sev2")).toHaveLength(1);
  });

  test("[slow:N] beyond timeoutMs → timeout", async () => {
    const started = performance.now();
    const err = await failure(createAnthropicMessagesProvider(config({ timeoutMs: 80, maxRetries: 0 })).stream(user("anth-slow [slow:20000]")));
    expect(err.kind).toBe("timeout");
    expect(err.message).toContain("upstream provider timeout");
    // The reply would come after 20 s; the loose bound only tells "timed out" from "waited for it".
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test("a stall after the first delta → timeout, and no retry since text was already yielded", async () => {
    const seen: StreamEvent[] = [];
    const err = await failure(createAnthropicMessagesProvider(config({ timeoutMs: 80 }), { sleep: instantSleep() }).stream(user("anth-stall [stall:3000]")), seen);
    expect(seen).toEqual([{ type: "text", delta: "echo:" }]);
    expect(err.kind).toBe("timeout");
    expect(await requestsWith("anth-stall")).toHaveLength(1);
  });

  test("abort mid-stream → aborted at once", async () => {
    const ac = new AbortController();
    const it = createAnthropicMessagesProvider(config()).stream({ ...user("anth-abort a b c d e f g h"), signal: ac.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ type: "text", delta: "echo:" });
    ac.abort();
    const err = await it.next().then(() => null, (e) => e);
    expect(err?.kind).toBe("aborted");
  });

  test("the API key never appears in error messages", async () => {
    const p = createAnthropicMessagesProvider(config({ maxRetries: 0 }));
    const errs = [
      await failure(p.stream(user(`[fail:401] ${KEY}`))),
      await failure(p.stream(user(`${KEY} [error:api_error]`))),
      await failure(createAnthropicMessagesProvider(config({ maxRetries: 0 }), {
        fetch: async () => jsonResponse(401, { type: "error", error: { type: "authentication_error", message: `invalid x-api-key ${KEY}` } }),
      }).stream(user("x"))),
    ];
    for (const e of errs) {
      expect(`${e.message} ${e.code} ${e.stack}`).not.toContain(KEY);
      expect(e.message).toStartWith("provider anth: ");
    }
    expect(errs[2]!.message).toBe("provider anth: HTTP 401: invalid x-api-key [redacted]");
  });
});

describe("anthropic stream parsing", () => {
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const run = (chunks: string[]) =>
    createAnthropicMessagesProvider({ id: "f", baseUrl: "http://x.invalid/v1", apiKey: "k", timeoutMs: 1000, maxRetries: 0 }, { fetch: scriptedFetch(() => sseResponse(chunks)) }).stream(user("a"));

  test("text and several tool_use blocks interleaved by index; cached input tokens count as input", async () => {
    const events = await collect(run([
      ev("message_start", { message: { usage: { input_tokens: 10, cache_read_input_tokens: 5, cache_creation_input_tokens: 2, output_tokens: 1 } } }),
      ev("content_block_start", { index: 0, content_block: { type: "thinking", thinking: "" } }),
      ev("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking: "hmm" } }),
      ev("content_block_stop", { index: 0 }),
      ev("content_block_start", { index: 1, content_block: { type: "text", text: "" } }),
      ev("content_block_delta", { index: 1, delta: { type: "text_delta", text: "Let me " } }),
      ev("content_block_delta", { index: 1, delta: { type: "text_delta", text: "check." } }),
      ev("content_block_stop", { index: 1 }),
      ev("content_block_start", { index: 2, content_block: { type: "tool_use", id: "tu_a", name: "a", input: {} } }),
      ev("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: '{"x":' } }),
      ev("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: " 1}" } }),
      ev("content_block_stop", { index: 2 }),
      ev("content_block_start", { index: 3, content_block: { type: "tool_use", id: "tu_b", name: "b", input: {} } }),
      ev("content_block_stop", { index: 3 }),
      ev("message_delta", { delta: { stop_reason: "tool_use" }, usage: { output_tokens: 42 } }),
      ev("message_stop", {}),
    ]));
    expect(events).toEqual([
      { type: "text", delta: "Let me " },
      { type: "text", delta: "check." },
      { type: "tool_call", call: { id: "tu_a", name: "a", arguments: '{"x": 1}' } },
      { type: "tool_call", call: { id: "tu_b", name: "b", arguments: "{}" } },
      { type: "finish", reason: "tool_calls", usage: { inputTokens: 17, outputTokens: 42 } },
    ]);
  });

  test("a stream that ends without message_stop is an upstream error", async () => {
    const err = await failure(run([ev("message_start", { message: { usage: { input_tokens: 1 } } }), ev("content_block_start", { index: 0, content_block: { type: "text", text: "hi" } })]));
    expect(err.kind).toBe("upstream");
    expect(err.message).toContain("message_stop");
  });

  test("a non-streamed message object is accepted too", async () => {
    const fetch = scriptedFetch(() => jsonResponse(200, {
      type: "message", role: "assistant", stop_reason: "max_tokens", usage: { input_tokens: 4, output_tokens: 8 },
      content: [{ type: "text", text: "whole" }, { type: "tool_use", id: "t1", name: "n", input: { q: 1 } }],
    }));
    const events = await collect(createAnthropicMessagesProvider({ id: "f", baseUrl: "http://x.invalid/v1", timeoutMs: 1000, maxRetries: 0 }, { fetch }).stream(user("a")));
    expect(events).toEqual([
      { type: "text", delta: "whole" },
      { type: "tool_call", call: { id: "t1", name: "n", arguments: '{"q":1}' } },
      { type: "finish", reason: "length", usage: { inputTokens: 4, outputTokens: 8 } },
    ]);
    expect(fetch.calls[0]!.url).toBe("http://x.invalid/v1/messages");
    expect((fetch.calls[0]!.init.headers as Record<string, string>)["x-api-key"]).toBeUndefined();
  });
});

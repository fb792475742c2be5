// The OpenAI-compatible adapter against the project's scripted upstream (test/fixtures/openai-stub.ts,
// a real HTTP server).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildOpenAIBody, createOpenAICompletionsProvider, encodeOpenAIBody } from "../../../src/agents/providers/openai-completions.ts";
import type { CompletionRequest, ProviderConfig, StreamEvent } from "../../../src/agents/providers/types.ts";
import { startUpstreamStub, type UpstreamStub } from "../../fixtures/upstream.ts";
import { closedPort, collect, failure, instantSleep, textOf } from "./helpers.ts";

let stub: UpstreamStub;
beforeAll(async () => {
  stub = await startUpstreamStub();
});
afterAll(() => stub?.stop());

const KEY = "sk-test-openai-0123456789";
const config = (over: Partial<ProviderConfig> = {}): ProviderConfig => ({
  id: "stub", baseUrl: stub.baseUrl, apiKey: KEY, timeoutMs: 5_000, maxRetries: 2, ...over,
});
const user = (content: string) => ({ model: "echo", messages: [{ role: "user" as const, content }] });

/** Requests the stub saw whose last user message contains `marker` (tests run against one shared stub). */
async function requestsWith(marker: string): Promise<any[]> {
  return (await stub.requests()).filter((r) => JSON.stringify(r.body?.messages ?? []).includes(marker));
}

describe("openai-completions against the upstream stub", () => {
  test("streams the echo word by word, then finish with usage", async () => {
    const p = createOpenAICompletionsProvider(config());
    const events = await collect(p.stream(user("hello there world")));
    const texts = events.filter((e) => e.type === "text");
    expect(texts.length).toBeGreaterThan(1); // really streamed, not one blob
    expect(textOf(events)).toBe("echo: hello there world");
    const fin = events.at(-1)!;
    expect(fin).toEqual({ type: "finish", reason: "stop", usage: { inputTokens: 17, outputTokens: 23 } });
    expect(events.filter((e) => e.type === "finish")).toHaveLength(1);
  });

  test("request shape: system first, history mapped, tools, sampling, auth and configured headers", async () => {
    const p = createOpenAICompletionsProvider(config({ headers: { "X-Custom": "yes" } }));
    await collect(p.stream({
      model: "echo",
      system: "You are terse.",
      messages: [
        { role: "user", content: "what is the weather" },
        { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "weather", arguments: '{"city":"Oslo"}' }] },
        { role: "tool", toolCallId: "c1", content: "rainy" },
        { role: "user", content: "shape-check" },
      ],
      tools: [{ name: "weather", description: "Weather now", parameters: { type: "object", properties: { city: { type: "string" } } } }],
      toolChoice: { name: "weather" },
      sampling: { temperature: 0.2, topP: 0.9, maxTokens: 64, stop: ["END"], seed: 7, frequencyPenalty: 0.1, presencePenalty: 0.3, responseFormat: { type: "json_object" } },
    }));
    const [req] = await requestsWith("shape-check");
    expect(req.path).toBe("/v1/chat/completions");
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers["x-custom"]).toBe("yes");
    expect(req.headers["content-type"]).toContain("application/json");
    const b = req.body;
    expect(b.stream).toBe(true);
    expect(b.stream_options).toEqual({ include_usage: true });
    expect(b.model).toBe("echo");
    expect(b.messages).toEqual([
      { role: "system", content: "You are terse." },
      { role: "user", content: "what is the weather" },
      { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "weather", arguments: '{"city":"Oslo"}' } }] },
      { role: "tool", tool_call_id: "c1", content: "rainy" },
      { role: "user", content: "shape-check" },
    ]);
    expect(b.tools).toEqual([{ type: "function", function: { name: "weather", description: "Weather now", parameters: { type: "object", properties: { city: { type: "string" } } } } }]);
    expect(b.tool_choice).toEqual({ type: "function", function: { name: "weather" } });
    expect(b).toMatchObject({ temperature: 0.2, top_p: 0.9, max_tokens: 64, stop: ["END"], seed: 7, frequency_penalty: 0.1, presence_penalty: 0.3, response_format: { type: "json_object" } });
  });

  test("no Authorization header without an API key; unset sampling fields are not sent", async () => {
    const p = createOpenAICompletionsProvider(config({ apiKey: undefined }));
    await collect(p.stream({ ...user("keyless-check"), toolChoice: "auto" }));
    const [req] = await requestsWith("keyless-check");
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body.tool_choice).toBe("auto");
    for (const k of ["temperature", "top_p", "max_tokens", "stop", "seed", "tools", "response_format"]) expect(req.body).not.toHaveProperty(k);
  });

  test("a tool call is assembled and the finish reason is tool_calls", async () => {
    const p = createOpenAICompletionsProvider(config());
    const events = await collect(p.stream(user("please [tool:get_time]")));
    expect(events.filter((e) => e.type !== "finish")).toEqual([{ type: "tool_call", call: { id: "call_stub_1", name: "get_time", arguments: "{}" } }]);
    expect(events.at(-1)).toMatchObject({ type: "finish", reason: "tool_calls" });
  });

  test("[fail:500] is retried maxRetries times, then fails as upstream with status and message", async () => {
    const sleep = instantSleep();
    const p = createOpenAICompletionsProvider(config({ maxRetries: 2 }), { sleep });
    const err = await failure(p.stream(user("retry-500 [fail:500]")));
    expect(err.kind).toBe("upstream");
    expect(err.status).toBe(500);
    expect(err.message).toBe("provider stub: HTTP 500: scripted failure 500");
    expect(err.retryable).toBe(true);
    expect(await requestsWith("retry-500")).toHaveLength(3);
    expect(sleep.delays).toEqual([250, 500]);
  });

  test("[fail:503] → overloaded, [fail:429] → rate_limit, both after retries", async () => {
    const p = createOpenAICompletionsProvider(config({ maxRetries: 1 }), { sleep: instantSleep() });
    const e503 = await failure(p.stream(user("k503 [fail:503]")));
    expect([e503.kind, e503.status, e503.message]).toEqual(["overloaded", 503, "provider stub: HTTP 503: scripted failure 503"]);
    const e429 = await failure(p.stream(user("k429 [fail:429]")));
    expect([e429.kind, e429.status]).toEqual(["rate_limit", 429]);
    expect(await requestsWith("k503")).toHaveLength(2);
    expect(await requestsWith("k429")).toHaveLength(2);
  });

  test("4xx are not retried: 401 → auth, 403 → permission, 404 → not_found, 400 → bad_request", async () => {
    const sleep = instantSleep();
    const p = createOpenAICompletionsProvider(config({ maxRetries: 3 }), { sleep });
    for (const [status, kind] of [[401, "auth"], [403, "permission"], [404, "not_found"], [400, "bad_request"], [422, "bad_request"]] as const) {
      const err = await failure(p.stream(user(`no-retry-${status} [fail:${status}]`)));
      expect([err.kind, err.status, err.retryable]).toEqual([kind, status, false]);
      expect(await requestsWith(`no-retry-${status}`)).toHaveLength(1);
    }
    expect(sleep.delays).toEqual([]);
  });

  test("the API key never appears in any error message", async () => {
    const secret = "sk-SECRET-never-print-me-42";
    const errors: Error[] = [];
    const p = createOpenAICompletionsProvider(config({ apiKey: secret, maxRetries: 0 }));
    for (const text of [`[fail:401] ${secret}`, "[fail:500]", "[fail:429]", `${secret} [fail:400]`]) errors.push(await failure(p.stream(user(text))));
    errors.push(await failure(createOpenAICompletionsProvider(config({ apiKey: secret, maxRetries: 0, timeoutMs: 50 })).stream(user("[slow:1000]"))));
    errors.push(await failure(createOpenAICompletionsProvider(config({ apiKey: secret, maxRetries: 0, baseUrl: `http://127.0.0.1:${closedPort()}/v1` })).stream(user("x"))));
    // An upstream that repeats the key back in its error message (OpenAI does this with a bad key).
    const echoing = async () => new Response(JSON.stringify({ error: { message: `Incorrect API key provided: ${secret}`, code: secret } }), { status: 401 });
    errors.push(await failure(createOpenAICompletionsProvider(config({ apiKey: secret, maxRetries: 0 }), { fetch: echoing }).stream(user("x"))));
    const throwing = async () => {
      throw new Error(`socket closed while sending Bearer ${secret}`);
    };
    errors.push(await failure(createOpenAICompletionsProvider(config({ apiKey: secret, maxRetries: 0 }), { fetch: throwing }).stream(user("x"))));
    const embedErr = await createOpenAICompletionsProvider(config({ apiKey: secret, maxRetries: 0 }), { fetch: echoing }).embed!({ model: "e", input: ["a"] }).catch((e) => e);
    errors.push(embedErr);
    expect(errors).toHaveLength(9);
    for (const e of errors) {
      const everything = `${e.message} ${String((e as any).code)} ${e.stack} ${JSON.stringify(e)}`;
      expect(everything).not.toContain(secret);
      expect(e.message).toContain("provider stub");
    }
    // The redaction is visible, so a reader can tell something was removed.
    expect(errors[6]!.message).toContain("[redacted]");
  });

  test("[slow:N] beyond timeoutMs → timeout; retried with backoff before giving up", async () => {
    const sleep = instantSleep();
    const p = createOpenAICompletionsProvider(config({ timeoutMs: 100, maxRetries: 1 }), { sleep });
    const started = performance.now();
    const err = await failure(p.stream(user("timeout-check [slow:3000]")));
    const took = performance.now() - started;
    // A timeout, not the reply 3 s later, is what shows the timer cut the wait; no upper bound on time.
    expect(err.kind).toBe("timeout");
    expect(err.message).toContain("upstream provider timeout");
    expect(err.message).toStartWith("provider stub: ");
    expect(took).toBeGreaterThanOrEqual(190); // two attempts of 100 ms each
    expect(await requestsWith("timeout-check")).toHaveLength(2);
    expect(sleep.delays).toEqual([250]);
  });

  test("the caller's signal aborts mid-stream → aborted, right away, and no retry", async () => {
    const ac = new AbortController();
    const p = createOpenAICompletionsProvider(config(), { sleep: instantSleep() });
    const seen: StreamEvent[] = [];
    const it = p.stream({ ...user("abort-mid one two three four five six seven eight"), signal: ac.signal })[Symbol.asyncIterator]();
    const first = await it.next();
    seen.push(first.value);
    expect(first.value).toEqual({ type: "text", delta: "echo:" });
    ac.abort();
    const err = await it.next().then(() => null, (e) => e);
    expect(err?.kind).toBe("aborted");
    expect(await requestsWith("abort-mid")).toHaveLength(1);
  });

  test("the caller's signal aborts while waiting for headers → aborted long before the reply", async () => {
    const p = createOpenAICompletionsProvider(config({ timeoutMs: 30_000 }));
    const started = performance.now();
    const err = await failure(p.stream({ ...user("abort-wait [slow:20000]"), signal: AbortSignal.timeout(50) }));
    expect(err.kind).toBe("aborted");
    // The reply would come after 20 s; the loose bound only tells "aborted at once" from "waited for it".
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test("an already-aborted signal fails without sending anything", async () => {
    const p = createOpenAICompletionsProvider(config());
    const err = await failure(p.stream({ ...user("pre-aborted"), signal: AbortSignal.abort() }));
    expect(err.kind).toBe("aborted");
    expect(await requestsWith("pre-aborted")).toHaveLength(0);
  });

  test("connection refused → unreachable, retried", async () => {
    const sleep = instantSleep();
    const p = createOpenAICompletionsProvider(config({ baseUrl: `http://127.0.0.1:${closedPort()}/v1`, maxRetries: 2 }), { sleep });
    const err = await failure(p.stream(user("x")));
    expect(err.kind).toBe("unreachable");
    expect(err.message).toContain("cannot reach http://127.0.0.1:");
    expect(sleep.delays).toHaveLength(2);
  });

  test("embeddings: one vector per input, in input order, with the request shape", async () => {
    const p = createOpenAICompletionsProvider(config());
    const vecs = await p.embed!({ model: "embed-echo", input: ["alpha", "beta", "gamma"], dimensions: 8 });
    expect(vecs).toHaveLength(3);
    for (const v of vecs) expect(v).toHaveLength(8);
    expect(vecs[0]).not.toEqual(vecs[1]);
    // Same text, same vector: the order follows the input.
    const again = await p.embed!({ model: "embed-echo", input: ["gamma", "alpha"] });
    expect(again).toEqual([vecs[2]!, vecs[0]!]);
    const reqs = (await stub.requests()).filter((r) => r.path === "/v1/embeddings");
    expect(reqs[0].body).toEqual({ model: "embed-echo", input: ["alpha", "beta", "gamma"], dimensions: 8 });
    expect(reqs[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(await p.embed!({ model: "embed-echo", input: [] })).toEqual([]);
  });
});

describe("encodeOpenAIBody", () => {
  const tools = [
    { name: "weather", description: "Weather now", parameters: { type: "object", properties: { city: { type: "string" } } } },
    { name: "bare" },
  ];
  const base: CompletionRequest = { model: "m", system: "sys", messages: [{ role: "user", content: 'say "tools" \u0000 }' }] };
  const cases: Array<[string, CompletionRequest]> = [
    ["no tools", base],
    ["an empty tool list", { ...base, tools: [] }],
    ["tools only", { ...base, tools }],
    ["tools and a tool choice", { ...base, tools, toolChoice: { name: "weather" } }],
    ["tools, choice and every sampling field", {
      ...base, tools, toolChoice: "required",
      sampling: { temperature: 0.2, topP: 0.9, maxTokens: 64, stop: ["}"], seed: 7, frequencyPenalty: 0.1, presencePenalty: 0.3, responseFormat: { type: "json_object" } },
    }],
    ["no model", { ...base, model: undefined as unknown as string, tools }],
  ];
  for (const [name, req] of cases) {
    test(`the same text as JSON.stringify(buildOpenAIBody(req)): ${name}`, () => {
      expect(encodeOpenAIBody(req)).toBe(JSON.stringify(buildOpenAIBody(req)));
    });
  }

  test("each tool list has its own encoding", () => {
    const first = encodeOpenAIBody({ ...base, tools });
    expect(encodeOpenAIBody({ ...base, tools })).toBe(first);
    const other = [{ name: "other" }];
    expect(JSON.parse(encodeOpenAIBody({ ...base, tools: other })).tools).toEqual([{ type: "function", function: { name: "other", parameters: { type: "object", properties: {} } } }]);
  });
});

// Retry, backoff, timeouts and stream edge cases, against scripted fetch doubles (no sockets).
import { describe, expect, test } from "bun:test";
import { createOpenAICompletionsProvider } from "../../../src/agents/providers/openai-completions.ts";
import { backoffMs, retryAfterMs } from "../../../src/agents/providers/transport.ts";
import type { ProviderConfig, StreamEvent } from "../../../src/agents/providers/types.ts";
import { collect, failure, instantSleep, jsonResponse, openAIChunks, scriptedFetch, sseResponse, textOf } from "./helpers.ts";

const cfg = (over: Partial<ProviderConfig> = {}): ProviderConfig => ({
  id: "fake", baseUrl: "http://upstream.invalid/v1/", apiKey: "sk-fake", timeoutMs: 1_000, maxRetries: 2, ...over,
});
const req = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };
const fail = (status: number, headers: Record<string, string> = {}) => () => jsonResponse(status, { error: { message: `nope ${status}`, type: "x" } }, headers);
const ok = () => sseResponse(openAIChunks(["fine"]));

describe("retries", () => {
  test("transient statuses are retried with exponential backoff, then succeed", async () => {
    const fetch = scriptedFetch(fail(503), fail(502), ok);
    const sleep = instantSleep();
    const p = createOpenAICompletionsProvider(cfg({ maxRetries: 3 }), { fetch, sleep });
    expect(textOf(await collect(p.stream(req)))).toBe("fine");
    expect(fetch.calls).toHaveLength(3);
    expect(sleep.delays).toEqual([250, 500]);
    expect(fetch.calls[0]!.url).toBe("http://upstream.invalid/v1/chat/completions"); // trailing slash trimmed
  });

  test("attempts are 1 + maxRetries; backoff grows and is capped at 4 s", async () => {
    const fetch = scriptedFetch(fail(500));
    const sleep = instantSleep();
    const p = createOpenAICompletionsProvider(cfg({ maxRetries: 6 }), { fetch, sleep });
    const err = await failure(p.stream(req));
    expect(err.kind).toBe("upstream");
    expect(fetch.calls).toHaveLength(7);
    expect(sleep.delays).toEqual([250, 500, 1000, 2000, 4000, 4000]);
  });

  test("maxRetries 0 means one attempt", async () => {
    const fetch = scriptedFetch(fail(429));
    const p = createOpenAICompletionsProvider(cfg({ maxRetries: 0 }), { fetch, sleep: instantSleep() });
    expect((await failure(p.stream(req))).kind).toBe("rate_limit");
    expect(fetch.calls).toHaveLength(1);
  });

  test("Retry-After (seconds) and retry-after-ms are honoured, and capped", async () => {
    const fetch = scriptedFetch(fail(429, { "retry-after": "3" }), fail(429, { "retry-after-ms": "1200" }), fail(429, { "retry-after": "3600" }), ok);
    const sleep = instantSleep();
    const p = createOpenAICompletionsProvider(cfg({ maxRetries: 3 }), { fetch, sleep });
    await collect(p.stream(req));
    expect(sleep.delays).toEqual([3000, 1200, 10_000]);
  });

  test("Retry-After parsing: seconds, HTTP date, junk", () => {
    const h = (o: Record<string, string>) => new Headers(o);
    expect(retryAfterMs(h({ "retry-after": "2" }))).toBe(2000);
    expect(retryAfterMs(h({ "retry-after": "Wed, 21 Oct 2015 07:28:10 GMT" }), Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"))).toBe(10_000);
    expect(retryAfterMs(h({ "retry-after": "soon" }))).toBeUndefined();
    expect(retryAfterMs(h({}))).toBeUndefined();
    expect(backoffMs(0)).toBe(250);
    expect(backoffMs(10)).toBe(4000);
  });

  test("4xx other than 408/429 are not retried", async () => {
    for (const status of [400, 401, 403, 404, 422]) {
      const fetch = scriptedFetch(fail(status));
      const p = createOpenAICompletionsProvider(cfg(), { fetch, sleep: instantSleep() });
      const err = await failure(p.stream(req));
      expect(err.status).toBe(status);
      expect(err.message).toBe(`provider fake: HTTP ${status}: nope ${status}`);
      expect(fetch.calls).toHaveLength(1);
    }
  });

  test("network errors are retried as unreachable", async () => {
    let n = 0;
    const fetch = scriptedFetch(() => {
      n++;
      throw new Error("Unable to connect. Is the computer able to access the url?");
    }, ok);
    const sleep = instantSleep();
    const p = createOpenAICompletionsProvider(cfg(), { fetch, sleep });
    expect(textOf(await collect(p.stream(req)))).toBe("fine");
    expect(n).toBe(1);
    expect(fetch.calls).toHaveLength(2);
  });

  test("never retried once a text delta has been yielded: a broken stream fails at once", async () => {
    const fetch = scriptedFetch(() => sseResponse(openAIChunks(["partial"], { finish: null, done: false }), { then: new Error("connection reset") }), ok);
    const p = createOpenAICompletionsProvider(cfg(), { fetch, sleep: instantSleep() });
    const seen: StreamEvent[] = [];
    const err = await failure(p.stream(req), seen);
    expect(seen).toEqual([{ type: "text", delta: "partial" }]);
    expect(err.kind).toBe("upstream");
    expect(err.message).toContain("stream interrupted");
    expect(fetch.calls).toHaveLength(1);
  });

  test("never retried once a text delta has been yielded: a stalled stream times out, no retry", async () => {
    const fetch = scriptedFetch(() => sseResponse(openAIChunks(["partial"], { finish: null, done: false }), { then: "hang" }), ok);
    const p = createOpenAICompletionsProvider(cfg({ timeoutMs: 60 }), { fetch, sleep: instantSleep() });
    const seen: StreamEvent[] = [];
    const err = await failure(p.stream(req), seen);
    expect(seen).toHaveLength(1);
    expect(err.kind).toBe("timeout");
    expect(err.message).toBe("provider fake: upstream provider timeout (no data within 60 ms)");
    expect(fetch.calls).toHaveLength(1);
  });

  test("a stream that stalls before any delta reached the caller is retried", async () => {
    // Only the empty role chunk arrives, then nothing: nothing was yielded, so another attempt is fine.
    const fetch = scriptedFetch(() => sseResponse(openAIChunks([], { finish: null, done: false }), { then: "hang" }), ok);
    const sleep = instantSleep();
    const p = createOpenAICompletionsProvider(cfg({ timeoutMs: 60 }), { fetch, sleep });
    expect(textOf(await collect(p.stream(req)))).toBe("fine");
    expect(fetch.calls).toHaveLength(2);
    expect(sleep.delays).toEqual([250]);
  });

  test("headers, then a body that never starts → idle timeout (not a header timeout)", async () => {
    const fetch = scriptedFetch(() => sseResponse([], { then: "hang" }));
    const p = createOpenAICompletionsProvider(cfg({ timeoutMs: 50, maxRetries: 0 }), { fetch });
    const err = await failure(p.stream(req));
    expect(err.message).toBe("provider fake: upstream provider timeout (no data within 50 ms)");
  });

  test("the idle timeout restarts on every chunk: a slow but steady stream is not cut", async () => {
    const enc = new TextEncoder();
    const chunks = openAIChunks(["a", "b", "c", "d", "e", "f"]);
    let i = 0;
    const slowBody = () =>
      new Response(new ReadableStream<Uint8Array>({
        async pull(c) {
          // The upstream's own pace, well under the 400 ms idle timeout (room for a busy machine's late
          // timers); 6 × 100 ms > 400 ms in total, so one timer for the whole stream would cut it.
          await Bun.sleep(100);
          if (i < chunks.length) c.enqueue(enc.encode(chunks[i++]!));
          else c.close();
        },
      }), { headers: { "content-type": "text/event-stream" } });
    const p = createOpenAICompletionsProvider(cfg({ timeoutMs: 400 }), { fetch: scriptedFetch(slowBody), sleep: instantSleep() });
    expect(textOf(await collect(p.stream(req)))).toBe("abcdef");
  });

  test("a consumer slower than the idle timeout does not trip it (only upstream waits count)", async () => {
    const p = createOpenAICompletionsProvider(cfg({ timeoutMs: 40 }), { fetch: scriptedFetch(() => sseResponse(openAIChunks(["a", "b", "c"]))) });
    const texts: string[] = [];
    for await (const ev of p.stream(req)) {
      if (ev.type === "text") texts.push(ev.delta);
      await Bun.sleep(60); // the consumer's own pace (e.g. a slow client), not synchronisation
    }
    expect(texts).toEqual(["a", "b", "c"]);
  });

  test("headers never arriving → timeout, retried, even with a fetch that ignores the signal", async () => {
    const fetch = scriptedFetch(() => new Promise<Response>(() => {}));
    const p = createOpenAICompletionsProvider(cfg({ timeoutMs: 40, maxRetries: 1 }), { fetch, sleep: instantSleep() });
    const err = await failure(p.stream(req));
    expect(err.kind).toBe("timeout");
    expect(err.message).toBe("provider fake: upstream provider timeout (no response within 40 ms)");
    expect(fetch.calls).toHaveLength(2);
  });

  test("aborting during the backoff sleep stops at once with aborted", async () => {
    const ac = new AbortController();
    const fetch = scriptedFetch(fail(503));
    const sleep = (ms: number) => {
      ac.abort();
      return new Promise<void>((r) => setTimeout(r, ms * 100));
    };
    const p = createOpenAICompletionsProvider(cfg(), { fetch, sleep });
    const started = performance.now();
    const err = await failure(p.stream({ ...req, signal: ac.signal }));
    expect(err.kind).toBe("aborted");
    // The backoff sleep itself would take 25 s; the loose bound only tells "stopped at once" from that.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(fetch.calls).toHaveLength(1);
  });

  test("breaking out of the loop cancels the body", async () => {
    let cancelled = false;
    const enc = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of openAIChunks(["x", "y"], { finish: null, done: false })) c.enqueue(enc.encode(ch));
      },
      cancel() {
        cancelled = true;
      },
    });
    const p = createOpenAICompletionsProvider(cfg(), { fetch: scriptedFetch(() => new Response(body, { headers: { "content-type": "text/event-stream" } })) });
    for await (const ev of p.stream(req)) if (ev.type === "text") break;
    expect(cancelled).toBe(true);
  });
});

describe("openai stream parsing", () => {
  const run = async (chunks: string[], opts?: Parameters<typeof sseResponse>[1]) =>
    collect(createOpenAICompletionsProvider(cfg({ maxRetries: 0 }), { fetch: scriptedFetch(() => sseResponse(chunks, opts)) }).stream(req));
  const sse = (obj: object) => `data: ${JSON.stringify(obj)}\n\n`;
  const choice = (delta: object, finish: string | null = null) => sse({ choices: [{ index: 0, delta, finish_reason: finish }] });

  test("tool-call fragments are joined by index, emitted in index order at finish_reason", async () => {
    const events = await run([
      choice({ role: "assistant", content: null }),
      choice({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "search", arguments: "" } }] }),
      choice({ tool_calls: [{ index: 1, id: "call_b", type: "function", function: { name: "fetch", arguments: '{"u' } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }),
      choice({ tool_calls: [{ index: 0, function: { arguments: '"cats"}' } }] }),
      choice({ tool_calls: [{ index: 1, function: { arguments: 'rl":"x"}' } }] }),
      choice({}, "tool_calls"),
      sse({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 9 } }),
      "data: [DONE]\n\n",
    ]);
    expect(events).toEqual([
      { type: "tool_call", call: { id: "call_a", name: "search", arguments: '{"q":"cats"}' } },
      { type: "tool_call", call: { id: "call_b", name: "fetch", arguments: '{"url":"x"}' } },
      { type: "finish", reason: "tool_calls", usage: { inputTokens: 5, outputTokens: 9 } },
    ]);
  });

  test("tool calls are emitted when the finish_reason arrives, before the stream ends", async () => {
    const ac = new AbortController();
    const fetch = scriptedFetch(() => sseResponse([
      choice({ tool_calls: [{ index: 0, id: "c", function: { name: "t", arguments: "{}" } }] }),
      choice({}, "tool_calls"),
    ], { then: "hang" }));
    const it = createOpenAICompletionsProvider(cfg({ maxRetries: 0 }), { fetch }).stream({ ...req, signal: ac.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ type: "tool_call", call: { id: "c", name: "t", arguments: "{}" } });
    ac.abort();
    await it.next().catch(() => {});
  });

  test("finish reasons: length, function_call → tool_calls, missing → stop, stop with tool calls → tool_calls", async () => {
    expect((await run(openAIChunks(["a"], { finish: "length" }))).at(-1)).toEqual({ type: "finish", reason: "length" });
    expect((await run([choice({ function_call: { name: "f", arguments: '{"a":1}' } }), choice({}, "function_call"), "data: [DONE]\n\n"]))).toEqual([
      { type: "tool_call", call: { id: "call_0", name: "f", arguments: '{"a":1}' } },
      { type: "finish", reason: "tool_calls" },
    ]);
    expect((await run(openAIChunks(["a"], { finish: null }))).at(-1)).toEqual({ type: "finish", reason: "stop" });
    expect((await run([choice({ tool_calls: [{ index: 0, id: "c", function: { name: "t", arguments: "{}" } }] }), choice({}, "stop"), "data: [DONE]\n\n"])).at(-1)).toEqual({ type: "finish", reason: "tool_calls" });
  });

  test("tolerates \\r\\n, comments, chunks split mid-line, and no final blank line", async () => {
    const doc = [": OPENROUTER PROCESSING", ...openAIChunks(["héllo", " wörld"], { usage: { prompt_tokens: 1, completion_tokens: 2 } })].join("").replaceAll("\n", "\r\n").replace(/\r\n\r\n$/, "");
    const pieces = doc.match(/[\s\S]{1,7}/g)!;
    const events = await run(pieces);
    expect(textOf(events)).toBe("héllo wörld");
    expect(events.at(-1)).toEqual({ type: "finish", reason: "stop", usage: { inputTokens: 1, outputTokens: 2 } });
  });

  test("the stream ends at [DONE] even if the connection stays open", async () => {
    const events = await run(openAIChunks(["a"]), { then: "hang" });
    expect(events.at(-1)).toEqual({ type: "finish", reason: "stop" });
  });

  test("a stream cut before any finish is an upstream error", async () => {
    const err = await failure(createOpenAICompletionsProvider(cfg({ maxRetries: 0 }), { fetch: scriptedFetch(() => sseResponse(openAIChunks(["a"], { finish: null, done: false }))) }).stream(req));
    expect(err.kind).toBe("upstream");
    expect(err.message).toContain("stream ended before the completion finished");
  });

  test("malformed JSON in the stream → upstream, not retried", async () => {
    const fetch = scriptedFetch(() => sseResponse(["data: {not json\n\n"]));
    const err = await failure(createOpenAICompletionsProvider(cfg(), { fetch, sleep: instantSleep() }).stream(req));
    expect(err.kind).toBe("upstream");
    expect(err.message).toContain("malformed stream chunk");
    expect(fetch.calls).toHaveLength(1);
  });

  test("an error object inside the stream becomes a ProviderError", async () => {
    const fetch = scriptedFetch(() => sseResponse([sse({ error: { message: "Rate limit reached", code: 429 } })]));
    const err = await failure(createOpenAICompletionsProvider(cfg({ maxRetries: 0 }), { fetch }).stream(req));
    expect([err.kind, err.status, err.message]).toEqual(["rate_limit", 429, "provider fake: stream error: Rate limit reached"]);
  });

  test("a server that ignores stream:true and answers one JSON completion still works", async () => {
    const fetch = scriptedFetch(() => jsonResponse(200, {
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "whole reply" } }],
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    }));
    const events = await collect(createOpenAICompletionsProvider(cfg(), { fetch }).stream(req));
    expect(events).toEqual([{ type: "text", delta: "whole reply" }, { type: "finish", reason: "stop", usage: { inputTokens: 3, outputTokens: 2 } }]);
  });

  test("HTTP error bodies that are not JSON still give a readable message", async () => {
    const fetch = scriptedFetch(() => new Response("upstream connect error", { status: 502, statusText: "Bad Gateway" }));
    const err = await failure(createOpenAICompletionsProvider(cfg({ maxRetries: 0 }), { fetch }).stream(req));
    expect(err.message).toBe("provider fake: HTTP 502: upstream connect error");
    const html = scriptedFetch(() => new Response("<html>bad</html>", { status: 504, statusText: "Gateway Timeout" }));
    const err2 = await failure(createOpenAICompletionsProvider(cfg({ maxRetries: 0 }), { fetch: html }).stream(req));
    expect([err2.kind, err2.message]).toEqual(["upstream", "provider fake: HTTP 504: Gateway Timeout"]);
  });
});

describe("openai embeddings", () => {
  test("vectors come back in index order even when the server reorders them; base64 is decoded", async () => {
    const b64 = Buffer.from(new Float32Array([0.5, -1]).buffer).toString("base64");
    const fetch = scriptedFetch(() => jsonResponse(200, { data: [{ index: 1, embedding: b64 }, { index: 0, embedding: [1, 2] }] }));
    const vecs = await createOpenAICompletionsProvider(cfg(), { fetch }).embed!({ model: "e", input: ["a", "b"] });
    expect(vecs).toEqual([[1, 2], [0.5, -1]]);
    expect(fetch.calls[0]!.url).toBe("http://upstream.invalid/v1/embeddings");
    expect(fetch.calls[0]!.body).toEqual({ model: "e", input: ["a", "b"] });
  });

  test("retried on 503, fails on 400 with the upstream message, missing vectors are an error", async () => {
    const fetch = scriptedFetch(fail(503), () => jsonResponse(200, { data: [{ index: 0, embedding: [1] }, { index: 1, embedding: [2] }] }));
    const sleep = instantSleep();
    expect(await createOpenAICompletionsProvider(cfg(), { fetch, sleep }).embed!({ model: "e", input: ["a", "b"] })).toEqual([[1], [2]]);
    expect(sleep.delays).toEqual([250]);
    const bad = await createOpenAICompletionsProvider(cfg(), { fetch: scriptedFetch(fail(400)) }).embed!({ model: "e", input: ["a"] }).catch((e) => e);
    expect([bad.kind, bad.message]).toEqual(["bad_request", "provider fake: HTTP 400: nope 400"]);
    const short = await createOpenAICompletionsProvider(cfg(), { fetch: scriptedFetch(() => jsonResponse(200, { data: [{ index: 0, embedding: [1] }] })) }).embed!({ model: "e", input: ["a", "b"] }).catch((e) => e);
    expect(short.kind).toBe("upstream");
    expect(short.message).toContain("missing index 1");
  });
});

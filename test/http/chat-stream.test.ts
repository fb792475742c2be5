import { describe, expect, test } from "bun:test";
import { ProviderError } from "../../src/agents/providers/types.ts";
import { AgentError } from "../../src/agents/types.ts";
import { json, parseSse, testApp } from "./helpers.ts";

const URL_ = "/v1/chat/completions";
const CHAT = { model: "openclaw/main", stream: true, messages: [{ role: "user", content: "ping two" }] };

type Chunk = { id: string; object: string; created: number; model: string; choices: { index: number; delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: unknown };

describe("chat completions streaming", () => {
  test("role chunk, content deltas in order, finish chunk, [DONE]", async () => {
    const { post, agents } = testApp();
    agents.script.push({ deltas: ["Hello ", "from ", "stub"] });
    const res = await post(URL_, CHAT);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const text = await res.text();
    const frames = parseSse(text);
    expect(frames.every((f) => f.event === undefined)).toBe(true);
    expect(frames.at(-1)!.data).toBe("[DONE]");
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    const chunks = json(frames) as Chunk[];
    expect(chunks.map((c) => c.choices[0]!.delta)).toEqual([{ role: "assistant" }, { content: "Hello " }, { content: "from " }, { content: "stub" }, {}]);
    expect(chunks.map((c) => c.choices[0]!.finish_reason)).toEqual([null, null, null, null, "stop"]);
    const id = chunks[0]!.id;
    expect(id).toMatch(/^chatcmpl_/);
    expect(agents.lastTurn.runId).toBe(id);
    for (const c of chunks) {
      expect(c).toMatchObject({ id, object: "chat.completion.chunk", created: chunks[0]!.created, model: "openclaw/main" });
    }
  });

  test("deltas are flushed as they arrive, before the run ends", async () => {
    const { post, agents } = testApp();
    agents.script.push({ deltas: ["first"], hang: true });
    const res = await post(URL_, CHAT);
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes('"first"')) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += new TextDecoder().decode(value);
    }
    expect(seen).toContain('"first"');
    expect(seen).not.toContain("[DONE]");
    await reader.cancel();
  });

  test("include_usage adds a usage chunk with empty choices", async () => {
    const { post } = testApp();
    const chunks = json(parseSse(await (await post(URL_, { ...CHAT, stream_options: { include_usage: true } })).text())) as Chunk[];
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 });
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
  });

  test("length finishes with finish_reason length and no warning text", async () => {
    const { post, agents } = testApp();
    agents.script.push({ deltas: ["cut"], finishReason: "length" });
    const text = await (await post(URL_, CHAT)).text();
    expect(text).not.toContain("truncated");
    expect((json(parseSse(text)) as Chunk[]).at(-1)!.choices[0]!.finish_reason).toBe("length");
  });

  test("tool calls: header chunk, 256-char argument slices, finish tool_calls", async () => {
    const { post, agents } = testApp();
    const args = JSON.stringify({ text: "x".repeat(600) });
    agents.script.push({ toolCalls: [{ id: "up", name: "note", arguments: args }] });
    const chunks = json(parseSse(await (await post(URL_, { ...CHAT, tools: [{ type: "function", function: { name: "note" } }] })).text())) as Chunk[];
    const deltas = chunks.map((c) => c.choices[0]?.delta);
    expect(deltas[0]).toEqual({ role: "assistant" });
    const head = (deltas[1]!.tool_calls as { index: number; id: string; type: string; function: { name: string; arguments: string } }[])[0]!;
    expect(head).toEqual({ index: 0, id: head.id, type: "function", function: { name: "note", arguments: "" } });
    expect(head.id).toMatch(/^[0-9a-f]{9}$/);
    const slices = deltas.slice(2, -1).map((d) => (d!.tool_calls as { index: number; function: { arguments: string } }[])[0]!);
    expect(slices.map((s) => s.function.arguments.length)).toEqual([256, 256, args.length - 512]);
    expect(slices.map((s) => s.function.arguments).join("")).toBe(args);
    expect(chunks.at(-1)!.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: "tool_calls" });
  });

  test("an error after the stream started: status stays 200, error frame, then [DONE]", async () => {
    const { post, agents } = testApp();
    agents.script.push({ deltas: ["par"], error: new AgentError("provider", "HTTP 500 from upstream", new ProviderError("upstream", "HTTP 500")) });
    const res = await post(URL_, CHAT);
    expect(res.status).toBe(200);
    const frames = parseSse(await res.text());
    expect(frames.map((f) => f.data).slice(-2)).toEqual([JSON.stringify({ error: { message: "upstream provider error", type: "api_error" } }), "[DONE]"]);
    expect((JSON.parse(frames[0]!.data) as Chunk).choices[0]!.delta).toEqual({ role: "assistant" });
    expect((JSON.parse(frames[1]!.data) as Chunk).choices[0]!.delta).toEqual({ content: "par" });
  });

  test("validation errors come before the stream, as plain JSON", async () => {
    const { post } = testApp();
    const res = await post(URL_, { ...CHAT, messages: [] });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });

  test("the client going away (request signal) aborts the run", async () => {
    const { app, agents } = testApp();
    agents.script.push({ hang: true });
    const controller = new AbortController();
    const res = await app.request(
      URL_,
      { method: "POST", body: JSON.stringify(CHAT), headers: { authorization: "Bearer http-test-token" }, signal: controller.signal },
      { server: { requestIP: () => ({ address: "203.0.113.9" }) } },
    );
    const turn = await agents.hanging;
    expect(turn.signal!.aborted).toBe(false);
    controller.abort();
    expect(turn.signal!.aborted).toBe(true);
    await res.body?.cancel().catch(() => {});
  });

  test("cancelling the response stream aborts the run", async () => {
    const { post, agents } = testApp();
    agents.script.push({ hang: true });
    const res = await post(URL_, CHAT);
    const turn = await agents.hanging;
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(turn.signal!.aborted).toBe(true);
  });
});

// The HTTP API end to end: a gateway in this process, its default agent on the real provider adapter
// pointed at the scripted upstream stub, called with plain fetch.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { startUpstreamStub, type UpstreamStub } from "../fixtures/upstream.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

let stub: UpstreamStub;
let gw: TestGateway;
let base: string;
beforeAll(async () => {
  stub = await startUpstreamStub();
  const config: OpenClawConfig = {
    gateway: { mode: "local", http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: true } } } },
    models: { providers: { stub: { baseUrl: stub.baseUrl, apiKey: "sk-upstream-secret", api: "openai-completions", timeoutSeconds: 2, maxRetries: 1, models: [{ id: "echo", name: "Echo" }] } } },
    agents: { defaults: { model: { primary: "stub/echo" }, memorySearch: { provider: "stub", model: "echo" } } },
  };
  gw = await startTestGateway({ config });
  base = gw.url.replace("ws://", "http://");
});
afterAll(async () => {
  await gw.stop();
  stub.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: "POST", headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("chat completions through the real provider adapter", () => {
  test("non-streaming: the echo comes back, the system prompt and sampling reach the provider", async () => {
    const res = await post("/v1/chat/completions", {
      model: "openclaw", temperature: 0.2,
      messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello e2e" }],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.choices[0].message.content).toBe("echo: hello e2e");
    expect(body.id).toMatch(/^chatcmpl_[0-9a-f-]{36}$/);
    const sent = (await stub.requests()).at(-1);
    expect(sent.headers.authorization).toBe("Bearer sk-upstream-secret");
    expect(sent.body.temperature).toBe(0.2);
    expect(sent.body.messages[0]).toEqual({ role: "system", content: "be brief" });
  });

  test("streaming: SSE chunks carry the echo word by word and end with [DONE]", async () => {
    const res = await post("/v1/chat/completions", { model: "openclaw", stream: true, messages: [{ role: "user", content: "one two three" }] });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const frames = (await res.text()).split("\n\n").filter(Boolean).map((f) => f.replace(/^data: /, ""));
    expect(frames.at(-1)).toBe("[DONE]");
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f));
    expect(chunks[0].choices[0].delta).toEqual({ role: "assistant" });
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("echo: one two three");
    expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBeGreaterThan(1);
  });

  test("an upstream 500 (after retries) is a 502 api_error that does not leak the provider key", async () => {
    const res = await post("/v1/chat/completions", { model: "openclaw", messages: [{ role: "user", content: "x [fail:500]" }] });
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(JSON.parse(text).error.type).toBe("api_error");
    expect(text).not.toContain("sk-upstream-secret");
  });

  test("an upstream that does not answer within the provider timeout is a 504", async () => {
    // The provider timeout is 2 s (room for a busy machine on every other request); the stub waits far longer.
    const res = await post("/v1/chat/completions", { model: "openclaw", messages: [{ role: "user", content: "x [slow:30000]" }] });
    expect(res.status).toBe(504);
  });

  test("x-openclaw-session-key keeps a conversation across requests", async () => {
    const h = { "x-openclaw-session-key": "e2e-conv" };
    await post("/v1/chat/completions", { messages: [{ role: "user", content: "first" }] }, h);
    await post("/v1/chat/completions", { messages: [{ role: "user", content: "second" }] }, h);
    const sent = (await stub.requests()).at(-1).body.messages.map((m: any) => `${m.role}:${m.content}`);
    expect(sent).toEqual(["user:first", "assistant:echo: first", "user:second"]);
  });
});

describe("responses and embeddings", () => {
  test("responses non-streaming and streaming", async () => {
    const r = (await (await post("/v1/responses", { model: "openclaw", input: "resp e2e" })).json()) as any;
    expect(r.output[0].content[0].text).toBe("echo: resp e2e");
    const s = await (await post("/v1/responses", { model: "openclaw", input: "stream e2e", stream: true })).text();
    const types = [...s.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(s.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  test("embeddings go through the agent's memorySearch provider", async () => {
    const r = (await (await post("/v1/embeddings", { model: "openclaw", input: ["alpha", "beta"] })).json()) as any;
    expect(r.data).toHaveLength(2);
    expect(r.data[0].embedding).toHaveLength(8);
    expect((await stub.requests()).at(-1).path).toBe("/v1/embeddings");
  });

  test("a wrong bearer is 401, and the WS token boundary is the same", async () => {
    const res = await fetch(`${base}/v1/models`, { headers: { authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { message: "Unauthorized", type: "unauthorized" } });
  });
});

import { describe, expect, test } from "bun:test";
import { ProviderSchema } from "../../../src/config/sections/models.ts";
import { createProvider, toProviderConfig } from "../../../src/agents/providers/index.ts";
import { collect, failure, instantSleep, jsonResponse, openAIChunks, scriptedFetch, sseResponse } from "./helpers.ts";

describe("createProvider", () => {
  test("defaults: openai-completions, 120 s timeout, 2 retries", () => {
    const settings = ProviderSchema.parse({ baseUrl: "http://127.0.0.1:11434/v1" });
    expect(toProviderConfig("ollama", settings)).toEqual({ id: "ollama", baseUrl: "http://127.0.0.1:11434/v1", timeoutMs: 120_000, maxRetries: 2 });
    const p = createProvider("ollama", settings);
    expect(p.id).toBe("ollama");
    expect(p.api).toBe("openai-completions");
    expect(typeof p.embed).toBe("function");
  });

  test("timeoutSeconds, maxRetries, apiKey and headers carry over", () => {
    const settings = ProviderSchema.parse({ baseUrl: "https://api.example.com/v1", apiKey: "k", timeoutSeconds: 2.5, maxRetries: 0, headers: { "x-a": "b" } });
    expect(toProviderConfig("ex", settings)).toEqual({ id: "ex", baseUrl: "https://api.example.com/v1", apiKey: "k", headers: { "x-a": "b" }, timeoutMs: 2500, maxRetries: 0 });
  });

  test("api anthropic-messages gives the Anthropic adapter, with the provider's maxTokens as default max_tokens", async () => {
    const fetch = scriptedFetch(() => jsonResponse(200, { type: "message", content: [{ type: "text", text: "hi" }], stop_reason: "end_turn" }));
    const p = createProvider("claude", ProviderSchema.parse({ baseUrl: "https://api.anthropic.com/v1", api: "anthropic-messages", apiKey: "k", maxTokens: 2048 }), { fetch });
    expect(p.api).toBe("anthropic-messages");
    expect(p.embed).toBeUndefined();
    await collect(p.stream({ model: "c", messages: [{ role: "user", content: "x" }] }));
    expect(fetch.calls[0]!.url).toBe("https://api.anthropic.com/v1/messages");
    expect(fetch.calls[0]!.body.max_tokens).toBe(2048);
  });

  test("the configured retries and timeout are the ones used", async () => {
    const fetch = scriptedFetch(() => jsonResponse(503, { error: { message: "busy" } }), () => sseResponse(openAIChunks(["ok"])));
    const p = createProvider("o", ProviderSchema.parse({ baseUrl: "http://x.invalid/v1", maxRetries: 0 }), { fetch, sleep: instantSleep() });
    expect((await failure(p.stream({ model: "m", messages: [{ role: "user", content: "x" }] }))).kind).toBe("overloaded");
    expect(fetch.calls).toHaveLength(1);
    const hang = scriptedFetch(() => new Promise<Response>(() => {}));
    const q = createProvider("o", ProviderSchema.parse({ baseUrl: "http://x.invalid/v1", maxRetries: 0, timeoutSeconds: 0.05 }), { fetch: hang });
    const err = await failure(q.stream({ model: "m", messages: [{ role: "user", content: "x" }] }));
    expect(err.message).toBe("provider o: upstream provider timeout (no response within 50 ms)");
  });
});

// usage.status on a gateway whose agents call the OpenAI and Anthropic stubs over HTTP: the rate-limit
// headers of each provider's last response and the token usage of the stored transcripts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { startAnthropicStub, RATE_LIMIT_RESET, RATE_LIMITS as A_LIMITS, type AnthropicStub } from "../fixtures/anthropic-stub.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { startOpenAIStub, RATE_LIMITS as O_LIMITS, type OpenAIStub } from "../fixtures/openai-stub.ts";
import { RawClient } from "../fixtures/ws-client.ts";

let openai: OpenAIStub;
let anthropic: AnthropicStub;
let gw: TestGateway;

beforeAll(async () => {
  openai = await startOpenAIStub();
  anthropic = await startAnthropicStub();
  const config: OpenClawConfig = {
    gateway: { mode: "local" },
    models: {
      providers: {
        oai: { baseUrl: openai.baseUrl, maxRetries: 0 },
        claude: { baseUrl: anthropic.baseUrl, api: "anthropic-messages", apiKey: "stub-key", maxRetries: 0 },
        idle: { baseUrl: "http://127.0.0.1:9/v1" },
      },
    },
    agents: { defaults: { model: "oai/echo" }, entries: { main: {}, writer: { model: "claude/claude-stub" } } },
  };
  gw = await startTestGateway({ config });
});
afterAll(async () => {
  await gw.stop();
  openai.stop();
  anthropic.stop();
});

const read = () => RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });

async function turn(agentId: string, message: string): Promise<any> {
  const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
  const id = crypto.randomUUID();
  const final = c.waitFor((f) => f.type === "res" && f.id === id && f.payload?.status !== "accepted", 20_000);
  c.send({ type: "req", id, method: "agent", params: { agentId, message, idempotencyKey: id, sessionKey: `s-${id}` } });
  const res = await final;
  c.close();
  return res;
}

async function usage(params: object = {}): Promise<any> {
  const c = await read();
  const r = await c.request("usage.status", params);
  c.close();
  expect(r.ok).toBe(true);
  return r.payload;
}

const row = (d: any, provider: string, model: string | null) => d.providers.find((p: any) => p.provider === provider && p.model === model);
const zero = { inputTokens: 0, outputTokens: 0, totalTokens: 0, calls: 0 };

describe("usage.status", () => {
  test("before any call: every configured provider and each agent's model, no rate limits, no usage", async () => {
    const d = await usage();
    expect(d.windows).toEqual(["24h", "30d"]);
    expect(d.usageSource).toBe("transcripts");
    expect(d.rateLimitsSince).toBeLessThanOrEqual(d.ts);
    expect(d.providers.map((p: any) => `${p.provider}/${p.model}`)).toEqual(["oai/echo", "claude/claude-stub", "idle/null"]);
    for (const p of d.providers) {
      expect(p).toMatchObject({ configured: true, lastCallAt: null, lastStatus: null, rateLimits: null, retryAfterMs: null, note: "no calls yet", byAgent: [] });
      expect(p.usage).toEqual({ "24h": zero, "30d": zero });
    }
    expect(row(d, "oai", "echo")).toMatchObject({ api: "openai-completions", isDefault: true });
    expect(row(d, "claude", "claude-stub")).toMatchObject({ api: "anthropic-messages", isDefault: false });
  });

  test("after an OpenAI-compatible turn: the x-ratelimit-* numbers and the transcript's tokens", async () => {
    const before = Date.now();
    const r = await turn("main", "hello there");
    expect(r.payload.status).toBe("ok");
    const d = await usage();
    const e = row(d, "oai", "echo");
    const input = "hello there".length;
    const output = "echo: hello there".length;
    expect(e.lastStatus).toBe(200);
    expect(e.lastCallAt).toBeGreaterThanOrEqual(before);
    expect(e.note).toBeUndefined();
    expect(e.rateLimits).toEqual({
      requests: { limit: O_LIMITS.requests, remaining: O_LIMITS.requests - 1, resetAt: e.lastCallAt + 1000 },
      tokens: { limit: O_LIMITS.tokens, remaining: O_LIMITS.tokens - input - output, resetAt: e.lastCallAt + 360_000 },
    });
    const used = { inputTokens: input, outputTokens: output, totalTokens: input + output, calls: 1 };
    expect(e.usage).toEqual({ "24h": used, "30d": used });
    expect(e.byAgent).toEqual([{ agentId: "main", usage: { "24h": used, "30d": used } }]);
    expect(row(d, "claude", "claude-stub").note).toBe("no calls yet");
  }, 30_000);

  test("after an Anthropic turn: the anthropic-ratelimit-* buckets and the writer agent's tokens", async () => {
    const r = await turn("writer", "hi claude");
    expect(r.payload.status).toBe("ok");
    const d = await usage();
    const e = row(d, "claude", "claude-stub");
    const input = "hi claude".length;
    const output = "echo: hi claude".length;
    const reset = Date.parse(RATE_LIMIT_RESET);
    expect(e.lastStatus).toBe(200);
    expect(e.rateLimits).toEqual({
      requests: { limit: A_LIMITS.requests, remaining: A_LIMITS.requests - 1, resetAt: reset },
      tokens: { limit: A_LIMITS.inputTokens + A_LIMITS.outputTokens, remaining: A_LIMITS.inputTokens + A_LIMITS.outputTokens - input - output, resetAt: reset },
      inputTokens: { limit: A_LIMITS.inputTokens, remaining: A_LIMITS.inputTokens - input, resetAt: reset },
      outputTokens: { limit: A_LIMITS.outputTokens, remaining: A_LIMITS.outputTokens - output, resetAt: reset },
    });
    const used = { inputTokens: input, outputTokens: output, totalTokens: input + output, calls: 1 };
    expect(e.byAgent).toEqual([{ agentId: "writer", usage: { "24h": used, "30d": used } }]);

    // agentId narrows the usage, not the rows or their rate limits.
    const only = await usage({ agentId: "writer" });
    expect(row(only, "oai", "echo").usage["30d"]).toEqual(zero);
    expect(row(only, "oai", "echo").rateLimits).not.toBeNull();
    expect(row(only, "claude", "claude-stub").usage["30d"]).toEqual(used);
  }, 30_000);

  test("a 429 with retry-after: the status, the wait, and the headers it came with", async () => {
    const r = await turn("main", "[fail:429][retry-after:7] too fast");
    expect(r.payload.status).not.toBe("ok");
    const d = await usage();
    const e = row(d, "oai", "echo");
    expect(e.lastStatus).toBe(429);
    expect(e.retryAfterMs).toBe(7000);
    expect(e.retryAt).toBe(e.lastCallAt + 7000);
    expect(e.rateLimits.requests).toEqual({ limit: O_LIMITS.requests, remaining: O_LIMITS.requests - 2, resetAt: e.lastCallAt + 1000 });
    // The failed call stored no assistant message: usage is still the first turn's.
    expect(e.usage["30d"].calls).toBe(1);
  }, 30_000);

  test("a caller without operator.read is refused", async () => {
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.approvals"] });
    const r = await c.request("usage.status", {});
    c.close();
    expect(r.ok).toBe(false);
    expect(r.error?.message).toContain("operator.read");
  });
});

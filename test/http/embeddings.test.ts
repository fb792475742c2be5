import { describe, expect, test } from "bun:test";
import { AgentError } from "../../src/agents/types.ts";
import { testApp } from "./helpers.ts";

const URL_ = "/v1/embeddings";
const invalid = (message: string) => ({ error: { message, type: "invalid_request_error" } });

describe("validation, in order", () => {
  const { post, agents } = testApp();
  test.each([
    ["missing model (checked before input)", { input: 5 }, "Missing `model`."],
    ["non-agent model", { model: "text-embedding-3-small", input: "x" }, "Invalid `model`. Use `openclaw` or `openclaw/<agentId>`."],
    ["missing input", { model: "openclaw" }, "`input` must be a string or an array of strings."],
    ["numeric input", { model: "openclaw", input: 5 }, "`input` must be a string or an array of strings."],
    ["non-string items", { model: "openclaw", input: ["a", 1] }, "input: Invalid input"],
    ["empty array", { model: "openclaw", input: [] }, "`input` must contain at least one non-empty string."],
    ["empty string", { model: "openclaw", input: "" }, "`input` must contain at least one non-empty string."],
    ["too many", { model: "openclaw", input: Array(129).fill("a") }, "Too many inputs (max 128)."],
    ["too long", { model: "openclaw", input: "a".repeat(8193) }, "Input too long (max 8192 chars)."],
    ["total too large", { model: "openclaw", input: Array(9).fill("a".repeat(8000)) }, "Total input too large (max 65536 chars)."],
    ["dimensions 0 (after input checks)", { model: "openclaw", input: "x", dimensions: 0 }, "dimensions: Too small: expected number to be >0"],
    ["unknown agent", { model: "openclaw/nope", input: "x" }, "Unknown agent 'nope'."],
    ["bad encoding_format", { model: "openclaw", input: "x", encoding_format: "hex" }, 'encoding_format: Invalid option: expected one of "float"|"base64"'],
  ])("%s", async (_name, body, message) => {
    const res = await post(URL_, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(invalid(message));
    expect(agents.embedCalls).toHaveLength(0);
  });
});

describe("embedding", () => {
  test("float response shape; a single string goes upstream as one-element array", async () => {
    const { post, agents } = testApp();
    const res = await post(URL_, { model: "openclaw/research", input: "alpha", user: "ignored" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2, 0.3, 0.4] }],
      model: "openclaw/research",
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
    expect(agents.embedCalls[0]).toMatchObject({ agentId: "research", input: ["alpha"] });
  });

  test("dimensions and x-openclaw-model are forwarded; the agent header wins", async () => {
    const { post, agents } = testApp();
    await post(URL_, { model: "openclaw", input: ["a", "b"], dimensions: 4 }, { "x-openclaw-model": "stub/embed-large", "x-openclaw-agent-id": "research" });
    expect(agents.embedCalls[0]).toMatchObject({ agentId: "research", input: ["a", "b"], opts: { dimensions: 4, modelOverride: "stub/embed-large" } });
  });

  test("base64 is little-endian float32 and round-trips", async () => {
    const { post, agents } = testApp();
    agents.embedResult = [[0.5, -1.25, 3.0e-3], [1, 2, 3]];
    const body = (await (await post(URL_, { model: "openclaw", input: ["a", "b"], encoding_format: "base64" })).json()) as { data: { embedding: string }[] };
    const decode = (b64: string) => {
      const bytes = Buffer.from(b64, "base64");
      return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    };
    expect(decode(body.data[0]!.embedding)).toEqual([0.5, -1.25, Math.fround(3.0e-3)]);
    expect(decode(body.data[1]!.embedding)).toEqual([1, 2, 3]);
    expect(Buffer.from(body.data[1]!.embedding, "base64").toString("hex")).toBe("0000803f0000004000004040");
  });

  test.each([
    ["provider failure", new AgentError("provider", "HTTP 500 with details"), 500, { message: "internal error", type: "api_error" }],
    ["anything thrown", new Error("socket hang up"), 500, { message: "internal error", type: "api_error" }],
    ["provider mismatch", new AgentError("invalid", "This agent does not allow that embedding provider on `/v1/embeddings`."), 400, { message: "This agent does not allow that embedding provider on `/v1/embeddings`.", type: "invalid_request_error" }],
    ["no memorySearch", new AgentError("not_configured", 'Agent "main" has no embedding provider (set agents.defaults.memorySearch.{provider,model}).'), 400, { message: 'Agent "main" has no embedding provider (set agents.defaults.memorySearch.{provider,model}).', type: "invalid_request_error" }],
  ])("%s → %d", async (_name, error, status, body) => {
    const { post, agents } = testApp();
    agents.embedResult = error;
    const res = await post(URL_, { model: "openclaw", input: "x" });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: body });
  });
});

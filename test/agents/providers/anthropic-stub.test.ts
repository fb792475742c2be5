// The Anthropic double itself: its non-streaming answer and error shape, since other tests lean on it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startAnthropicStub, type AnthropicStub } from "../../fixtures/anthropic-stub.ts";

let stub: AnthropicStub;
beforeAll(async () => {
  stub = await startAnthropicStub();
});
afterAll(() => stub?.stop());

const post = (body: object, key = "k") =>
  fetch(`${stub.baseUrl}/messages`, { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" }, body: JSON.stringify(body) });

test("non-streaming echo and tool_use", async () => {
  const r = await post({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "hi there" }] });
  expect(await r.json()).toMatchObject({ type: "message", role: "assistant", content: [{ type: "text", text: "echo: hi there" }], stop_reason: "end_turn" });
  const t = await post({ model: "m", max_tokens: 10, messages: [{ role: "user", content: [{ type: "text", text: "[tool:x]" }] }] });
  expect(await t.json()).toMatchObject({ content: [{ type: "tool_use", name: "x", input: {} }], stop_reason: "tool_use" });
});

test("scripted failures use the Anthropic error body; requests are recorded", async () => {
  const r = await post({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "[fail:529]" }] });
  expect(r.status).toBe(529);
  expect(await r.json()).toEqual({ type: "error", error: { type: "overloaded_error", message: "scripted failure 529" } });
  const missing = await post({ model: "m", messages: [{ role: "user", content: "no max" }] });
  expect(missing.status).toBe(400);
  const seen = await stub.requests();
  expect(seen.at(-1)).toMatchObject({ path: "/v1/messages", body: { messages: [{ content: "no max" }] } });
  expect(seen.at(-1).headers["x-api-key"]).toBe("k");
});

// `agent` with deliver:true and a `to` (what the published CLI sends for --to … --deliver): the
// reply also goes to that chat, once per run; and message.action send passes its options on.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { AGENT_CONFIG, startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { fakeChannel, type FakeChannel } from "../fixtures/fake-channel.ts";
import { TEST_TOKEN } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

let g: AgentTestGateway;
let fake: FakeChannel;
let c: RawClient;

beforeAll(async () => {
  fake = fakeChannel();
  const config = { ...AGENT_CONFIG, channels: { telegram: { botToken: "t" } } } as OpenClawConfig;
  g = await startAgentGateway({ config, channelAdapters: async () => fake });
  c = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.write"] });
  await waitUntil(() => fake.runs.has("default"), "the channel");
});
afterAll(async () => {
  c.close();
  await g.stop();
});

async function agent(params: Record<string, unknown>) {
  const id = crypto.randomUUID();
  c.send({ type: "req", id, method: "agent", params });
  return c.waitFor((f) => f.type === "res" && f.id === id && f.payload?.status !== "accepted");
}

const texts = () => fake.sent.filter((s) => s.kind === "text");

test("deliver:true + to sends the reply to the chat, once even when the request is repeated", async () => {
  const key = crypto.randomUUID();
  const res = await agent({ message: "summarise my day", idempotencyKey: key, to: "telegram:424242", deliver: true, channel: "telegram" });
  expect(res.payload.delivery).toMatchObject({ delivered: true, channel: "telegram", to: "424242" });
  expect(texts().map((s) => [s.to, s.text])).toEqual([["424242", "echo: summarise my day"]]);
  const again = await agent({ message: "summarise my day", idempotencyKey: key, to: "telegram:424242", deliver: true, channel: "telegram" });
  expect(again.payload.delivery.messageId).toBe(res.payload.delivery.messageId);
  expect(texts()).toHaveLength(1);
});

test("a delivery that fails is reported beside the reply; without deliver nothing is sent", async () => {
  const bad = await agent({ message: "hi", idempotencyKey: crypto.randomUUID(), to: "not a chat", deliver: true });
  expect(bad.ok).toBe(true);
  expect(bad.payload.delivery).toEqual({ delivered: false, error: "invalid target: not a chat" });
  const before = texts().length;
  await agent({ message: "quiet", idempotencyKey: crypto.randomUUID(), to: "424242" });
  expect(texts()).toHaveLength(before);
});

test("message.action send passes threadId, replyTo and silent to the channel", async () => {
  const res = await c.request("message.action", {
    channel: "telegram", action: "send", idempotencyKey: crypto.randomUUID(),
    params: { to: "telegram:-100123", message: "in the topic", threadId: "42", replyTo: "77", silent: true },
  });
  expect(res.ok).toBe(true);
  expect(texts().at(-1)).toMatchObject({ to: "-100123", text: "in the topic", extra: { threadId: "42", replyToId: "77", silent: true } });
});

// Hook runs on the real agent runtime and provider adapter, against the in-process OpenAI stub:
// what the model is sent (the framed, untrusted content) and what reaches the channel.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AgentRuntime } from "../../../src/agents/runtime.ts";
import { SessionStore } from "../../../src/agents/sessions.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { createHttpApp } from "../../../src/http/app.ts";
import type { HookSystemEvent } from "../../../src/http/hooks/types.ts";
import { createLogger } from "../../../src/logging/logger.ts";
import { startOpenAIStub, type OpenAIStub } from "../../fixtures/openai-stub.ts";
import { FakeDelivery, HOOK_TOKEN, UUID } from "./helpers.ts";

let stub: OpenAIStub;
let store: SessionStore;
let post: (path: string, body: unknown) => Promise<Response>;
const delivery = new FakeDelivery();
const systemEvents: HookSystemEvent[] = [];

beforeAll(async () => {
  stub = await startOpenAIStub();
  const config: OpenClawConfig = {
    gateway: { mode: "local" },
    models: { providers: { stub: { baseUrl: stub.baseUrl, apiKey: "sk-stub", api: "openai-completions", timeoutSeconds: 5, maxRetries: 0, models: [{ id: "echo", name: "Echo" }] } } },
    agents: { defaults: { model: { primary: "stub/echo" } } },
    hooks: { enabled: true, token: HOOK_TOKEN },
  };
  store = SessionStore.open(":memory:");
  const agents = new AgentRuntime({ config, store, logger: createLogger({ file: null, consoleLevel: "silent" }) });
  const app = createHttpApp({
    config: () => config,
    auth: () => ({ mode: "token", token: "gateway-token" }),
    agents,
    uptimeMs: () => 0,
    isDraining: () => false,
    hooks: { delivery, events: { systemEvents, queueSystemEvent: (e) => void systemEvents.push(e) } },
  });
  post = async (path, body) =>
    app.request(path, { method: "POST", body: JSON.stringify(body), headers: { authorization: `Bearer ${HOOK_TOKEN}` } }, { server: { requestIP: () => ({ address: "127.0.0.1" }) } });
});

afterAll(() => {
  stub.stop();
  store.close();
});

const lastUserText = async () => {
  const sent = (await stub.requests()).filter((r) => r.path === "/v1/chat/completions").at(-1);
  const user = sent.body.messages.filter((m: { role: string }) => m.role === "user").at(-1);
  return typeof user.content === "string" ? user.content : user.content.map((p: { text?: string }) => p.text ?? "").join("");
};

describe("a hook agent run on the real runtime", () => {
  test("the model gets the message framed as untrusted content; the reply is delivered to the channel", async () => {
    const res = await post("/hooks/agent", { message: "hook says hi", name: "CI", channel: "telegram", to: "424242", waitForCompletion: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { runId: string; completion: unknown };
    expect(body.runId).toMatch(UUID);
    expect(body.completion).toEqual({ status: "ok", replyDisposition: "visible", delivered: true, deliveryAttempted: true });

    const seen = await lastUserText();
    expect(seen).toContain(`Job ID: ${body.runId}`);
    expect(seen).toContain("SECURITY NOTICE");
    expect(seen).toContain("Source: Webhook");
    expect(seen).toContain("Task: CI");
    expect(seen).toContain(`BEGIN UNTRUSTED EXTERNAL CONTENT (job ${body.runId}) -----\nhook says hi\n`);

    // The stub echoes what it was sent; that echo is the reply the channel got.
    expect(delivery.sent.at(-1)).toEqual({ channel: "telegram", to: "424242", text: `echo: ${seen}` });
    // The turn is stored in the hook's own session.
    const history = store.history(`agent:main:hook:${body.runId}`);
    expect(history.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  test("a provider failure after admission: 200 with status error, and a failure event", async () => {
    const res = await post("/hooks/agent", { message: "boom [fail:400]", waitForCompletion: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { runId: string; completion: unknown };
    expect(body.completion).toEqual({ status: "error", replyDisposition: "empty", delivered: false, deliveryAttempted: false });
    expect(systemEvents.at(-1)).toMatchObject({ sessionKey: "agent:main:main", text: expect.stringContaining(`failed (run ${body.runId})`) });
  });

  test("an unknown model override fails before admission: 502", async () => {
    const res = await post("/hooks/agent", { message: "m", model: "nowhere/none" });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ ok: false, error: "hook agent run failed before entering the agent runner" });
  });
});

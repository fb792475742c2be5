// Hooks end to end: a gateway in this process on a real port, its agent on the real provider
// adapter pointed at the OpenAI stub, called with fetch from loopback.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { startOpenAIStub, type OpenAIStub } from "../fixtures/openai-stub.ts";

setDefaultTimeout(30_000);

const HOOK_TOKEN = "e2e-hook-token-abcdef";
let stub: OpenAIStub;
let gw: TestGateway;
let base: string;

beforeAll(async () => {
  stub = await startOpenAIStub();
  const config: OpenClawConfig = {
    gateway: { mode: "local" },
    models: { providers: { stub: { baseUrl: stub.baseUrl, apiKey: "sk-stub", api: "openai-completions", timeoutSeconds: 5, maxRetries: 0, models: [{ id: "echo", name: "Echo" }] } } },
    agents: { defaults: { model: { primary: "stub/echo" } } },
    hooks: { enabled: true, token: HOOK_TOKEN },
  };
  gw = await startTestGateway({ config });
  base = gw.url.replace("ws://", "http://");
});

afterAll(async () => {
  await gw.stop();
  stub.stop();
});

const hook = (path: string, body: unknown, token: string | undefined = HOOK_TOKEN) =>
  fetch(`${base}${path}`, { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {}, body: JSON.stringify(body) });

describe("hooks on a running gateway", () => {
  test("/hooks/agent with waitForCompletion runs a turn on the model and reports its completion", async () => {
    const res = await hook("/hooks/agent", { message: "hook says hi", waitForCompletion: true });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; runId: string; completion: unknown };
    expect(body.completion).toEqual({ status: "ok", replyDisposition: "visible", delivered: false, deliveryAttempted: false });
    const sent = (await stub.requests()).at(-1);
    expect(JSON.stringify(sent.body.messages)).toContain(`Job ID: ${body.runId}`);
  });

  test("/hooks/wake answers queued", async () => {
    const res = await hook("/hooks/wake", { text: "e2e wake" });
    expect(await res.json()).toEqual({ ok: true, mode: "now", eventOutcome: "queued" });
  });

  test("the gateway token is not a hook token, and the hook token opens no API route", async () => {
    const refused = await hook("/hooks/wake", { text: "x" }, TEST_TOKEN);
    expect([refused.status, await refused.text()]).toEqual([401, "Unauthorized"]);
    const api = await fetch(`${base}/tools/invoke`, { method: "POST", headers: { authorization: `Bearer ${HOOK_TOKEN}` }, body: '{"tool":"agents_list"}' });
    expect(api.status).toBe(401);
  });

  test("loopback is not exempt: 20 wrong tokens, then 429 Retry-After: 60; the right token still works and resets", async () => {
    // A right token first: it clears the failure the test above left for this address.
    expect((await hook("/hooks/wake", { text: "clear" })).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await hook("/hooks/wake", { text: "x" }, `wrong-${i}`)).status);
    expect(statuses).toEqual(Array(20).fill(401));
    const locked = await hook("/hooks/wake", { text: "x" }, "wrong");
    expect([locked.status, locked.headers.get("retry-after"), await locked.text()]).toEqual([429, "60", "Too Many Requests"]);
    expect((await hook("/hooks/wake", { text: "right token" })).status).toBe(200);
    expect((await hook("/hooks/wake", { text: "x" }, "wrong")).status).toBe(401);
    // The gateway's own door keeps its own count: its token still works from this address.
    const api = await fetch(`${base}/tools/invoke`, { method: "POST", headers: { authorization: `Bearer ${TEST_TOKEN}` }, body: '{"tool":"agents_list"}' });
    expect(api.status).toBe(200);
  });

  test("GET is 405 before auth; a query token is 400", async () => {
    const get = await fetch(`${base}/hooks/agent`);
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
    const query = await fetch(`${base}/hooks/agent?token=${HOOK_TOKEN}`, { method: "POST", body: "{}" });
    expect(query.status).toBe(400);
  });
});

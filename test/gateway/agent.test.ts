import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { TEST_TOKEN } from "../fixtures/gateway.ts";
import { RawClient, type Frame } from "../fixtures/ws-client.ts";

let gw: AgentTestGateway;
beforeAll(async () => {
  gw = await startAgentGateway();
});
afterAll(() => gw.stop());

const client = (scopes = ["operator.write"]) => RawClient.connect(gw.url, { token: TEST_TOKEN, scopes });

/** Sends a two-stage request and resolves with every res frame of that id once the final one is in. */
async function twoStage(c: RawClient, method: string, params: object): Promise<Frame[]> {
  const id = `ts-${crypto.randomUUID()}`;
  const final = c.waitFor((f) => f.type === "res" && f.id === id && !(f.ok && f.payload?.status === "accepted"), 10_000);
  c.send({ type: "req", id, method, params });
  await final;
  return c.frames.filter((f) => f.type === "res" && f.id === id);
}

describe("agents.list", () => {
  test("lists the default agent main", async () => {
    const c = await client(["operator.read"]);
    const r = await c.request("agents.list", {});
    expect(r.payload).toEqual({ defaultId: "main", mainKey: "main", scope: "per-sender", agents: [{ id: "main", isDefault: true, model: "fake/echo" }] });
    c.close();
  });
});

describe("agent", () => {
  test("answers twice on one id: accepted once the message is stored, then the final result", async () => {
    const c = await client();
    const key = crypto.randomUUID();
    const res = await twoStage(c, "agent", { message: "hello there", idempotencyKey: key, sessionKey: `s-${key}` });
    expect(res).toHaveLength(2);
    expect(res[0]!.payload).toMatchObject({ runId: key, status: "accepted", agentId: "main", sessionKey: `agent:main:s-${key}` });
    expect(typeof res[0]!.payload.acceptedAt).toBe("number");
    expect(res[1]!.payload).toMatchObject({ runId: key, status: "ok", summary: "completed", result: { payloads: [{ text: "echo: hello there", mediaUrl: null }] } });
    expect(res[1]!.payload.result.meta.agentMeta).toMatchObject({ provider: "fake", model: "echo" });

    const agentEvents = c.events("agent").filter((e) => e.payload.runId === key);
    expect(agentEvents.map((e) => e.payload.seq)).toEqual(agentEvents.map((_, i) => i + 1));
    const streams = agentEvents.map((e) => `${e.payload.stream}:${e.payload.data.phase ?? ""}`);
    expect(streams[0]).toBe("lifecycle:start");
    expect(streams[1]).toBe("lifecycle:model");
    expect(streams.at(-1)).toBe("lifecycle:end");
    expect(agentEvents.filter((e) => e.payload.stream === "assistant").at(-1)!.payload.data.text).toBe("echo: hello there");
    const chat = c.events("chat").filter((e) => e.payload.runId === key);
    expect(chat.at(-1)!.payload).toMatchObject({ state: "final", message: { role: "assistant", content: [{ type: "text", text: "echo: hello there" }] } });
    c.close();
  });

  test("a repeated idempotencyKey returns the cached final result at once and runs nothing", async () => {
    const c = await client();
    const key = crypto.randomUUID();
    await twoStage(c, "agent", { message: "only once", idempotencyKey: key });
    const calls = gw.provider.requests.length;
    const again = await twoStage(c, "agent", { message: "only once", idempotencyKey: key });
    expect(again).toHaveLength(1);
    expect(again[0]!.payload).toMatchObject({ runId: key, status: "ok", result: { payloads: [{ text: "echo: only once" }] } });
    expect(gw.provider.requests.length).toBe(calls);
    c.close();
  });

  test("the transcript is the model's context on the next turn", async () => {
    const c = await client();
    const session = `ctx-${crypto.randomUUID()}`;
    await twoStage(c, "agent", { message: "first", idempotencyKey: crypto.randomUUID(), sessionKey: session });
    await twoStage(c, "agent", { message: "second", idempotencyKey: crypto.randomUUID(), sessionKey: session });
    const last = gw.provider.requests.at(-1)!;
    expect(last.messages.map((m) => `${m.role}:${m.content}`)).toEqual(["user:first", "assistant:echo: first", "user:second"]);
    c.close();
  });

  test("a provider failure is an error res with the run payload, UNAVAILABLE and retryable", async () => {
    const c = await client();
    const key = crypto.randomUUID();
    const res = await twoStage(c, "agent", { message: "boom [fail:upstream]", idempotencyKey: key });
    const final = res.at(-1)!;
    expect(final.ok).toBe(false);
    expect(final.payload).toMatchObject({ runId: key, status: "error" });
    expect(final.error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
    expect(final.error!.message).toContain("scripted upstream");
    const err = c.events("agent").find((e) => e.payload.runId === key && e.payload.data.phase === "error");
    expect(err).toBeDefined();
    c.close();
  });

  test("past the deadline the run ends with AGENT_TIMEOUT", async () => {
    const c = await client();
    const key = crypto.randomUUID();
    const t0 = Date.now();
    // Streamed to the end, this reply would take over 30 s (5 s between words); the deadline is 250 ms.
    // The bound only tells "ended at the deadline" from "ran to the end", so it is loose on purpose.
    const res = await twoStage(c, "agent", { message: "a b c d e f [slow:5000]", idempotencyKey: key, timeout: 0.25 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    const final = res.at(-1)!;
    expect(final.error).toMatchObject({ code: "AGENT_TIMEOUT", retryable: true });
    expect(final.payload.status).toBe("timeout");
    c.close();
  });

  test("needs operator.write; /new needs admin", async () => {
    const reader = await client(["operator.read"]);
    expect((await reader.request("agent", { message: "x", idempotencyKey: "k" })).error!.message).toBe("missing scope: operator.write");
    const writer = await client(["operator.write"]);
    expect((await writer.request("agent", { message: "/new", idempotencyKey: crypto.randomUUID() })).error!.message).toBe("missing scope: operator.admin");
    expect((await writer.request("agent", { idempotencyKey: "k" })).error!.message).toBe("invalid agent params: must have required property 'message'");
    expect((await writer.request("agent", { message: "x", idempotencyKey: "k2", agentId: "nobody" })).error!.message).toBe("unknown agent: nobody");
    reader.close();
    writer.close();
  });
});

describe("chat", () => {
  test("chat.send answers 'started', streams chat events, and chat.history has both turns", async () => {
    const c = await client(["operator.write"]);
    const key = crypto.randomUUID();
    const session = `chat-${key}`;
    const final = c.waitFor((f) => f.event === "chat" && f.payload.runId === key && f.payload.state === "final");
    const r = await c.request("chat.send", { sessionKey: session, message: "hi chat", idempotencyKey: key });
    expect(r.payload).toEqual({ runId: key, status: "started" });
    expect((await final).payload.message.content[0].text).toBe("echo: hi chat");
    const deltas = c.events("chat").filter((e) => e.payload.runId === key && e.payload.state === "delta");
    expect(deltas.length).toBeGreaterThanOrEqual(2);
    const h = await c.request("chat.history", { sessionKey: session });
    expect(h.payload.sessionKey).toBe(`agent:main:${session}`);
    expect(h.payload.messages.map((m: any) => [m.role, m.content[0].text])).toEqual([["user", "hi chat"], ["assistant", "echo: hi chat"]]);
    expect(h.payload.messages[1].__openclaw).toMatchObject({ seq: 2, runId: key });
    c.close();
  });

  test("chat.abort stops a run mid-stream: aborted event, partial reply kept", async () => {
    const c = await client(["operator.write"]);
    const key = crypto.randomUUID();
    const session = `abort-${key}`;
    const firstDelta = c.waitFor((f) => f.event === "chat" && f.payload.runId === key && f.payload.state === "delta");
    await c.request("chat.send", { sessionKey: session, message: "one two three four five six [slow:60]", idempotencyKey: key });
    await firstDelta;
    const aborted = c.waitFor((f) => f.event === "chat" && f.payload.runId === key && f.payload.state === "aborted");
    const r = await c.request("chat.abort", { sessionKey: session });
    expect(r.payload).toEqual({ ok: true, aborted: true, runIds: [key] });
    expect((await aborted).payload.stopReason).toBe("rpc");
    const h = await c.request("chat.history", { sessionKey: session });
    const texts = h.payload.messages.map((m: any) => m.content[0].text);
    expect(texts[0]).toBe("one two three four five six [slow:60]");
    expect(texts[1]?.startsWith("echo:")).toBe(true);
    expect(texts[1]).not.toBe("echo: one two three four five six [slow:60]");
    expect((await c.request("chat.abort", { sessionKey: session })).payload).toEqual({ ok: true, aborted: false, runIds: [] });
    c.close();
  });

  test("sessions.list shows sessions, newest first, with counts", async () => {
    const c = await client(["operator.write"]);
    const key = crypto.randomUUID();
    const final = c.waitFor((f) => f.event === "chat" && f.payload.runId === key && f.payload.state === "final");
    await c.request("chat.send", { sessionKey: `list-${key}`, message: "for the list", idempotencyKey: key });
    await final;
    const r = await c.request("sessions.list", { limit: 2 });
    expect(r.payload.sessions[0]).toMatchObject({ key: `agent:main:list-${key}`, agentId: "main", messageCount: 2, status: "idle" });
    expect(r.payload.count).toBe(2);
    expect(r.payload.totalCount).toBeGreaterThan(2);
    expect(r.payload.hasMore).toBe(true);
    expect(r.payload.nextOffset).toBe(2);
    c.close();
  });
});

describe("persistence", () => {
  test("sessions survive a gateway restart on the same store", async () => {
    const first = await startAgentGateway();
    const c = await RawClient.connect(first.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
    await twoStage(c, "agent", { message: "remember me", idempotencyKey: crypto.randomUUID(), sessionKey: "keep" });
    c.close();
    await first.stop();
    const second = await startAgentGateway({ storePath: first.storePath });
    const d = await RawClient.connect(second.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    const h = await d.request("chat.history", { sessionKey: "keep" });
    expect(h.payload.messages.map((m: any) => m.content[0].text)).toEqual(["remember me", "echo: remember me"]);
    d.close();
    await second.stop();
  });
});

// Tool turns on the wire: item events to readers, the tool stream only to a starter that asked for
// tool-events (and as session.tool to sessions.subscribe sockets), per-run seq with gaps for the
// others, transcript rows as session.message and in chat.history, and the final res summary.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { TEST_TOKEN } from "../fixtures/gateway.ts";
import { scriptDirective } from "../fixtures/model-script.ts";
import { RawClient, type Frame } from "../fixtures/ws-client.ts";

let gw: AgentTestGateway;
beforeAll(async () => {
  gw = await startAgentGateway();
});
afterAll(async () => {
  await gw.stop();
});

const SCRIPT = scriptDirective([
  { calls: [{ name: "session_status", args: {} }, { name: "sessions_list", args: { limit: 5 } }] },
  { calls: [{ name: "nosuchtool" }] },
  { text: "two rounds done" },
]);

const agentEvents = (c: RawClient, runId: string) => c.events("agent").filter((f) => f.payload.runId === runId);

describe("agent tool events", () => {
  test("starter with tool-events sees the tool stream; a plain reader sees items with seq gaps; subscribers get session.*", async () => {
    const starter = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.write"], extra: { caps: ["tool-events"] } });
    const reader = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    const sub = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    expect((await sub.request("sessions.subscribe", {})).payload).toEqual({ subscribed: true });
    const runId = "tool-events-1";
    const res = await starter.request("agent", { message: `check ${SCRIPT}`, idempotencyKey: runId, sessionKey: "tools-a" });
    const final = res.payload.status === "accepted" ? await starter.waitFor((f) => f.type === "res" && f.id === res.id && f.payload?.status !== "accepted") : res;
    expect(final.ok).toBe(true);
    expect(final.payload.result.payloads[0].text).toBe("two rounds done");
    expect(final.payload.result.meta.toolSummary).toEqual({ calls: 3, tools: ["session_status", "sessions_list", "nosuchtool"], failures: 1, unresolvedError: { toolName: "nosuchtool" } });
    expect(final.payload.result.meta.agentMeta.assistantTurns).toBe(3);
    expect(final.payload.result.meta.agentMeta.terminalReceipt.successfulToolNames).toEqual(["session_status", "sessions_list"]);

    await reader.waitFor((f) => f.event === "chat" && f.payload.runId === runId && f.payload.state === "final");
    const mine = agentEvents(starter, runId);
    const theirs = agentEvents(reader, runId);
    const toolStream = mine.filter((f) => f.payload.stream === "tool");
    expect(toolStream.map((f) => [f.payload.data.phase, f.payload.data.name])).toEqual(expect.arrayContaining([["start", "session_status"], ["result", "sessions_list"], ["result", "nosuchtool"]]));
    expect(toolStream.find((f) => f.payload.data.phase === "start" && f.payload.data.name === "sessions_list")!.payload.data.args).toEqual({ limit: 5 });
    expect(theirs.some((f) => f.payload.stream === "tool")).toBe(false);
    // The run's seq counts every event, so the reader sees gaps where the tool stream was.
    const seqs = theirs.map((f) => f.payload.seq);
    expect(mine.map((f) => f.payload.seq)).toEqual(Array.from({ length: mine.length }, (_, i) => i + 1));
    expect(seqs.length).toBeLessThan(mine.length);
    // Items: start and end per call, failure marked, titles present.
    const items = theirs.filter((f) => f.payload.stream === "item").map((f) => f.payload.data);
    expect(items.filter((d) => d.phase === "start")).toHaveLength(3);
    const failed = items.find((d) => d.phase === "end" && d.name === "nosuchtool");
    expect(failed).toMatchObject({ itemId: "tool:call_2_0", status: "failed", kind: "tool", error: "Tool nosuchtool not found" });
    // A model lifecycle event before each provider call.
    expect(theirs.filter((f) => f.payload.stream === "lifecycle" && f.payload.data.phase === "model")).toHaveLength(3);

    // Subscribers: session.tool mirrors the tool stream; session.message has user, rounds and reply (no tool results).
    await sub.waitFor((f) => f.event === "session.message" && f.payload.message.content?.[0]?.text === "two rounds done");
    expect(sub.events("session.tool").length).toBe(toolStream.length);
    const roles = sub.events("session.message").filter((f) => f.payload.sessionKey === "agent:main:tools-a").map((f) => f.payload.message.role);
    expect(roles).toEqual(["user", "assistant", "assistant", "assistant"]);
    for (const c of [starter, reader, sub]) c.close();
  }, 20_000);

  test("chat.history shows toolCall blocks and toolResult rows", async () => {
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
    const h = await c.request("chat.history", { sessionKey: "tools-a" });
    expect(h.ok).toBe(true);
    const msgs = h.payload.messages;
    const round = msgs.find((m: any) => m.stopReason === "toolUse");
    expect(round.content).toEqual([
      { type: "toolCall", id: "call_1_0", name: "session_status", arguments: {} },
      { type: "toolCall", id: "call_1_1", name: "sessions_list", arguments: { limit: 5 } },
    ]);
    const results = msgs.filter((m: any) => m.role === "toolResult");
    expect(results.map((m: any) => [m.toolCallId, m.toolName, m.isError])).toEqual([
      ["call_1_0", "session_status", false], ["call_1_1", "sessions_list", false], ["call_2_0", "nosuchtool", true],
    ]);
    c.close();
  }, 20_000);

  test("chat.send runs tools too; unsubscribe stops session events", async () => {
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
    await c.request("sessions.subscribe", {});
    expect((await c.request("sessions.unsubscribe", {})).payload).toEqual({ subscribed: false });
    const runId = "chat-tools-1";
    const r = await c.request("chat.send", { sessionKey: "tools-b", message: `go ${scriptDirective([{ calls: [{ name: "agents_list" }] }, { text: "listed" }])}`, idempotencyKey: runId });
    expect(r.ok).toBe(true);
    const fin: Frame = await c.waitFor((f) => f.event === "chat" && f.payload.runId === runId && f.payload.state === "final");
    expect(fin.payload.message.content[0].text).toBe("listed");
    expect(c.events("agent").some((f) => f.payload.runId === runId && f.payload.stream === "item" && f.payload.data.name === "agents_list")).toBe(true);
    expect(c.events("session.message")).toHaveLength(0);
    c.close();
  }, 20_000);
});

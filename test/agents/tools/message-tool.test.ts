// The message tool against a fake channel service: send, broadcast, poll, react, dry runs, the
// idempotency keys that make a replayed call send nothing new, and the errors.
import { describe, expect, test } from "bun:test";
import { messageTool } from "../../../src/agents/tools/message-tool.ts";
import { ToolInputError, type ToolContext } from "../../../src/agents/tools/types.ts";
import { fakeChannels, toolContext, type FakeChannels } from "../../fixtures/tool-fakes.ts";

/** `null`: a gateway without the channel service. */
function setup(channels: FakeChannels | null = fakeChannels(), over: Partial<ToolContext> = {}) {
  const c = toolContext({ services: channels ? { channels } : {}, ...over });
  return { channels, run: (args: Record<string, unknown>) => messageTool.execute(args, c) };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolInputError);
  return (err as Error).message;
}

describe("no channels", () => {
  test("no service or nothing configured: channel is required", async () => {
    for (const s of [setup(null), setup(fakeChannels([]))]) {
      expect(await refusal(s.run({ action: "send", target: "1", message: "x" }))).toStartWith("Channel is required (no configured channels detected). ");
    }
  });
});

describe("send", () => {
  test("one target: the channel's answer, keyed by run and tool call", async () => {
    const { channels, run } = setup();
    const r = await run({ action: "send", target: "424242", message: "dinner at 8", replyTo: "77", threadId: "9" });
    expect(r.details).toEqual({ ok: true, action: "send", to: "424242", channel: "telegram", chatId: "424242", messageId: "101" });
    expect(channels!.calls[0]).toEqual({ op: "send", req: { to: "424242", message: "dinner at 8", replyTo: "77", threadId: "9", idempotencyKey: "tool:run-1:call_1" } });
  });

  test("a replayed call (same run and call id) returns the first answer and sends nothing new", async () => {
    const channels = fakeChannels();
    const first = await setup(channels).run({ action: "send", target: "1", message: "once" });
    const again = await setup(channels).run({ action: "send", target: "1", message: "once" });
    expect(again.details).toEqual(first.details);
    expect(channels.seen.size).toBe(1);
    const other = await setup(channels, { toolCallId: "call_2" }).run({ action: "send", target: "1", message: "once" });
    expect(other.details.messageId).not.toBe(first.details.messageId);
  });

  test("media, channel and account pass through; a direct call has no run id", async () => {
    const { channels, run } = setup(fakeChannels(["telegram", "whatsapp"]), { runId: undefined });
    await run({ action: "send", channel: "whatsapp", accountId: "work", target: "+15550001", media: "https://example.com/a.png" });
    expect(channels!.calls[0]!.req).toEqual({ channel: "whatsapp", accountId: "work", to: "+15550001", mediaUrl: "https://example.com/a.png", idempotencyKey: "tool:direct:call_1" });
  });

  test("dryRun sends nothing", async () => {
    const { channels, run } = setup();
    const r = await run({ action: "send", target: "1", message: "hi", dryRun: true });
    expect(r.details).toEqual({ ok: true, dryRun: true, action: "send", targets: ["1"], message: "hi" });
    expect(channels!.calls).toHaveLength(0);
  });

  test.each([
    [{ action: "send", message: "x" }, "target required"],
    [{ action: "send", target: "1" }, "message or media required"],
    [{ action: "send", target: "1", message: "x", targets: "2" }, "targets must be an array of strings"],
    [{ action: "shout", target: "1" }, "Unknown action: shout (supported: send, broadcast, poll, react)"],
    [{ target: "1" }, "action required"],
  ])("%j → %s", async (args, message) => {
    expect(await refusal(setup().run(args))).toBe(message);
  });

  test("a channel failure is a tool error with its message", async () => {
    const channels = fakeChannels();
    channels.failTo.add("1");
    expect(await refusal(setup(channels).run({ action: "send", target: "1", message: "x" }))).toBe("message action=send failed: network down (1)");
  });
});

describe("broadcast", () => {
  test("each target gets its own key (…:<i>); one failure does not stop the rest", async () => {
    const channels = fakeChannels();
    channels.failTo.add("2");
    const r = await setup(channels).run({ action: "broadcast", targets: ["1", "2", "3"], message: "all hands" });
    expect(r.details).toMatchObject({ ok: false, action: "broadcast", sent: 2, failed: 1 });
    expect((r.details.results as { to: string; ok: boolean }[]).map((x) => [x.to, x.ok])).toEqual([["1", true], ["2", false], ["3", true]]);
    expect(channels.calls.map((c) => c.req.idempotencyKey)).toEqual(["tool:run-1:call_1:0", "tool:run-1:call_1:1", "tool:run-1:call_1:2"]);
  });

  test("send with several targets is a broadcast; every target failing is an error", async () => {
    const channels = fakeChannels();
    channels.failTo.add("1").add("2");
    expect(await refusal(setup(channels).run({ action: "send", targets: ["1", "2"], message: "x" }))).toBe("message action=send failed for every target: 1: network down (1); 2: network down (2)");
  });
});

describe("poll and react", () => {
  test("poll: question and options", async () => {
    const { channels, run } = setup();
    const r = await run({ action: "poll", target: "1", pollQuestion: "Lunch?", pollOption: ["pizza", "sushi"] });
    expect(r.details).toMatchObject({ ok: true, action: "poll", to: "1", messageId: "101" });
    expect(channels!.calls[0]!.req).toEqual({ to: "1", question: "Lunch?", options: ["pizza", "sushi"], idempotencyKey: "tool:run-1:call_1" });
    expect(await refusal(run({ action: "poll", target: "1", pollQuestion: "Lunch?", pollOption: ["pizza"] }))).toBe("pollOption needs at least 2 options");
    expect(await refusal(run({ action: "poll", targets: ["1", "2"], pollQuestion: "q", pollOption: ["a", "b"] }))).toBe("poll takes one target");
  });

  test("react: messageId and emoji", async () => {
    const { channels, run } = setup();
    const r = await run({ action: "react", target: "1", messageId: "55", emoji: "👍" });
    expect(r.details).toEqual({ ok: true, action: "react", to: "1", messageId: "55", emoji: "👍" });
    expect(channels!.calls[0]!.req).toEqual({ to: "1", messageId: "55", emoji: "👍" });
    expect(await refusal(run({ action: "react", target: "1", emoji: "👍" }))).toBe("react needs messageId and emoji");
  });
});

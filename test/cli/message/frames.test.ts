// The message.action frames `openclaw message send|poll|react` send, compared with the published
// CLI's captured frames (spec channels §4), the channel choice, repeated flags, and the output.
import { describe, expect, test } from "bun:test";
import { UsageError } from "../../../src/cli/errors.ts";
import {
  actionFrame, actionJson, actionLines, pollParams, reactParams, repeatedFlag, resolveMessageTarget, sendParams,
} from "../../../src/cli/message/frames.ts";

const none = () => {
  throw new Error("the local config must not be read when the channel is known");
};

describe("resolveMessageTarget", () => {
  test("--channel, else the target's prefix, else the only configured channel", () => {
    expect(resolveMessageTarget("Telegram", "424242", none)).toEqual({ channel: "telegram", target: "424242", to: "telegram:424242" });
    expect(resolveMessageTarget(undefined, "tg:-100123:topic:42", none)).toEqual({ channel: "telegram", target: "tg:-100123:topic:42", to: "telegram:-100123:topic:42" });
    expect(resolveMessageTarget(undefined, "wa:+15551234567", none).to).toBe("whatsapp:+15551234567");
    expect(resolveMessageTarget(undefined, "424242", () => ["telegram"]).channel).toBe("telegram");
    // A topic target is not a channel prefix.
    expect(resolveMessageTarget(undefined, "-100123:topic:42", () => ["telegram"]).to).toBe("telegram:-100123:topic:42");
  });

  test("no way to tell the channel, a blank target or --channel: usage errors", () => {
    expect(() => resolveMessageTarget(undefined, "1", () => [])).toThrow("--channel is required");
    expect(() => resolveMessageTarget(undefined, "1", () => ["telegram", "whatsapp"])).toThrow("configured: telegram, whatsapp");
    expect(() => resolveMessageTarget("telegram", " ", none)).toThrow(UsageError);
    expect(() => resolveMessageTarget(" ", "1", none)).toThrow(UsageError);
  });
});

describe("frames", () => {
  const t = { channel: "telegram", target: "424242", to: "telegram:424242" };
  const opts = { json: true, idempotencyKey: "k-1" };

  test("send: the published frame (spec §4 captured CLI frames), minus its agent/session hints", () => {
    expect(actionFrame("send", t, sendParams({ message: "via sniff" }), opts)).toEqual({
      channel: "telegram", action: "send",
      params: {
        pin: false, gifPlayback: false, forceDocument: false, silent: false, json: true, dryRun: false, verbose: false,
        channel: "telegram", target: "424242", message: "via sniff", action: "send", to: "telegram:424242",
      },
      senderIsOwner: true, conversationReadOrigin: "direct-operator", idempotencyKey: "k-1",
    });
    const frame = actionFrame("send", t, sendParams({ message: "x", silent: true, threadId: "42", replyTo: "7" }), { ...opts, accountId: "work" });
    expect(frame).toMatchObject({ accountId: "work", params: { silent: true, threadId: "42", replyTo: "7" } });
  });

  test("poll and react params", () => {
    expect(actionFrame("poll", t, pollParams({ question: "Q", options: ["a", "b"] }), opts).params).toMatchObject({
      pollOption: ["a", "b"], pollMulti: false, pollAnonymous: false, pollPublic: false, pollQuestion: "Q", action: "poll", to: "telegram:424242",
    });
    expect(actionFrame("react", t, reactParams({ messageId: "1003", emoji: "👍" }), opts).params).toMatchObject({
      remove: false, fromMe: false, messageId: "1003", emoji: "👍", to: "telegram:424242",
    });
  });
});

describe("repeatedFlag", () => {
  test("every value, in order, in both spellings; stops at --", () => {
    expect(repeatedFlag(["--poll-option", "a", "--x", "--poll-option=b=c", "--pollOption", "-5", "--", "--poll-option", "z"], "poll-option")).toEqual(["a", "b=c", "-5"]);
    expect(repeatedFlag(["--target", "1"], "poll-option")).toEqual([]);
    expect(() => repeatedFlag(["--poll-option"], "poll-option")).toThrow(UsageError);
  });
});

describe("output", () => {
  const t = { channel: "telegram", target: "424242", to: "telegram:424242" };

  test("--json: the published envelope with handledBy gateway", () => {
    const payload = { ok: true, messageId: "1003", chatId: "424242", receipt: {} };
    expect(actionJson("send", "telegram", payload)).toEqual({ action: "send", channel: "telegram", dryRun: false, handledBy: "gateway", messageId: "1003", payload });
    expect(actionJson("react", "telegram", { ok: true, added: "👍" })).not.toHaveProperty("messageId");
  });

  test("human lines", () => {
    expect(actionLines("send", t, { ok: true, messageId: "1003" })).toEqual(["Sent message 1003 to telegram:424242"]);
    expect(actionLines("poll", t, { ok: true, messageId: 9, warning: "Poll sent anonymously" })).toEqual(["Sent poll 9 to telegram:424242", "Warning: Poll sent anonymously"]);
    expect(actionLines("react", t, { ok: true, removed: "👍" }, "1003")).toEqual(["Reaction removed: 👍 (message 1003 in telegram:424242)"]);
  });
});

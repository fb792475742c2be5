import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { createTelegramAdapter } from "../../../src/channels/telegram/index.ts";
import { splitText } from "../../../src/channels/telegram/text.ts";
import { ChannelInputError } from "../../../src/channels/types.ts";
import { startTelegramDouble, type TelegramDouble } from "../../fixtures/telegram-double.ts";
import { accountFor, FAST, TOKEN } from "./helpers.ts";

let double: TelegramDouble;
beforeAll(async () => {
  double = await startTelegramDouble();
});
afterAll(() => double.stop());

const out = createTelegramAdapter(FAST).outbound;
let mark = 0;
beforeEach(() => {
  mark = double.calls.length;
});
/** Calls of `method` since the test began. */
const sentOf = (method: string) => double.calls.slice(mark).filter((c) => c.method === method);

async function rejection(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  expect(`${(err as Error).message} ${(err as Error).stack}`).not.toContain(TOKEN);
  return err as Error;
}

describe("sendText", () => {
  test("sendMessage with chat_id as a string, HTML-escaped text and parse_mode HTML", async () => {
    const res = await out.sendText(accountFor(double.url), "424242", "2 < 3 & 5 > 4 <b>not bold</b>");
    const [call] = sentOf("sendMessage");
    expect(call!.params).toEqual({ chat_id: "424242", text: "2 &lt; 3 &amp; 5 &gt; 4 &lt;b&gt;not bold&lt;/b&gt;", parse_mode: "HTML" });
    expect(res).toEqual({ messageId: expect.stringMatching(/^\d+$/), chatId: "424242" });
  });

  test("caller-written HTML goes out as is; a parse error falls back to plain text", async () => {
    await out.sendText(accountFor(double.url), "tg:424242", "<b>bold</b>", { parseMode: "HTML" });
    expect(sentOf("sendMessage")[0]!.params.text).toBe("<b>bold</b>");
    double.fail("sendMessage", { status: 400, description: "Bad Request: can't parse entities: unsupported start tag" });
    await out.sendText(accountFor(double.url), "424242", "<oops>", { parseMode: "HTML" });
    const [, failed, plain] = sentOf("sendMessage");
    expect(failed!.params.parse_mode).toBe("HTML");
    expect(plain!.params).toEqual({ chat_id: "424242", text: "<oops>" });
  });

  test("topics, replies and silent sends", async () => {
    await out.sendText(accountFor(double.url), "telegram:-100123:topic:42", "hi", { replyToId: "77", silent: true });
    expect(sentOf("sendMessage")[0]!.params).toEqual({
      chat_id: "-100123",
      message_thread_id: 42,
      text: "hi",
      parse_mode: "HTML",
      disable_notification: true,
      reply_parameters: { message_id: 77, allow_sending_without_reply: true },
    });
    // The General topic (1) is addressed without a thread id.
    await out.sendText(accountFor(double.url), "-100123", "general", { threadId: "1" });
    expect(sentOf("sendMessage")[1]!.params.message_thread_id).toBeUndefined();
    await out.sendText(accountFor(double.url), "@some_channel", "by name");
    expect(sentOf("sendMessage")[2]!.params.chat_id).toBe("@some_channel");
  });

  test("a chunk beyond Telegram's 4096 limit is split; the result is the last message", async () => {
    const text = `${"a".repeat(4000)}\n${"b".repeat(3000)}`;
    const res = await out.sendText(accountFor(double.url), "424242", text);
    const calls = sentOf("sendMessage");
    expect(calls.map((c) => c.params.text)).toEqual(["a".repeat(4000), "b".repeat(3000)]);
    expect(calls[1]!.params.reply_parameters).toBeUndefined();
    expect(res.messageIds).toHaveLength(2);
    expect(res.messageId).toBe((res.messageIds as string[])[1]!);
  });

  test("429 with retry_after is honoured", async () => {
    double.fail("sendMessage", { status: 429, description: "Too Many Requests: retry after 1", retryAfter: 1 });
    await out.sendText(accountFor(double.url), "424242", "eventually");
    const [a, b] = sentOf("sendMessage");
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(950);
  }, 8000);

  test("empty text and unknown targets are input errors; a rejected token is an error without the token", async () => {
    expect(await rejection(out.sendText(accountFor(double.url), "424242", "  "))).toBeInstanceOf(ChannelInputError);
    expect(await rejection(out.sendText(accountFor(double.url), "somebody", "hi"))).toBeInstanceOf(ChannelInputError);
    expect(await rejection(out.sendText(accountFor(double.url), "424242", "hi", { threadId: "x" }))).toBeInstanceOf(ChannelInputError);
    const err = await rejection(out.sendText(accountFor(double.url, {}, "123456789:bad-AAHdqTcvCH1vGWJxfSeofSAs0K5PAL"), "424242", "hi"));
    expect(err.message).toBe("Telegram sendMessage failed: 401 Unauthorized");
    expect(sentOf("sendMessage")).toHaveLength(1);
  });
});

describe("polls, reactions, typing", () => {
  test("sendPoll shape and result with pollId", async () => {
    const res = await out.sendPoll!(accountFor(double.url), "424242", { question: "Lunch?", options: ["pizza", "soup"] });
    expect(sentOf("sendPoll")[0]!.params).toEqual({
      chat_id: "424242",
      question: "Lunch?",
      options: [{ text: "pizza" }, { text: "soup" }],
      allows_multiple_answers: false,
      is_anonymous: true,
    });
    expect(res).toEqual({ messageId: expect.any(String), chatId: "424242", pollId: expect.stringMatching(/^\d+$/) });
    await out.sendPoll!(accountFor(double.url), "-100123:topic:5", { question: "Q", options: ["a", "b", "c"], maxSelections: 2, isAnonymous: false });
    expect(sentOf("sendPoll")[1]!.params).toMatchObject({ chat_id: "-100123", message_thread_id: 5, allows_multiple_answers: true, is_anonymous: false });
  });

  test("a poll result without poll.id is an error; bad options are input errors", async () => {
    double.fail("sendPoll", { json: { ok: true, result: { message_id: 5, chat: { id: 424242 } } } });
    expect((await rejection(out.sendPoll!(accountFor(double.url), "424242", { question: "Q", options: ["a", "b"] }))).message).toContain("poll.id");
    expect(await rejection(out.sendPoll!(accountFor(double.url), "424242", { question: "Q", options: ["a"] }))).toBeInstanceOf(ChannelInputError);
    expect(await rejection(out.sendPoll!(accountFor(double.url), "424242", { question: " ", options: ["a", "b"] }))).toBeInstanceOf(ChannelInputError);
  });

  test("react: setMessageReaction with a numeric message_id; remove sends an empty list", async () => {
    expect(await out.react!(accountFor(double.url), "424242", "1003", "👍")).toEqual({ ok: true, added: "👍" });
    expect(sentOf("setMessageReaction")[0]!.params).toEqual({ chat_id: "424242", message_id: 1003, reaction: [{ type: "emoji", emoji: "👍" }] });
    expect(await out.react!(accountFor(double.url), "424242", "1003", "👍", true)).toEqual({ ok: true, removed: "👍" });
    expect(sentOf("setMessageReaction")[1]!.params.reaction).toEqual([]);
    expect(await rejection(out.react!(accountFor(double.url), "424242", "abc", "👍"))).toBeInstanceOf(ChannelInputError);
  });

  test("sendTyping: sendChatAction with chat_id as a number; failures are swallowed", async () => {
    await out.sendTyping!(accountFor(double.url), "424242");
    await out.sendTyping!(accountFor(double.url), "-100123:topic:9");
    const [dm, topic] = sentOf("sendChatAction");
    expect(dm!.params).toEqual({ chat_id: 424242, action: "typing" });
    expect(topic!.params).toEqual({ chat_id: -100123, action: "typing", message_thread_id: 9 });
    double.fail("sendChatAction", { status: 400, description: "Bad Request: chat not found" });
    await out.sendTyping!(accountFor(double.url), "424242");
    await out.sendTyping!(accountFor(double.url), "not a target");
  });
});

describe("targets and text", () => {
  test.each([
    ["424242", "424242"],
    ["  tg:424242 ", "424242"],
    ["telegram:-100123", "-100123"],
    ["TELEGRAM:@Some_Bot", "@Some_Bot"],
    ["-100123:topic:42", "-100123:topic:42"],
    ["tg:-100123:topic:7", "-100123:topic:7"],
  ])("normalizeTarget(%p) = %p", (input, want) => {
    expect(out.normalizeTarget(input)).toBe(want);
  });

  test.each(["", "tg:", "somebody", "@ab", "424242:topic:", "whatsapp:+15551234567", "12.5", "@bad-name"])("normalizeTarget(%p) is an input error", (input) => {
    expect(() => out.normalizeTarget(input)).toThrow(ChannelInputError);
    expect(() => out.normalizeTarget(input)).toThrow(/Unknown Telegram target/);
  });

  test("splitText keeps pieces within the limit, prefers line breaks, never cuts a surrogate pair", () => {
    expect(splitText("short")).toEqual(["short"]);
    const emoji = "😀".repeat(3000);
    const pieces = splitText(emoji);
    expect(pieces.every((p) => p.length <= 4096)).toBe(true);
    expect(pieces.join("")).toBe(emoji);
    expect(pieces.every((p) => !/[\ud800-\udbff]$/.test(p))).toBe(true);
    expect(splitText(`${"x".repeat(3000)}\n${"y".repeat(3000)}`)).toEqual(["x".repeat(3000), "y".repeat(3000)]);
  });
});

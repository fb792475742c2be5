import { describe, expect, test } from "bun:test";
import { convertUpdate } from "../../../src/channels/telegram/inbound.ts";

const BOT = { id: 7000000001, username: "double_bot" };
const tess = { id: 424242, is_bot: false, first_name: "Tess", last_name: "Ter", username: "tess" };
const group = { id: -100123, type: "supergroup", title: "G" };

function msg(extra: Record<string, unknown>, chat: Record<string, unknown> = { id: 424242, type: "private" }) {
  return { update_id: 10, message: { message_id: 55, date: 1_700_000_000, from: tess, chat, text: "hello", ...extra } };
}

describe("convertUpdate", () => {
  test("a private message is a direct message from its sender", () => {
    expect(convertUpdate(msg({}), "default", BOT)).toEqual({
      kind: "message",
      updateId: 10,
      message: {
        channel: "telegram",
        accountId: "default",
        eventId: "10",
        chatId: "424242",
        chatType: "direct",
        sender: { id: "424242", name: "Tess Ter", username: "tess" },
        text: "hello",
        messageId: "55",
        ts: 1_700_000_000_000,
      },
    });
  });

  test.each([
    ["@double_bot hi", true],
    ["hey @Double_Bot, hi", true],
    ["/status@double_bot", true],
    ["@double_bot2 hi", false],
    ["no mention", false],
    ["mail me at x@double_botty.com", false],
  ])("group text %p → mentioned %p", (text, mentioned) => {
    const c = convertUpdate(msg({ text }, group), "default", BOT);
    expect(c?.kind).toBe("message");
    if (c?.kind === "message") {
      expect(c.message).toMatchObject({ chatType: "group", chatId: "-100123", mentioned });
    }
  });

  test("a reply to the bot's message counts as a mention; a reply to someone else does not", () => {
    const toBot = convertUpdate(msg({ text: "yes", reply_to_message: { message_id: 1, from: { id: BOT.id, is_bot: true } } }, group), "d", BOT);
    expect(toBot?.kind === "message" && toBot.message.mentioned).toBe(true);
    const toOther = convertUpdate(msg({ text: "yes", reply_to_message: { message_id: 1, from: tess } }, group), "d", BOT);
    expect(toOther?.kind === "message" && toOther.message.mentioned).toBe(false);
  });

  test("a text_mention entity naming the bot is a mention", () => {
    const c = convertUpdate(msg({ text: "Double hi", entities: [{ type: "text_mention", offset: 0, length: 6, user: { id: BOT.id } }] }, group), "d", BOT);
    expect(c?.kind === "message" && c.message.mentioned).toBe(true);
  });

  test("forum topics: chat id <chat>:topic:<thread>; the topic's creation message is no reply to the bot", () => {
    const c = convertUpdate(
      msg(
        {
          text: "in a topic",
          is_topic_message: true,
          message_thread_id: 42,
          reply_to_message: { message_id: 42, from: { id: BOT.id, is_bot: true }, forum_topic_created: { name: "t" } },
        },
        { ...group, is_forum: true },
      ),
      "d",
      BOT,
    );
    expect(c?.kind === "message" && c.message).toMatchObject({ chatId: "-100123:topic:42", threadId: "42", mentioned: false });
  });

  test("a reply thread in a plain group is not a topic", () => {
    const c = convertUpdate(msg({ message_thread_id: 9 }, group), "d", BOT);
    expect(c?.kind === "message" && c.message.chatId).toBe("-100123");
  });

  test("captions are the text; captionless media arrive as a placeholder", () => {
    const cap = convertUpdate(msg({ text: undefined, caption: "look", photo: [{}] }), "d", BOT);
    expect(cap?.kind === "message" && cap.message.text).toBe("look");
    const photo = convertUpdate(msg({ text: undefined, photo: [{}] }), "d", BOT);
    expect(photo?.kind === "message" && photo.message.text).toBe("<media:photo>");
  });

  test.each([
    ["edited_message update", { update_id: 11, edited_message: { message_id: 1 } }],
    ["message_reaction update", { update_id: 11, message_reaction: {} }],
    ["message from a bot", msg({ from: { id: 5, is_bot: true, first_name: "Other" } })],
    ["channel message", msg({}, { id: -1001, type: "channel" })],
    ["service message", msg({ text: undefined, new_chat_members: [tess] })],
  ])("skips: %s", (reason, update) => {
    expect(convertUpdate(update, "d", BOT)).toMatchObject({ kind: "skip", reason });
  });

  test.each([
    ["message not an object", { update_id: 12, message: "nope" }],
    ["no chat", { update_id: 12, message: { message_id: 1, text: "no chat" } }],
    ["no message_id", { update_id: 12, message: { chat: { id: 1, type: "private" }, text: "no id" } }],
    ["bad sender id", { update_id: 12, message: { message_id: 1, chat: { id: 1, type: "private" }, from: { id: "x" }, text: "bad sender" } }],
  ])("malformed message (%s) is reported with its update id", (_label, update) => {
    expect(convertUpdate(update, "d", BOT)).toMatchObject({ kind: "malformed", updateId: 12 });
  });

  test("without an update_id there is nothing to convert", () => {
    expect(convertUpdate({ message: {} }, "d", BOT)).toBeUndefined();
    expect(convertUpdate(null, "d", BOT)).toBeUndefined();
    expect(convertUpdate({ update_id: "1" }, "d", BOT)).toBeUndefined();
  });
});

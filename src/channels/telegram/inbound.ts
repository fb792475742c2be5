/**
 * One Bot API update → the router's InboundMessage, or a reason to skip it. Pure: the poller decides
 * what skipping means for the offset.
 */
import type { InboundMessage } from "../types.ts";
import { isRecord } from "./api.ts";

export interface BotIdentity {
  id: number;
  username?: string;
}

export type Converted =
  | { kind: "message"; updateId: number; message: InboundMessage }
  /** Well-formed but not for the assistant (edits, reactions, service messages, other bots). */
  | { kind: "skip"; updateId: number; reason: string }
  /** Has an update_id but not the shape Telegram documents. */
  | { kind: "malformed"; updateId: number; reason: string };

/** Media without a caption still reaches the router, as a placeholder it can answer or ignore. */
const MEDIA_KINDS = ["photo", "video", "voice", "audio", "document", "sticker", "animation", "video_note", "location", "contact", "poll"] as const;

/** Telegram's "GroupAnonymousBot" and channel senders are bots too; answering bots invites loops. */
function fromBot(from: Record<string, unknown>): boolean {
  return from.is_bot === true;
}

function textOf(msg: Record<string, unknown>): string | undefined {
  if (typeof msg.text === "string") return msg.text;
  if (typeof msg.caption === "string") return msg.caption;
  const media = MEDIA_KINDS.find((k) => msg[k] !== undefined);
  return media ? `<media:${media}>` : undefined;
}

/**
 * Mentioned = `@botname` in the text, a mention entity naming the bot, or a reply to one of the
 * bot's messages. In a forum topic every message "replies" to the topic's creation message, which
 * is no reply to the bot even when the bot opened the topic.
 */
export function isMentioned(msg: Record<string, unknown>, text: string, bot: BotIdentity | undefined): boolean {
  if (!bot) return false;
  if (bot.username) {
    const re = new RegExp(`@${bot.username.replace(/[^A-Za-z0-9_]/g, "")}(?![A-Za-z0-9_])`, "i");
    if (re.test(text)) return true;
  }
  const entities = Array.isArray(msg.entities) ? msg.entities : Array.isArray(msg.caption_entities) ? msg.caption_entities : [];
  for (const e of entities) {
    if (isRecord(e) && e.type === "text_mention" && isRecord(e.user) && e.user.id === bot.id) return true;
  }
  const reply = msg.reply_to_message;
  if (isRecord(reply) && reply.forum_topic_created === undefined && isRecord(reply.from) && reply.from.id === bot.id) return true;
  return false;
}

export function convertUpdate(update: unknown, accountId: string, bot: BotIdentity | undefined): Converted | undefined {
  if (!isRecord(update) || !Number.isSafeInteger(update.update_id)) return undefined;
  const updateId = update.update_id as number;
  const msg = update.message;
  if (msg === undefined) {
    const kind = Object.keys(update).find((k) => k !== "update_id") ?? "empty";
    return { kind: "skip", updateId, reason: `${kind} update` };
  }
  if (!isRecord(msg)) return { kind: "malformed", updateId, reason: "message is not an object" };
  const chat = msg.chat;
  if (!isRecord(chat) || !Number.isSafeInteger(chat.id) || typeof chat.type !== "string") {
    return { kind: "malformed", updateId, reason: "message without a valid chat" };
  }
  if (!Number.isSafeInteger(msg.message_id)) return { kind: "malformed", updateId, reason: "message without message_id" };
  const from = msg.from;
  if (from !== undefined && (!isRecord(from) || !Number.isSafeInteger(from.id))) {
    return { kind: "malformed", updateId, reason: "message with an invalid sender" };
  }
  if (chat.type === "channel") return { kind: "skip", updateId, reason: "channel message" };
  if (chat.type !== "private" && chat.type !== "group" && chat.type !== "supergroup") {
    return { kind: "skip", updateId, reason: `chat type ${chat.type}` };
  }
  if (!from) return { kind: "skip", updateId, reason: "message without a sender" };
  if (fromBot(from)) return { kind: "skip", updateId, reason: "message from a bot" };
  const text = textOf(msg);
  if (text === undefined) return { kind: "skip", updateId, reason: "service message" };

  const chatType = chat.type === "private" ? "direct" : "group";
  const thread = msg.is_topic_message === true && Number.isSafeInteger(msg.message_thread_id) ? String(msg.message_thread_id) : undefined;
  const name = [from.first_name, from.last_name].filter((p) => typeof p === "string" && p).join(" ");
  const message: InboundMessage = {
    channel: "telegram",
    accountId,
    eventId: String(updateId),
    chatId: thread ? `${chat.id}:topic:${thread}` : String(chat.id),
    chatType,
    sender: { id: String(from.id) },
    text,
    messageId: String(msg.message_id),
    ts: typeof msg.date === "number" ? msg.date * 1000 : Date.now(),
  };
  if (name) message.sender.name = name;
  if (typeof from.username === "string") message.sender.username = from.username;
  if (thread) message.threadId = thread;
  if (chatType === "group") message.mentioned = isMentioned(msg, text, bot);
  return { kind: "message", updateId, message };
}

/** Telegram send targets: numeric chat ids, @usernames and forum topics, with an optional channel prefix. */
import { ChannelInputError } from "../types.ts";

export interface Target {
  /** Numeric id as a string, or "@username". */
  chatId: string;
  threadId?: number;
}

const NUMERIC = /^-?\d{1,20}$/;
// Telegram usernames: a letter first, then letters, digits, underscores; we accept short legacy ones too.
const USERNAME = /^@[A-Za-z][A-Za-z0-9_]{2,31}$/;
const TOPIC = /^(-?\d{1,20}):topic:(\d{1,12})$/;

function stripPrefix(to: string): string {
  const s = to.trim();
  const m = /^(telegram|tg):/i.exec(s);
  return m ? s.slice(m[0].length).trim() : s;
}

function invalid(to: string): ChannelInputError {
  return new ChannelInputError(
    `Unknown Telegram target "${to}": use a numeric chat id (424242, or -100… for groups), @username, or <chatId>:topic:<threadId>`,
  );
}

export function parseTarget(to: string): Target {
  if (typeof to !== "string") throw invalid(String(to));
  const s = stripPrefix(to);
  if (NUMERIC.test(s)) return { chatId: String(BigInt(s)) };
  if (USERNAME.test(s)) return { chatId: s };
  const topic = TOPIC.exec(s);
  if (topic) return { chatId: String(BigInt(topic[1]!)), threadId: Number(topic[2]) };
  throw invalid(to);
}

export function normalizeTarget(to: string): string {
  const t = parseTarget(to);
  return t.threadId !== undefined ? `${t.chatId}:topic:${t.threadId}` : t.chatId;
}

/** A thread id from SendOptions/PollInput ("42"); a bad one is the caller's mistake, not Telegram's. */
export function parseThreadId(threadId: string | undefined): number | undefined {
  if (threadId === undefined || threadId === "") return undefined;
  if (!/^\d{1,12}$/.test(threadId)) throw new ChannelInputError(`Invalid Telegram thread id "${threadId}": expected a number`);
  return Number(threadId);
}

/**
 * Thread 1 is a forum's General topic, which Telegram addresses without message_thread_id (sending
 * with it fails "message thread not found").
 */
export function threadParam(threadId: number | undefined): Record<string, number> {
  return threadId !== undefined && threadId !== 1 ? { message_thread_id: threadId } : {};
}

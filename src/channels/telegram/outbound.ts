/**
 * Sends on behalf of the router and the outbound RPCs. Wire shapes follow the published gateway
 * (spec channels §3.3, §4): `chat_id` is a string on sendMessage/sendPoll/setMessageReaction and a
 * number on sendChatAction; replies go out as HTML.
 */
import { ChannelInputError, type ChannelAccount, type ChannelOutbound, type PollInput, type SendOptions, type SendResult } from "../types.ts";
import { apiRootOf, tokenOf } from "./account.ts";
import { createTelegramApi, isRecord, TelegramApiError, type TelegramApi } from "./api.ts";
import { SEND_RETRY, withSendRetry, type SendRetryPolicy } from "./retry.ts";
import { normalizeTarget, parseTarget, parseThreadId, threadParam } from "./targets.ts";
import { escapeHtml, splitText, TELEGRAM_TEXT_LIMIT } from "./text.ts";
import { checkMediaUrl, mediaKind, type MediaInput, type MediaKind } from "../media.ts";

/** Bot API method and field for each kind of media; all take a URL the Bot API fetches. */
const MEDIA_METHODS: Record<MediaKind, [method: string, field: string]> = {
  image: ["sendPhoto", "photo"], animation: ["sendAnimation", "animation"], video: ["sendVideo", "video"],
  audio: ["sendAudio", "audio"], voice: ["sendVoice", "voice"], document: ["sendDocument", "document"],
};
/** Telegram's caption limit; a longer caption follows the media as a message of its own. */
const CAPTION_LIMIT = 1024;

export interface OutboundOptions {
  timeouts?: Readonly<Record<string, number>>;
  retry?: SendRetryPolicy;
}

type Message = Record<string, unknown>;

function apiFor(account: ChannelAccount, opts: OutboundOptions): TelegramApi {
  const token = tokenOf(account);
  // Not the caller's input and not a link state: the send is unavailable until the config gives a token.
  if (!token) throw new Error(`Telegram account "${account.accountId}" has no bot token (${account.unconfiguredReason ?? "missing token"})`);
  return createTelegramApi({ token, apiRoot: apiRootOf(account), timeouts: opts.timeouts });
}

/** A sent Message → SendResult; a result without message_id is an answer we cannot report as sent. */
function resultOf(method: string, msg: unknown, fallbackChatId: string): SendResult & { message: Message } {
  if (!isRecord(msg) || !Number.isSafeInteger(msg.message_id)) {
    throw new TelegramApiError(method, "bad-response", 200, "result has no message_id");
  }
  const chat = isRecord(msg.chat) ? msg.chat : {};
  const chatId = chat.id !== undefined ? String(chat.id) : fallbackChatId;
  return { messageId: String(msg.message_id), chatId, message: msg };
}

/** Telegram's parse error for caller-written HTML; the text is then worth more than its markup. */
const PARSE_ERROR = /can't parse entities|unsupported start tag|can't find end tag/i;

export function createOutbound(opts: OutboundOptions = {}): ChannelOutbound {
  const policy = opts.retry ?? SEND_RETRY;

  async function sendText(account: ChannelAccount, to: string, text: string, so: SendOptions = {}): Promise<SendResult> {
    const target = parseTarget(to);
    if (typeof text !== "string" || text.trim() === "") throw new ChannelInputError("Telegram message text is empty");
    const threadId = parseThreadId(so.threadId) ?? target.threadId;
    const callerHtml = so.parseMode === "HTML";
    const api = apiFor(account, opts);
    const base: Record<string, unknown> = { chat_id: target.chatId, ...threadParam(threadId) };
    if (so.silent) base.disable_notification = true;
    const replyTo = so.replyToId !== undefined && /^\d+$/.test(so.replyToId) ? Number(so.replyToId) : undefined;

    const ids: string[] = [];
    let last: SendResult | undefined;
    for (const [i, piece] of splitText(text, TELEGRAM_TEXT_LIMIT).entries()) {
      const params = { ...base, text: callerHtml ? piece : escapeHtml(piece), parse_mode: "HTML" } as Record<string, unknown>;
      // Only the first piece answers the original message; the rest follow it.
      if (i === 0 && replyTo !== undefined) params.reply_parameters = { message_id: replyTo, allow_sending_without_reply: true };
      let msg: unknown;
      try {
        msg = await withSendRetry(() => api.call("sendMessage", params), policy);
      } catch (err) {
        if (!(callerHtml && err instanceof TelegramApiError && err.status === 400 && PARSE_ERROR.test(err.description))) throw err;
        const plain: Record<string, unknown> = { ...params, text: piece };
        delete plain.parse_mode;
        msg = await withSendRetry(() => api.call("sendMessage", plain), policy);
      }
      const { message: _m, ...res } = resultOf("sendMessage", msg, target.chatId);
      ids.push(res.messageId);
      last = res;
    }
    const out: SendResult = { ...last! };
    if (ids.length > 1) out.messageIds = ids;
    return out;
  }

  async function sendPoll(account: ChannelAccount, to: string, poll: PollInput): Promise<SendResult> {
    const target = parseTarget(to);
    const question = typeof poll.question === "string" ? poll.question.trim() : "";
    if (!question) throw new ChannelInputError("Telegram poll question is empty");
    const options = Array.isArray(poll.options) ? poll.options.map((o) => String(o).trim()) : [];
    if (options.length < 2 || options.length > 12 || options.some((o) => !o)) {
      throw new ChannelInputError("Telegram polls need 2 to 12 non-empty options");
    }
    const threadId = parseThreadId(poll.threadId) ?? target.threadId;
    const params: Record<string, unknown> = {
      chat_id: target.chatId,
      question,
      options: options.map((text) => ({ text })),
      allows_multiple_answers: (poll.maxSelections ?? 1) > 1,
      is_anonymous: poll.isAnonymous ?? true,
      ...threadParam(threadId),
    };
    if (poll.durationSeconds !== undefined) params.open_period = poll.durationSeconds;
    if (poll.silent) params.disable_notification = true;
    const api = apiFor(account, opts);
    const msg = await withSendRetry(() => api.call("sendPoll", params), policy);
    const { message, ...res } = resultOf("sendPoll", msg, target.chatId);
    const pollId = isRecord(message.poll) ? message.poll.id : undefined;
    if (typeof pollId !== "string" || !pollId) throw new TelegramApiError("sendPoll", "bad-response", 200, "result has no poll.id");
    return { ...res, pollId };
  }

  async function react(account: ChannelAccount, to: string, messageId: string, emoji: string, remove = false): Promise<Record<string, unknown>> {
    const target = parseTarget(to);
    if (!/^\d{1,12}$/.test(String(messageId))) throw new ChannelInputError(`Invalid Telegram message id "${messageId}": expected a number`);
    const e = typeof emoji === "string" ? emoji.trim() : "";
    if (!e && !remove) throw new ChannelInputError("Telegram reaction needs an emoji");
    const api = apiFor(account, opts);
    await withSendRetry(
      () =>
        api.call("setMessageReaction", {
          chat_id: target.chatId,
          message_id: Number(messageId),
          // Bots hold one reaction per message: an empty list removes it.
          reaction: remove ? [] : [{ type: "emoji", emoji: e }],
        }),
      policy,
    );
    return remove ? { ok: true, removed: e || null } : { ok: true, added: e };
  }

  /** Best effort by contract: a lost typing indicator must never fail or delay a turn, so errors are swallowed. */
  async function sendTyping(account: ChannelAccount, to: string): Promise<void> {
    try {
      const target = parseTarget(to);
      const chatId = target.chatId.startsWith("@") ? target.chatId : Number(target.chatId);
      await apiFor(account, opts).call("sendChatAction", { chat_id: chatId, action: "typing", ...threadParam(target.threadId) });
    } catch {
      // nothing to do: the reply itself is what counts
    }
  }

  async function sendMedia(account: ChannelAccount, to: string, media: MediaInput, so: SendOptions = {}): Promise<SendResult> {
    const target = parseTarget(to);
    const url = checkMediaUrl(media.url);
    const [method, field] = MEDIA_METHODS[mediaKind(media)];
    const api = apiFor(account, opts);
    const threadId = parseThreadId(so.threadId) ?? target.threadId;
    const params: Record<string, unknown> = { chat_id: target.chatId, [field]: url, ...threadParam(threadId) };
    if (so.silent) params.disable_notification = true;
    const caption = media.caption?.trim() ?? "";
    const inline = caption !== "" && caption.length <= CAPTION_LIMIT;
    if (inline) Object.assign(params, { caption: escapeHtml(caption), parse_mode: "HTML" });
    const msg = await withSendRetry(() => api.call(method, params), policy);
    const { message: _m, ...res } = resultOf(method, msg, target.chatId);
    if (caption !== "" && !inline) await sendText(account, to, caption, so);
    return res;
  }

  return { sendText, sendPoll, react, sendTyping, sendMedia, normalizeTarget };
}

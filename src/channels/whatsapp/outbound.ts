/**
 * Sends go through the socket the account's running task owns (one per account: a second socket on
 * the same creds would knock the first off with a 440). The registry of those sockets belongs to
 * one adapter instance, never to the module, so two gateways in one process do not share sockets.
 *
 * A send counts only when Baileys hands back the id of the message it queued; anything else throws
 * so the caller's retry and error paths run instead of reporting a message that never left.
 */
import type { AccountStatusPatch, ChannelAccount, ChannelOutbound, PollInput, SendOptions, SendResult } from "../types.ts";
import { checkMediaUrl, mediaKind, type MediaInput } from "../media.ts";
import { ChannelInputError, ChannelNotLinkedError } from "../types.ts";
import { authDirOf } from "./accounts.ts";
import type { WhatsAppSocket } from "./baileys.ts";
import { isLinked, type SelfIdentity } from "./creds.ts";
import { isGroupJid, normalizeTarget } from "./jid.ts";

export interface ActiveConnection {
  sock: WhatsAppSocket;
  self: SelfIdentity;
  setStatus(patch: AccountStatusPatch): void;
}

export class ConnectionRegistry {
  private readonly active = new Map<string, ActiveConnection>();
  /** Accounts whose run task is alive (connected or between reconnects). */
  private readonly running = new Map<string, number>();

  connected(accountId: string): ActiveConnection | undefined {
    return this.active.get(accountId);
  }

  setConnected(accountId: string, conn: ActiveConnection): void {
    this.active.set(accountId, conn);
  }

  /** Drops the entry only when it is still `sock`'s (a newer connection may have replaced it). */
  clearConnected(accountId: string, sock: WhatsAppSocket): void {
    if (this.active.get(accountId)?.sock === sock) this.active.delete(accountId);
  }

  taskStarted(accountId: string): void {
    this.running.set(accountId, (this.running.get(accountId) ?? 0) + 1);
  }

  taskEnded(accountId: string): void {
    const n = (this.running.get(accountId) ?? 1) - 1;
    if (n <= 0) this.running.delete(accountId);
    else this.running.set(accountId, n);
  }

  isRunning(accountId: string): boolean {
    return this.running.has(accountId);
  }
}

export function loginHint(accountId: string): string {
  return `openclaw channels login --channel whatsapp --account ${accountId}`;
}

/** The NOT_LINKED error of an account without a connected socket, saying what to do about it. */
export function notConnectedError(account: ChannelAccount, registry: ConnectionRegistry): ChannelNotLinkedError {
  const id = account.accountId;
  let linked = false;
  try {
    linked = isLinked(authDirOf(account));
  } catch {
    linked = account.configured;
  }
  if (!linked) return new ChannelNotLinkedError(`WhatsApp is not linked (account: ${id}). Link it with: ${loginHint(id)}`);
  if (registry.isRunning(id)) {
    return new ChannelNotLinkedError(`WhatsApp is not connected right now (account: ${id}); the gateway is reconnecting. Try again in a moment.`);
  }
  return new ChannelNotLinkedError(
    `WhatsApp is linked but not running (account: ${id}). Start the gateway, or the channel with: openclaw channels start --channel whatsapp --account ${id}`,
  );
}

function messageIdOf(res: Awaited<ReturnType<WhatsAppSocket["sendMessage"]>>, what: string): string {
  const id = res?.key?.id;
  if (typeof id !== "string" || id === "") throw new Error(`WhatsApp did not confirm the ${what} (no message id returned); it may not have been sent`);
  return id;
}

export function createOutbound(registry: ConnectionRegistry): ChannelOutbound {
  const connection = (account: ChannelAccount): ActiveConnection => {
    const conn = registry.connected(account.accountId);
    if (!conn) throw notConnectedError(account, registry);
    return conn;
  };
  const sent = (conn: ActiveConnection) => conn.setStatus({ lastOutboundAt: Date.now() });

  return {
    normalizeTarget,

    async sendText(account: ChannelAccount, to: string, text: string, _opts?: SendOptions): Promise<SendResult> {
      // Quoting (replyToId) needs the quoted message's content, which the gateway does not keep; replies are sent unquoted.
      const jid = normalizeTarget(to);
      if (text.trim() === "") throw new ChannelInputError("text is required");
      const conn = connection(account);
      const messageId = messageIdOf(await conn.sock.sendMessage(jid, { text }), "message");
      sent(conn);
      return { messageId, chatId: jid };
    },

    async sendMedia(account: ChannelAccount, to: string, media: MediaInput): Promise<SendResult> {
      const jid = normalizeTarget(to);
      const url = checkMediaUrl(media.url);
      const kind = mediaKind(media);
      const caption = media.caption?.trim() || undefined;
      const content: Record<string, unknown> =
        kind === "image" ? { image: { url }, caption }
        : kind === "animation" || kind === "video" ? { video: { url }, caption, ...(kind === "animation" ? { gifPlayback: true } : {}) }
        : kind === "audio" || kind === "voice" ? { audio: { url }, mimetype: media.contentType ?? "audio/mpeg", ptt: kind === "voice" }
        : { document: { url }, mimetype: media.contentType ?? "application/octet-stream", fileName: media.filename ?? url.split("/").pop() ?? "file", caption };
      for (const k of Object.keys(content)) if (content[k] === undefined) delete content[k];
      const conn = connection(account);
      const messageId = messageIdOf(await conn.sock.sendMessage(jid, content), "media");
      // Audio cannot carry a caption on WhatsApp: it follows as text.
      if (caption && (kind === "audio" || kind === "voice")) messageIdOf(await conn.sock.sendMessage(jid, { text: caption }), "caption");
      sent(conn);
      return { messageId, chatId: jid };
    },

    async sendPoll(account: ChannelAccount, to: string, poll: PollInput): Promise<SendResult> {
      const jid = normalizeTarget(to);
      const options = poll.options.map((o) => o.trim()).filter(Boolean);
      if (!poll.question.trim()) throw new ChannelInputError("poll question is required");
      if (options.length < 2 || options.length > 12) throw new ChannelInputError("a WhatsApp poll needs 2 to 12 options");
      const selectable = poll.maxSelections ?? 1;
      if (!Number.isInteger(selectable) || selectable < 1 || selectable > options.length) {
        throw new ChannelInputError(`maxSelections must be between 1 and ${options.length}`);
      }
      const conn = connection(account);
      const res = await conn.sock.sendMessage(jid, { poll: { name: poll.question, values: options, selectableCount: selectable } });
      const messageId = messageIdOf(res, "poll");
      sent(conn);
      return { messageId, chatId: jid, pollId: messageId };
    },

    async react(account: ChannelAccount, to: string, messageId: string, emoji: string, remove?: boolean): Promise<Record<string, unknown>> {
      const jid = normalizeTarget(to);
      if (!messageId) throw new ChannelInputError("messageId is required");
      if (!remove && !emoji) throw new ChannelInputError("emoji is required");
      const conn = connection(account);
      // The reacted-to message is addressed by its key; the gateway reacts to others' messages (fromMe false).
      const key: Record<string, unknown> = { remoteJid: jid, id: messageId, fromMe: false };
      const res = await conn.sock.sendMessage(jid, { react: { text: remove ? "" : emoji, key } });
      messageIdOf(res, "reaction");
      sent(conn);
      return remove ? { ok: true, removed: true } : { ok: true, added: emoji };
    },

    /** Best effort: no socket, or a failure, is not worth failing a turn over. */
    async sendTyping(account: ChannelAccount, to: string): Promise<void> {
      const conn = registry.connected(account.accountId);
      if (!conn) return;
      const jid = normalizeTarget(to);
      try {
        // Presence updates reach a chat only after subscribing to it; groups need no subscription.
        if (!isGroupJid(jid)) await conn.sock.presenceSubscribe?.(jid);
        await conn.sock.sendPresenceUpdate?.("composing", jid);
      } catch {
        // typing is cosmetic
      }
    },
  };
}

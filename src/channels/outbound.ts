/**
 * Sending on request (send, poll, message.action, hook and agent deliveries): which channel and
 * account, the target in the channel's own form, chunking, and idempotency — a retry with the same
 * key returns the first result and sends nothing.
 */
import type { ChannelManager } from "./manager.ts";
import { chunkText } from "./session-keys.ts";
import type { ChannelStore } from "./store.ts";
import { ChannelInputError, type ChannelAccount, type ChannelAdapter, type ChannelId, type SendOptions } from "./types.ts";
import { CHANNEL_IDS } from "./manager.ts";
import { splitChannelPrefix } from "./prefixes.ts";


export interface Resolved {
  adapter: ChannelAdapter;
  account: ChannelAccount;
  to: string;
}

/** The channel named, or the one a `telegram:`/`tg:` prefix names, or the only configured one. */
export function resolveChannel(manager: ChannelManager, channel: string | undefined, to: string | undefined): ChannelId {
  const configured = manager.channels();
  const prefix = to === undefined ? undefined : splitChannelPrefix(to).channel;
  if (channel !== undefined && channel !== "") {
    const id = channel.toLowerCase();
    if (id === "webchat") throw new ChannelInputError("unsupported channel: webchat (internal-only). Use `chat.send` to talk to a session");
    if (!(CHANNEL_IDS as readonly string[]).includes(id) || !configured.includes(id as ChannelId)) throw new ChannelInputError(`unsupported channel: ${channel}`);
    if (prefix && prefix !== id) throw new ChannelInputError(`target ${to} is for ${prefix}, not ${id}`);
    return id as ChannelId;
  }
  if (prefix) {
    if (!configured.includes(prefix)) throw new ChannelInputError(`unsupported channel: ${prefix}`);
    return prefix;
  }
  if (configured.length === 1) return configured[0]!;
  if (configured.length === 0) throw new ChannelInputError("no channel is configured (add channels.telegram or channels.whatsapp to the config)");
  throw new ChannelInputError(`channel is required (configured: ${configured.join(", ")})`);
}

function defaultAccountId(accounts: ChannelAccount[], preferred: unknown): string | undefined {
  const ids = accounts.map((a) => a.accountId);
  if (typeof preferred === "string" && ids.includes(preferred)) return preferred;
  return ids.includes("default") ? "default" : [...ids].sort()[0];
}

export async function resolveTarget(manager: ChannelManager, input: { channel?: string; accountId?: string; to?: string }): Promise<Resolved> {
  const id = resolveChannel(manager, input.channel, input.to);
  const adapter = await manager.adapter(id);
  const accounts = manager.accounts(id);
  const accountId = input.accountId ?? defaultAccountId(accounts, accounts[0]?.config.defaultAccount);
  const account = accounts.find((a) => a.accountId === accountId);
  if (!account) throw new ChannelInputError(`Unknown account "${input.accountId ?? ""}" for channel ${id}.`);
  const raw = input.to ?? (typeof account.config.defaultTo === "string" ? account.config.defaultTo : undefined);
  if (raw === undefined || raw.trim() === "") throw new ChannelInputError("to is required (no defaultTo configured)");
  return { adapter, account, to: adapter.outbound.normalizeTarget(raw.trim()) };
}

/** Runs `send` once per idempotency key; the stored result answers every repeat. */
export async function once<T>(store: ChannelStore, key: string, method: string, send: () => Promise<T>): Promise<T> {
  const previous = store.sendResult(key);
  if (previous) {
    if (previous.method !== method) throw new ChannelInputError(`idempotencyKey ${key} was already used for ${previous.method}`);
    return previous.result as T;
  }
  const result = await send();
  store.saveSendResult(key, method, result);
  return result;
}

/** Sends text in chunks; the last chunk's message id stands for the whole. */
export async function deliverText(r: Resolved, text: string, opts: SendOptions = {}): Promise<{ messageId: string; chatId: string; chunkCount: number }> {
  const chunks = chunkText(text, r.adapter.textChunkLimit);
  if (chunks.length === 0) throw new ChannelInputError("text or media is required");
  let last = { messageId: "", chatId: r.to };
  for (const chunk of chunks) last = await r.adapter.outbound.sendText(r.account, r.to, chunk, opts);
  return { messageId: String(last.messageId), chatId: String(last.chatId), chunkCount: chunks.length };
}

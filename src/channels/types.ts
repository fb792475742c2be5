/**
 * The one channel interface. A channel (Telegram, WhatsApp) is a module compiled into the binary
 * and loaded when one of its accounts starts; the manager owns its accounts' long-running tasks,
 * the router turns its inbound messages into agent turns, and the outbound RPCs (send, poll,
 * message.action) reach it through `outbound`. Nothing here knows about sockets or frames.
 */
import type { MediaInput } from "./media.ts";

export type ChannelId = "telegram" | "whatsapp";

/** A logger scoped to one channel account ("[telegram] [default] …"). */
export interface ChannelLog {
  debug(line: string): void;
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

/** One configured account after defaults, env tokens and SecretRefs are applied. */
export interface ChannelAccount {
  channel: ChannelId;
  accountId: string;
  enabled: boolean;
  /** Whether it has what it needs to start (a token; WhatsApp: linked creds). */
  configured: boolean;
  /** Why not, when not configured ("missing token", "not linked"). */
  unconfiguredReason?: string;
  /** The account's merged config section (root → accounts.default → accounts.<id>). */
  config: Record<string, unknown>;
  /** e.g. "config" | "env" | "tokenFile" | "none" (Telegram). */
  tokenSource?: string;
}

/** Runtime facts an adapter reports while its task runs; merged into the account snapshot. */
export interface AccountStatusPatch {
  connected?: boolean;
  lifecycle?: "starting" | "ready" | "stopped" | "blocked";
  mode?: string;
  lastError?: string | null;
  lastConnectedAt?: number;
  lastEventAt?: number;
  lastTransportActivityAt?: number;
  lastInboundAt?: number;
  lastOutboundAt?: number;
  reconnectAttempts?: number;
  /** Extra open fields (bot username, self e164, linked, …). */
  [key: string]: unknown;
}

export interface Sender {
  /** Channel-native id (Telegram numeric user id as a string; WhatsApp E.164). */
  id: string;
  name?: string;
  username?: string;
}

/** A message a person sent to the assistant, as the router needs it. */
export interface InboundMessage {
  channel: ChannelId;
  accountId: string;
  /** Stable per channel account: Telegram update_id, WhatsApp message id. Replays with the same id are dropped. */
  eventId: string;
  /** Where replies go: the chat id (Telegram) or jid (WhatsApp); a topic as "<chat>:topic:<id>". */
  chatId: string;
  chatType: "direct" | "group";
  sender: Sender;
  text: string;
  messageId?: string;
  /** Groups: whether the bot was mentioned (or replied to). */
  mentioned?: boolean;
  /** Thread / forum topic id, when any. */
  threadId?: string;
  ts: number;
}

export interface SendOptions {
  replyToId?: string;
  threadId?: string;
  silent?: boolean;
  /** "HTML" for Telegram. */
  parseMode?: string;
}

export interface SendResult {
  messageId: string;
  chatId: string;
  /** Some channels give more (Telegram poll id). */
  [key: string]: unknown;
}

export interface PollInput {
  question: string;
  options: string[];
  maxSelections?: number;
  durationSeconds?: number;
  isAnonymous?: boolean;
  silent?: boolean;
  threadId?: string;
}

export interface ProbeResult {
  ok: boolean;
  status?: number | null;
  error?: string | null;
  timedOut?: boolean;
  elapsedMs: number;
  [key: string]: unknown;
}

/** What an account's long-running task gets. */
export interface AccountRunContext {
  account: ChannelAccount;
  /** Aborted when the account is stopped, reloaded or the gateway shuts down. */
  signal: AbortSignal;
  log: ChannelLog;
  /** The gateway's state dir (credentials, spools). */
  stateDir: string;
  setStatus(patch: AccountStatusPatch): void;
  /**
   * Hands an inbound message to the gateway. It resolves once the message is durable (committed
   * to the ingress table and on disk); the adapter may then advance its offset / acknowledge.
   * Replays of an already committed eventId resolve without doing anything. The message is
   * committed, in call order, before this returns; one that could not be committed comes back as
   * an already-rejected promise, so an adapter may hand over the next message without waiting.
   */
  receive(message: InboundMessage): Promise<void>;
}

/**
 * Thrown (or returned as the task's end) when retrying cannot help: a revoked token (401), a
 * WhatsApp logout or session conflict. The manager then does not restart the account.
 */
export class TerminalChannelError extends Error {
  override name = "TerminalChannelError";
  constructor(message: string, readonly reason: string = "terminal-disconnect") {
    super(message);
  }
}

/** A target that does not resolve, an unsupported action, an empty message: INVALID_REQUEST. */
export class ChannelInputError extends Error {
  override name = "ChannelInputError";
}

/** The account is not linked (WhatsApp) or its runtime is not running: NOT_LINKED / UNAVAILABLE. */
export class ChannelNotLinkedError extends Error {
  override name = "ChannelNotLinkedError";
}

export interface ChannelOutbound {
  /** Chunked by the router at textChunkLimit; one call per chunk. */
  sendText(account: ChannelAccount, to: string, text: string, opts?: SendOptions): Promise<SendResult>;
  /** One media item by URL (the channel fetches it), with an optional caption. */
  sendMedia?(account: ChannelAccount, to: string, media: MediaInput, opts?: SendOptions): Promise<SendResult>;
  sendPoll?(account: ChannelAccount, to: string, poll: PollInput): Promise<SendResult>;
  react?(account: ChannelAccount, to: string, messageId: string, emoji: string, remove?: boolean): Promise<Record<string, unknown>>;
  /** "typing" (Telegram) / "composing" (WhatsApp) while a turn runs; best effort. */
  sendTyping?(account: ChannelAccount, to: string): Promise<void>;
  /** Normalizes a user-given target ("tg:123", "@name", "+15551234567"); throws ChannelInputError. */
  normalizeTarget(to: string): string;
}

export interface ChannelAdapter {
  id: ChannelId;
  label: string;
  detailLabel: string;
  systemImage: string;
  textChunkLimit: number;
  /** Resolved accounts of this channel from the config section (may be empty). */
  resolveAccounts(section: Record<string, unknown> | undefined, env: Record<string, string | undefined>, stateDir: string): ChannelAccount[];
  /** Runs until `ctx.signal` aborts (resolve) or the connection is lost for good (throw). */
  run(ctx: AccountRunContext): Promise<void>;
  probe?(account: ChannelAccount, timeoutMs: number): Promise<ProbeResult>;
  outbound: ChannelOutbound;
  /** The bot's @name / own number once known (adapters decide `mentioned` themselves; this is for diagnostics). */
  selfMention?(account: ChannelAccount): string | undefined;
  /** Facts for status snapshots that only the channel knows (WhatsApp: linked, authAgeMs, self). */
  describeAccount?(account: ChannelAccount): object;
  /** Ends what the adapter holds outside account tasks (login sockets) when the gateway stops. */
  close?(): void;
}

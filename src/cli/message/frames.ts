/**
 * What `openclaw message <verb>` puts on the wire: one `message.action` request shaped like the
 * published CLI's (spec channels §4 "Captured CLI frames"), so the gateway sees the same frame
 * from either CLI; and what it prints back.
 */
import { splitChannelPrefix } from "../../channels/prefixes.ts";
import { UsageError } from "../errors.ts";


export interface MessageTarget {
  channel: string;
  /** As typed. */
  target: string;
  /** `<channel>:<target without prefix>`: the canonical form the gateway resolves. */
  to: string;
}

/**
 * The channel: --channel, else the target's prefix, else the only channel the local config names
 * (as the published CLI picks it). `configured` is asked for only when it is needed.
 */
export function resolveMessageTarget(channelFlag: string | undefined, target: string | undefined, configured: () => string[]): MessageTarget {
  const raw = target?.trim() ?? "";
  if (!raw) throw new UsageError("--target is required, e.g. --target 424242 (a Telegram chat id) or --target +15551234567 (WhatsApp)");
  if (channelFlag !== undefined && !channelFlag.trim()) throw new UsageError("--channel must not be blank (omit it to use the only configured channel)");
  const { channel: prefixed, bare } = splitChannelPrefix(raw);
  let channel = channelFlag?.trim().toLowerCase() ?? prefixed;
  if (!channel) {
    const ids = configured();
    if (ids.length !== 1) {
      throw new UsageError(ids.length === 0
        ? "--channel is required (no channel is configured in the local config to default to)"
        : `--channel is required when more than one channel is configured (configured: ${ids.join(", ")})`);
    }
    channel = ids[0]!;
  }
  return { channel, target: raw, to: `${channel}:${bare}` };
}

export interface FrameOptions {
  accountId?: string;
  json: boolean;
  idempotencyKey: string;
}

/**
 * The request: the verb's own values in `params` beside the flags every verb sends (`json`,
 * `dryRun`, `verbose`, `channel`, `target`, `action`, `to`), the operator as owner, and a fresh key.
 */
export function actionFrame(action: string, t: MessageTarget, own: Record<string, unknown>, opts: FrameOptions): Record<string, unknown> {
  return {
    channel: t.channel,
    action,
    params: { ...own, json: opts.json, dryRun: false, verbose: false, channel: t.channel, target: t.target, action, to: t.to },
    ...(opts.accountId ? { accountId: opts.accountId } : {}),
    senderIsOwner: true,
    conversationReadOrigin: "direct-operator",
    idempotencyKey: opts.idempotencyKey,
  };
}

export function sendParams(a: { message: string; silent?: boolean; threadId?: string; replyTo?: string }): Record<string, unknown> {
  return {
    pin: false, gifPlayback: false, forceDocument: false, silent: a.silent === true, message: a.message,
    ...(a.threadId ? { threadId: a.threadId } : {}), ...(a.replyTo ? { replyTo: a.replyTo } : {}),
  };
}

export function pollParams(a: { question: string; options: string[]; multi?: boolean; anonymous?: boolean; public?: boolean; silent?: boolean }): Record<string, unknown> {
  return {
    pollQuestion: a.question, pollOption: a.options, pollMulti: a.multi === true, pollAnonymous: a.anonymous === true,
    pollPublic: a.public === true, silent: a.silent === true,
  };
}

export function reactParams(a: { messageId: string; emoji: string; remove?: boolean }): Record<string, unknown> {
  return { remove: a.remove === true, fromMe: false, messageId: a.messageId, emoji: a.emoji };
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Every value of a repeatable flag (`--poll-option a --poll-option b`, also `--poll-option=a`):
 * citty keeps only the last one, so they are read from the raw arguments.
 */
export function repeatedFlag(rawArgs: readonly string[], name: string): string[] {
  const names = new Set([`--${name}`, `--${camel(name)}`]);
  const values: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") break;
    const eq = arg.indexOf("=");
    if (!names.has(eq === -1 ? arg : arg.slice(0, eq))) continue;
    const value = eq === -1 ? rawArgs[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    values.push(value);
  }
  return values;
}

export interface ActionPayload {
  ok?: boolean;
  messageId?: string | number;
  added?: string;
  removed?: string;
  warning?: string;
  [k: string]: unknown;
}

/** `--json`: the published CLI's envelope, with the gateway named as the handler. */
export function actionJson(action: string, channel: string, payload: ActionPayload): Record<string, unknown> {
  return {
    action, channel, dryRun: false, handledBy: "gateway",
    ...(payload.messageId !== undefined ? { messageId: String(payload.messageId) } : {}),
    payload,
  };
}

export function actionLines(action: string, t: MessageTarget, payload: ActionPayload, messageId?: string): string[] {
  const lines: string[] = [];
  if (action === "send") lines.push(`Sent message ${String(payload.messageId ?? "(no id)")} to ${t.to}`);
  else if (action === "poll") lines.push(`Sent poll ${String(payload.messageId ?? "(no id)")} to ${t.to}`);
  else if (action === "react") {
    const where = `message ${messageId ?? "?"} in ${t.to}`;
    if (typeof payload.removed === "string") lines.push(`Reaction removed: ${payload.removed} (${where})`);
    else if (typeof payload.added === "string") lines.push(`Reaction added: ${payload.added} (${where})`);
    else lines.push(`Reaction updated (${where})`);
  } else lines.push(`${action} done on ${t.to}`);
  if (typeof payload.warning === "string" && payload.warning) lines.push(`Warning: ${payload.warning}`);
  return lines;
}

/**
 * `openclaw message send|poll|react`: outbound messages on a channel through the gateway's
 * `message.action`, the request the published `openclaw message` makes. The gateway owns the
 * channel connections, so this process never talks to Telegram or WhatsApp itself.
 */
import { defineCommand, type ArgsDef, type ParsedArgs } from "citty";
import { ConfigError, formatConfigError, loadConfig } from "../../config/load.ts";
import { jsonArg, rejectUnknownFlags, timeoutArg, urlArgs } from "../args.ts";
import { CHANNELS } from "../channels/config-only.ts";
import { accountFlag } from "../channels/lifecycle.ts";
import type { CliContext } from "../context.ts";
import { CliError, UsageError } from "../errors.ts";
import { asCli, WRITE } from "../nodes/call.ts";
import { callOrExit } from "../rpc.ts";
import {
  actionFrame, actionJson, actionLines, pollParams, reactParams, repeatedFlag, resolveMessageTarget, sendParams,
  type ActionPayload, type MessageTarget,
} from "./frames.ts";

const common = {
  channel: { type: "string", description: "Channel id (default: the target's prefix, else the only configured channel)", valueHint: "telegram|whatsapp" },
  target: { type: "string", alias: "t", description: "Chat: Telegram chat id, @username or <chatId>:topic:<id>; WhatsApp E.164 or group JID", valueHint: "dest" },
  account: { type: "string", description: "Account id (default: the channel's default account)" },
  ...jsonArg,
  ...urlArgs,
  // The gateway retries a failed delivery (3 tries, honouring retry_after) before it answers.
  ...timeoutArg(60_000),
} as const satisfies ArgsDef;

/** Channel ids the local config names: the default channel when there is exactly one. */
function configuredChannels(ctx: CliContext): string[] {
  try {
    const channels = loadConfig(ctx.paths.configPath, ctx.env).config.channels as Record<string, unknown> | undefined;
    return CHANNELS.filter((c) => channels?.[c.id] !== undefined).map((c) => c.id);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(formatConfigError(err), "config_invalid");
    throw err;
  }
}

/** A message verb: unknown flags refused, then `body` with the parsed and the raw arguments. */
function messageVerb<A extends ArgsDef>(name: string, description: string, args: A, body: (a: ParsedArgs<A>, rawArgs: string[]) => Promise<void>) {
  return defineCommand({
    meta: { name, description },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      await body(a, rawArgs);
    },
  });
}

async function runAction(ctx: CliContext, a: ParsedArgs<typeof common>, action: string, own: Record<string, unknown>, after?: string): Promise<void> {
  const t: MessageTarget = resolveMessageTarget(a.channel, a.target, () => configuredChannels(ctx));
  const accountId = accountFlag(a.account);
  const frame = actionFrame(action, t, own, { json: a.json === true, idempotencyKey: crypto.randomUUID(), ...(accountId ? { accountId } : {}) });
  const payload = await callOrExit<ActionPayload>(ctx, a, "message.action", frame, [asCli(WRITE)]);
  if (payload.ok === false) throw new CliError(`${action} failed: ${JSON.stringify(payload)}`);
  if (a.json) ctx.io.json(actionJson(action, t.channel, payload));
  else for (const line of actionLines(action, t, payload, after)) ctx.io.out(line);
}

const sendArgs = {
  ...common,
  message: { type: "string", alias: "m", description: "Text to send", required: true },
  "thread-id": { type: "string", description: "Telegram forum topic id" },
  "reply-to": { type: "string", description: "Message id to reply to" },
  silent: { type: "boolean", description: "Send without a notification (Telegram)" },
} as const satisfies ArgsDef;

export function sendCommand(ctx: CliContext) {
  return messageVerb("send", "Send a text message to a chat", sendArgs, async (a) => {
    if (!a.message?.trim()) throw new UsageError("--message must not be empty");
    const own = sendParams({ message: a.message, silent: a.silent, threadId: a["thread-id"], replyTo: a["reply-to"] });
    await runAction(ctx, a, "send", own);
  });
}

const pollArgs = {
  ...common,
  "poll-question": { type: "string", description: "The question", required: true },
  "poll-option": { type: "string", description: "An answer; repeat 2-12 times", valueHint: "choice" },
  "poll-multi": { type: "boolean", description: "Allow more than one answer" },
  "poll-anonymous": { type: "boolean", description: "Anonymous poll (Telegram's default)" },
  "poll-public": { type: "boolean", description: "Voters are visible (Telegram)" },
  silent: { type: "boolean", description: "Send without a notification (Telegram)" },
} as const satisfies ArgsDef;

export function pollCommand(ctx: CliContext) {
  return messageVerb("poll", "Send a poll to a chat", pollArgs, async (a, rawArgs) => {
    const question = a["poll-question"]?.trim();
    if (!question) throw new UsageError("--poll-question must not be empty");
    const options = repeatedFlag(rawArgs, "poll-option").map((o) => o.trim());
    if (options.length < 2 || options.length > 12 || options.some((o) => o === "")) {
      throw new UsageError(`--poll-option needs 2-12 non-empty answers, one flag each (got ${options.length})`);
    }
    if (a["poll-anonymous"] && a["poll-public"]) throw new UsageError("--poll-anonymous and --poll-public exclude each other");
    const own = pollParams({ question, options, multi: a["poll-multi"], anonymous: a["poll-anonymous"], public: a["poll-public"], silent: a.silent });
    await runAction(ctx, a, "poll", own);
  });
}

const reactArgs = {
  ...common,
  "message-id": { type: "string", description: "The message to react to", required: true },
  emoji: { type: "string", description: "The reaction, e.g. 👍", required: true },
  remove: { type: "boolean", description: "Take the reaction back instead" },
} as const satisfies ArgsDef;

export function reactCommand(ctx: CliContext) {
  return messageVerb("react", "React to a message with an emoji", reactArgs, async (a) => {
    const messageId = a["message-id"]?.trim();
    const emoji = a.emoji?.trim();
    if (!messageId) throw new UsageError("--message-id must not be empty");
    if (!emoji) throw new UsageError("--emoji must not be empty");
    await runAction(ctx, a, "react", reactParams({ messageId, emoji, remove: a.remove }), messageId);
  });
}

export function createMessageCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "message", description: "Send messages, polls and reactions on a channel through the gateway" },
    subCommands: {
      send: () => sendCommand(ctx),
      poll: () => pollCommand(ctx),
      react: () => reactCommand(ctx),
    },
  });
}

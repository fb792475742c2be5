/**
 * `message`: send, broadcast, poll and react on the gateway's chat channels (Telegram, WhatsApp),
 * with the same semantics as the send/poll/message.action RPCs. Each send carries an idempotency
 * key made from the run and the tool call, so a replayed call never sends twice.
 */
import { optionalString, requiredString } from "./args.ts";
import { jsonResult, ToolInputError, type AgentTool, type ChannelToolService, type ToolContext } from "./types.ts";

const ACTIONS = ["send", "broadcast", "poll", "react"] as const;
type Action = (typeof ACTIONS)[number];
const MAX_TARGETS = 50;

function channels(ctx: ToolContext): ChannelToolService {
  const svc = ctx.services?.channels;
  if (!svc || svc.configuredChannels().length === 0) {
    throw new ToolInputError("Channel is required (no configured channels detected). Add channels.telegram or channels.whatsapp to the gateway config, then try again.");
  }
  return svc;
}

function stringArray(args: Record<string, unknown>, key: string): string[] | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) throw new ToolInputError(`${key} must be an array of strings`);
  return v.map((s: string) => s.trim()).filter((s) => s !== "");
}

/** `tool:<runId>:<toolCallId>[:<i>]`: stable across a replay of the same call. */
export function messageIdempotencyKey(ctx: ToolContext, index?: number): string {
  return `tool:${ctx.runId ?? "direct"}:${ctx.toolCallId}${index === undefined ? "" : `:${index}`}`;
}

async function guarded<T>(action: Action, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ToolInputError) throw err;
    throw new ToolInputError(`message action=${action} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const messageTool: AgentTool = {
  name: "message",
  description:
    "Send a message on a chat channel (Telegram, WhatsApp): send to one target, broadcast to several (targets), " +
    "poll (pollQuestion + pollOption), or react to a message (messageId + emoji). dryRun shows what would be sent.",
  parameters: {
    type: "object",
    properties: {
      action: { type: "string", enum: [...ACTIONS] },
      channel: { type: "string", description: "telegram or whatsapp (default: the only configured one, or the target's prefix)" },
      target: { type: "string", description: "Chat id / phone number, optionally prefixed (telegram:123, whatsapp:+15550001)" },
      targets: { type: "array", items: { type: "string" }, description: "Several targets (broadcast)" },
      accountId: { type: "string" },
      message: { type: "string" },
      media: { type: "string", description: "http(s) URL of a photo, video, audio or document to attach" },
      replyTo: { type: "string", description: "Message id to reply to" },
      threadId: { type: "string" },
      pollQuestion: { type: "string" },
      pollOption: { type: "array", items: { type: "string" } },
      messageId: { type: "string", description: "react: the message to react to" },
      emoji: { type: "string" },
      dryRun: { type: "boolean" },
    },
    required: ["action"],
    additionalProperties: false,
  },
  title(args) {
    const to = typeof args.target === "string" ? ` → ${args.target}` : Array.isArray(args.targets) ? ` → ${args.targets.length} targets` : "";
    return `message ${typeof args.action === "string" ? args.action : ""}${to}`.trim();
  },
  async execute(args, ctx) {
    const action = requiredString(args, "action") as Action;
    if (!ACTIONS.includes(action)) throw new ToolInputError(`Unknown action: ${action} (supported: ${ACTIONS.join(", ")})`);
    const svc = channels(ctx);
    const channel = optionalString(args, "channel");
    const accountId = optionalString(args, "accountId");
    const given = [...(optionalString(args, "target") ? [optionalString(args, "target")!] : []), ...(stringArray(args, "targets") ?? [])];
    const targets = [...new Set(given)];
    if (targets.length === 0) throw new ToolInputError("target required");
    if (targets.length > MAX_TARGETS) throw new ToolInputError(`at most ${MAX_TARGETS} targets`);
    if (args.dryRun !== undefined && typeof args.dryRun !== "boolean") throw new ToolInputError("dryRun must be true or false");
    const where = { ...(channel ? { channel } : {}), ...(accountId ? { accountId } : {}) };

    if (action === "send" || action === "broadcast") {
      const message = optionalString(args, "message");
      const media = optionalString(args, "media");
      if (!message && !media) throw new ToolInputError("message or media required");
      const replyTo = optionalString(args, "replyTo");
      const threadId = optionalString(args, "threadId");
      const fanOut = action === "broadcast" || targets.length > 1;
      if (args.dryRun === true) return jsonResult({ ok: true, dryRun: true, action, ...where, targets, ...(message ? { message } : {}), ...(media ? { media } : {}) });
      const send = (to: string, i: number) => svc.send({
        ...where, to, ...(message ? { message } : {}), ...(media ? { mediaUrl: media } : {}), ...(replyTo ? { replyTo } : {}),
        ...(threadId ? { threadId } : {}), idempotencyKey: messageIdempotencyKey(ctx, fanOut ? i : undefined),
      });
      if (!fanOut) {
        const r = await guarded(action, () => send(targets[0]!, 0));
        return jsonResult({ ok: true, action, to: targets[0], ...r });
      }
      const results: Record<string, unknown>[] = [];
      for (const [i, to] of targets.entries()) {
        try {
          results.push({ to, ok: true, ...(await send(to, i)) });
        } catch (err) {
          results.push({ to, ok: false, error: err instanceof Error ? err.message : String(err) });
        }
      }
      const failed = results.filter((r) => !r.ok);
      if (failed.length === results.length) {
        throw new ToolInputError(`message action=${action} failed for every target: ${failed.map((r) => `${r.to}: ${r.error}`).join("; ")}`);
      }
      return jsonResult({ ok: failed.length === 0, action: "broadcast", sent: results.length - failed.length, failed: failed.length, results });
    }

    if (targets.length > 1) throw new ToolInputError(`${action} takes one target`);
    const to = targets[0]!;
    if (action === "poll") {
      const question = optionalString(args, "pollQuestion");
      const options = stringArray(args, "pollOption") ?? [];
      if (!question) throw new ToolInputError("pollQuestion required");
      if (options.length < 2) throw new ToolInputError("pollOption needs at least 2 options");
      if (args.dryRun === true) return jsonResult({ ok: true, dryRun: true, action, ...where, to, question, options });
      const r = await guarded(action, () => svc.poll({ ...where, to, question, options, idempotencyKey: messageIdempotencyKey(ctx) }));
      return jsonResult({ ok: true, action, to, ...r });
    }
    const messageId = optionalString(args, "messageId");
    const emoji = optionalString(args, "emoji");
    if (!messageId || !emoji) throw new ToolInputError("react needs messageId and emoji");
    if (args.dryRun === true) return jsonResult({ ok: true, dryRun: true, action, ...where, to, messageId, emoji });
    await guarded(action, () => svc.react({ ...where, to, messageId, emoji }));
    return jsonResult({ ok: true, action, to, messageId, emoji });
  },
};

import { defineCommand } from "citty";
import { splitChannelPrefix } from "../channels/prefixes.ts";
import { GatewayClient } from "../client/ws-client.ts";
import { jsonArg, parseIntArg, rejectUnknownFlags, urlArgs } from "./args.ts";
import type { CliContext } from "./context.ts";
import { ExitError, UsageError } from "./errors.ts";
import { describeError, errorJson, isGatewayError, resolveCliTarget } from "./rpc.ts";
import { ToolActivity } from "./tool-activity.ts";

const args = {
  message: { type: "string", alias: "m", description: "The message to send to the agent", required: true },
  agent: { type: "string", description: "Agent id (default: the gateway's default agent)" },
  session: { type: "string", description: 'Session key (default "main"; a bare key is scoped to the agent)' },
  timeout: { type: "string", description: "Seconds to wait for the reply", default: "600", valueHint: "s" },
  to: { type: "string", alias: "t", description: "Where --deliver sends the reply: <channel:target>, or a bare target on the only configured channel", valueHint: "channel:target" },
  deliver: { type: "boolean", description: "After the turn, send the reply to --to through the gateway's channel" },
  ...jsonArg,
  ...urlArgs,
} as const;

/** `telegram:424242` → channel + target; `424242` (or `-100123:topic:42`) → target only (the only configured channel). */
export function parseDeliveryTarget(to: string): { channel?: string; to: string } {
  const { channel, bare } = splitChannelPrefix(to);
  return channel ? { channel, to: bare } : { to };
}

/**
 * The `send` that delivers a run's reply. Its key is derived from the run id, so sending it again
 * for the same run (a retry after a lost answer) returns the first result and sends nothing.
 */
export function deliveryParams(runId: string, to: string, text: string): Record<string, unknown> {
  const t = parseDeliveryTarget(to);
  return { to: t.to, message: text, ...(t.channel ? { channel: t.channel } : {}), idempotencyKey: `agent-deliver:${runId}` };
}

interface SendResult {
  messageId: string;
  channel: string;
  chatId?: string;
}

interface FinalPayload {
  runId: string;
  status: string;
  summary: string;
  result?: { payloads?: Array<{ text?: string }> };
}

/** `openclaw agent --message …`: one turn, the reply streamed to the terminal as it arrives. */
export function createAgentCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "agent", description: "Run one agent turn and print the reply" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      const message = a.message?.trim();
      if (!message) throw new UsageError("--message must not be empty");
      const timeoutS = parseIntArg(a.timeout, "timeout", 1);
      // --to alone changes nothing here (a channel DM shares the main session); it only says where --deliver sends.
      const deliverTo = a.to?.trim();
      if (a.to !== undefined && !deliverTo) throw new UsageError("--to must not be blank, e.g. --to telegram:424242");
      if (a.deliver && !deliverTo) throw new UsageError("--deliver needs --to <channel:target>, e.g. --to telegram:424242");
      const target = await resolveCliTarget(ctx, { url: a.url, token: a.token, password: a.password });
      const idempotencyKey = crypto.randomUUID();
      let streamed = "";
      const activity = new ToolActivity();
      const printReply = (text: string) => {
        // Deltas may have been missed (or there were none): the final text is authoritative.
        if (streamed && text.startsWith(streamed)) ctx.io.write(text.slice(streamed.length) + "\n");
        else ctx.io.write((streamed ? "\n" : "") + text + "\n");
      };
      const scopes = message === "/new" || message === "/reset" ? ["operator.admin"] : ["operator.write"];
      try {
        const client = await GatewayClient.connect({
          url: target.url, token: target.token, password: target.password, scopes, clientId: "cli", mode: "cli",
          timeoutMs: 10_000,
          onEvent: (ev) => {
            const p = ev.payload as { runId?: string; stream?: string; data?: { delta?: string } } | undefined;
            if (ev.event !== "agent" || p?.runId !== idempotencyKey) return;
            if (p.stream === "lifecycle" && (p.data as { phase?: string } | undefined)?.phase === "model" && streamed) {
              // A new model call after a tool round: its text is a new reply, not a continuation.
              if (!a.json && !streamed.endsWith("\n")) ctx.io.write("\n");
              streamed = "";
            }
            if (p.stream === "item" || p.stream === "lifecycle") {
              const line = activity.see(p.stream, p.data as Record<string, unknown>);
              if (line && !a.json) {
                // Tool activity goes to stderr, between reply chunks: the reply on stdout stays clean.
                if (streamed && !streamed.endsWith("\n")) {
                  ctx.io.write("\n");
                  streamed += "\n";
                }
                ctx.io.err(line);
              }
              return;
            }
            if (a.json || p.stream !== "assistant") return;
            const delta = p.data?.delta ?? "";
            streamed += delta;
            ctx.io.write(delta);
          },
        });
        try {
          const params: Record<string, unknown> = { message, idempotencyKey, timeout: timeoutS };
          if (a.agent) params.agentId = a.agent;
          if (a.session) params.sessionKey = a.session;
          const final = await client.request<FinalPayload>("agent", params, { expectFinal: true, timeoutMs: (timeoutS + 30) * 1000 });
          const reply = (final.result?.payloads ?? []).map((p) => p.text ?? "").join("\n");
          if (!a.deliver || !deliverTo) {
            if (a.json) ctx.io.json(activity.withActivity(final));
            else printReply(reply || final.summary);
            return;
          }
          if (!a.json) printReply(reply || final.summary);
          if (!reply.trim()) {
            // Nothing the channel could show: say so instead of failing the (successful) turn.
            if (a.json) ctx.io.json({ ...final, delivery: { ...parseDeliveryTarget(deliverTo), skipped: "empty reply" } });
            else ctx.io.err("Nothing delivered: the reply is empty.");
            return;
          }
          let sent: SendResult;
          try {
            sent = await client.request<SendResult>("send", deliveryParams(final.runId ?? idempotencyKey, deliverTo, reply), { timeoutMs: 60_000 });
          } catch (err) {
            if (!isGatewayError(err)) throw err;
            if (a.json) ctx.io.json({ ...errorJson(err, target), runId: final.runId ?? idempotencyKey });
            else ctx.io.err(`Delivery failed: ${describeError(err)}`);
            throw new ExitError(1);
          }
          const chat = sent.chatId ?? parseDeliveryTarget(deliverTo).to;
          if (a.json) ctx.io.json({ ...final, delivery: { channel: sent.channel, to: chat, messageId: sent.messageId } });
          else ctx.io.out(`Delivered to ${sent.channel}:${chat} (message ${sent.messageId})`);
        } finally {
          client.close();
        }
      } catch (err) {
        if (!isGatewayError(err)) throw err;
        if (streamed) ctx.io.write("\n");
        if (a.json) ctx.io.json(errorJson(err, target));
        else ctx.io.err(`Agent failed: ${describeError(err)}`);
        throw new ExitError(1);
      }
    },
  });
}

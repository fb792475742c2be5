import { defineCommand } from "citty";
import { GatewayClient } from "../client/ws-client.ts";
import { jsonArg, parseIntArg, rejectUnknownFlags, urlArgs } from "./args.ts";
import type { CliContext } from "./context.ts";
import { ExitError, UsageError } from "./errors.ts";
import { describeError, errorJson, isGatewayError, resolveCliTarget } from "./rpc.ts";

const args = {
  message: { type: "string", alias: "m", description: "The message to send to the agent", required: true },
  agent: { type: "string", description: "Agent id (default: the gateway's default agent)" },
  session: { type: "string", description: 'Session key (default "main"; a bare key is scoped to the agent)' },
  timeout: { type: "string", description: "Seconds to wait for the reply", default: "600", valueHint: "s" },
  ...jsonArg,
  ...urlArgs,
} as const;

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
      const target = await resolveCliTarget(ctx, { url: a.url, token: a.token, password: a.password });
      const idempotencyKey = crypto.randomUUID();
      let streamed = "";
      const scopes = message === "/new" || message === "/reset" ? ["operator.admin"] : ["operator.write"];
      try {
        const client = await GatewayClient.connect({
          url: target.url, token: target.token, password: target.password, scopes, clientId: "cli", mode: "cli",
          timeoutMs: 10_000,
          onEvent: (ev) => {
            const p = ev.payload as { runId?: string; stream?: string; data?: { delta?: string } } | undefined;
            if (a.json || ev.event !== "agent" || p?.runId !== idempotencyKey || p.stream !== "assistant") return;
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
          if (a.json) {
            ctx.io.json(final);
            return;
          }
          const text = (final.result?.payloads ?? []).map((p) => p.text ?? "").join("\n") || final.summary;
          // Deltas may have been missed (or there were none): the final text is authoritative.
          if (streamed && text.startsWith(streamed)) ctx.io.write(text.slice(streamed.length) + "\n");
          else ctx.io.write((streamed ? "\n" : "") + text + "\n");
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

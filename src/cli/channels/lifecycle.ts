/** `openclaw channels start|stop --channel <id> [--account <id>]`: the manual switch of one account. */
import { jsonArg, timeoutArg, urlArgs, verb } from "../args.ts";
import type { CliContext } from "../context.ts";
import { UsageError } from "../errors.ts";
import { ADMIN, asCli } from "../nodes/call.ts";
import { callOrExit } from "../rpc.ts";
import { channelFlag } from "./status.ts";

const args = {
  channel: { type: "string", required: true, description: "Channel id", valueHint: "telegram|whatsapp" },
  account: { type: "string", description: "Account id (default: the channel's default account)" },
  ...jsonArg,
  ...urlArgs,
  // stop waits for the account's task to wind down (a long poll in flight).
  ...timeoutArg(30_000),
} as const;

/** A blank --account is refused: an unset shell variable must not quietly pick the default account. */
export function accountFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!value.trim()) throw new UsageError("--account must not be blank (omit it for the default account)");
  return value.trim();
}

interface StartResult {
  channel: string;
  accountId: string;
  started: boolean;
  outcome: { status: string; reason?: string };
}

export function startLine(r: StartResult): string {
  const outcome = `${r.outcome.status}${r.outcome.reason ? `: ${r.outcome.reason}` : ""}`;
  return r.started ? `Started ${r.channel} ${r.accountId} (${outcome}).` : `Did not start ${r.channel} ${r.accountId} (${outcome}).`;
}

function lifecycleVerb(ctx: CliContext, verbName: "start" | "stop") {
  const description = verbName === "start" ? "Start a channel account (also after channels stop)" : "Stop a channel account; it stays stopped until channels start";
  return verb(verbName, description, args, async (a) => {
    const channel = channelFlag(a.channel)!;
    const accountId = accountFlag(a.account);
    const params = { channel, ...(accountId ? { accountId } : {}) };
    const res = await callOrExit<StartResult & { stopped?: boolean }>(ctx, a, `channels.${verbName}`, params, [asCli(ADMIN)]);
    if (a.json) ctx.io.json(res);
    else if (verbName === "start") ctx.io.out(startLine(res));
    else ctx.io.out(res.stopped ? `Stopped ${res.channel} ${res.accountId}.` : `${res.channel} ${res.accountId} was not running.`);
  });
}

export const startCommand = (ctx: CliContext) => lifecycleVerb(ctx, "start");
export const stopCommand = (ctx: CliContext) => lifecycleVerb(ctx, "stop");

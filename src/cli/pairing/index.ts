/**
 * `openclaw pairing list|approve|dismiss`: strangers who messaged the assistant on a channel and
 * wait for the owner's approval. Unlike the published CLI (which edits its own database on disk)
 * these go through the gateway's `channels.pairing.*` RPCs, so they work against a remote gateway
 * and the running channel sees the decision at once.
 */
import { defineCommand, type ArgsDef } from "citty";
import { jsonArg, timeoutArg, urlArgs, verb } from "../args.ts";
import { channelFlag } from "../channels/status.ts";
import { accountFlag } from "../channels/lifecycle.ts";
import type { CliContext } from "../context.ts";
import { CliError, UsageError } from "../errors.ts";
import { asCli, PAIRING } from "../nodes/call.ts";
import { callOrExit, type ClientCallArgs } from "../rpc.ts";
import { approveLines, listLines, type ApproveResult, type PairingList } from "./format.ts";

const common = {
  account: { type: "string", description: "Account id (default: whichever account the request belongs to)" },
  ...jsonArg,
  ...urlArgs,
  // approve --notify sends a message on the channel before it answers.
  ...timeoutArg(30_000),
} as const satisfies ArgsDef;

const asPairing = asCli(PAIRING);

function list(ctx: CliContext, a: ClientCallArgs, channel?: string, accountId?: string): Promise<PairingList> {
  return callOrExit<PairingList>(ctx, a, "channels.pairing.list", { ...(channel ? { channel } : {}), ...(accountId ? { accountId } : {}) }, [asPairing]);
}

const listArgs = {
  channel: { type: "positional", required: false, description: "Channel id (default: every channel)" },
  ...common,
} as const satisfies ArgsDef;

export function listCommand(ctx: CliContext) {
  return verb("list", "Pending pairing requests (code, sender, when they asked)", listArgs, async (a) => {
    const res = await list(ctx, a, channelFlag(a.channel), accountFlag(a.account));
    if (a.json) ctx.io.json(res);
    else for (const line of listLines(res, Date.now())) ctx.io.out(line);
  });
}

const decideArgs = {
  channel: { type: "positional", required: false, description: "Channel id (may be left out when the code alone is unambiguous)" },
  code: { type: "positional", required: false, description: "The pairing code the sender was given (see openclaw pairing list)" },
  ...common,
} as const satisfies ArgsDef;

/**
 * `<channel> <code>`, or just `<code>`: then the pending list says which channel it belongs to
 * (as the published CLI allows when one channel is configured).
 */
async function channelAndCode(ctx: CliContext, a: ClientCallArgs & { channel?: string; code?: string }, name: string): Promise<{ channel: string; code: string }> {
  const usage = `openclaw pairing ${name} <channel> <code>`;
  if (a.code !== undefined) {
    if (!a.code.trim()) throw new UsageError(`Missing <code>: ${usage}`);
    return { channel: channelFlag(a.channel)!, code: a.code.trim() };
  }
  const code = a.channel?.trim();
  if (!code) throw new UsageError(`Missing <code>: ${usage} (see openclaw pairing list)`);
  const { requests } = await list(ctx, a);
  const match = requests.filter((r) => (r.code ?? r.requestId).toUpperCase() === code.toUpperCase());
  if (match.length !== 1) {
    throw new CliError(match.length === 0
      ? `No pending pairing request found for code: ${code} (run openclaw pairing list)`
      : `Code ${code} is pending on several channels: name one, ${usage}`);
  }
  return { channel: match[0]!.channel, code };
}

const approveArgs = { ...decideArgs, notify: { type: "boolean", description: "Tell the sender on the same channel that they were approved" } } as const satisfies ArgsDef;

export function approveCommand(ctx: CliContext) {
  return verb("approve", "Let a sender message the assistant (direct messages only)", approveArgs, async (a) => {
    const { channel, code } = await channelAndCode(ctx, a, "approve");
    const accountId = accountFlag(a.account);
    const params = { channel, requestId: code, ...(accountId ? { accountId } : {}), ...(a.notify ? { notify: true } : {}) };
    const res = await callOrExit<ApproveResult>(ctx, a, "channels.pairing.approve", params, [asPairing]);
    if (a.json) ctx.io.json(res);
    else for (const line of approveLines(channel, res)) ctx.io.out(line);
  });
}

export function dismissCommand(ctx: CliContext) {
  return verb("dismiss", "Drop a pairing request without approving it (the sender may ask again)", decideArgs, async (a) => {
    const { channel, code } = await channelAndCode(ctx, a, "dismiss");
    const accountId = accountFlag(a.account);
    const res = await callOrExit<{ requestId: string; senderId: string }>(ctx, a, "channels.pairing.dismiss", { channel, requestId: code, ...(accountId ? { accountId } : {}) }, [asPairing]);
    if (a.json) ctx.io.json(res);
    else ctx.io.out(`Dismissed ${channel} pairing request from sender ${res.senderId}.`);
  });
}

export function createPairingCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "pairing", description: "Senders waiting for approval to message the assistant: list, approve, dismiss" },
    subCommands: {
      list: () => listCommand(ctx),
      approve: () => approveCommand(ctx),
      dismiss: () => dismissCommand(ctx),
    },
  });
}

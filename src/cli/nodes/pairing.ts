/** The verbs that change a node's pairing: `nodes approve`, `reject`, `remove` and `rename`. */
import type { CliContext } from "../context.ts";
import { CliError, UsageError } from "../errors.ts";
import { asBackend, asCli, findNode, nodesCall, PAIRING } from "./call.ts";
import type { PairList } from "./types.ts";
import { verb } from "../args.ts";
import { common, nodeArg } from "./verb.ts";

const requestArgs = { ...common, requestId: { type: "positional", required: false, description: "The pending request's id (see openclaw nodes pending)" } } as const;

function requireRequestId(id: string | undefined, name: string): string {
  if (!id?.trim()) throw new UsageError(`Missing <requestId>: openclaw nodes ${name} <requestId> (see openclaw nodes pending)`);
  return id.trim();
}

/**
 * The scopes approving this request takes. The gateway states them per request (admin for a
 * surface with system.*), so we ask for exactly those instead of always asking for admin.
 */
export function approveScopes(required: readonly string[] | undefined): string[] {
  return [...new Set([PAIRING, ...(required ?? []).filter((s) => s.startsWith("operator."))])];
}

export function approveCommand(ctx: CliContext) {
  return verb("approve", "Approve a node's pending command surface (asks for the scopes the request needs)", requestArgs, async (a) => {
    const requestId = requireRequestId(a.requestId, "approve");
    const { pending } = await nodesCall<PairList>(ctx, a, "node.pair.list", {}, asBackend(PAIRING));
    const request = pending.find((r) => r.requestId === requestId);
    if (!request) {
      // The list is already here: naming what could be approved saves the operator a round trip.
      const ids = pending.map((r) => r.requestId);
      throw new CliError([
        `Unknown node pairing requestId: ${requestId}`,
        ids.length > 0 ? `Pending requestIds: ${ids.join(", ")}` : "No pending node pairing requests.",
        "Run openclaw nodes pending to inspect current requests.",
      ].join("\n"));
    }
    const scopes = approveScopes(request.requiredApproveScopes);
    // Always JSON, as the published CLI prints it: the approved surface is the useful part.
    ctx.io.json(await nodesCall(ctx, a, "node.pair.approve", { requestId }, asBackend(...scopes)));
  });
}

export function rejectCommand(ctx: CliContext) {
  return verb("reject", "Reject a node's pending command surface (the node keeps what was approved before)", requestArgs, async (a) => {
    const requestId = requireRequestId(a.requestId, "reject");
    ctx.io.json(await nodesCall(ctx, a, "node.pair.reject", { requestId }, asCli(PAIRING)));
  });
}

export function removeCommand(ctx: CliContext) {
  return verb("remove", "Forget a paired node: its node role and surface go, its sessions are closed", { ...common, ...nodeArg }, async (a) => {
    const { nodeId } = await findNode(ctx, a, a.node);
    const res = await nodesCall<{ nodeId: string }>(ctx, a, "node.pair.remove", { nodeId }, asCli(PAIRING));
    if (a.json) ctx.io.json(res);
    else ctx.io.out(`Removed paired node ${nodeId}`);
  });
}

const renameArgs = { ...common, ...nodeArg, name: { type: "string", required: true, description: "New display name (wins over the one the node reports)", valueHint: "displayName" } } as const;

export function renameCommand(ctx: CliContext) {
  return verb("rename", "Give a node a display name of your own", renameArgs, async (a) => {
    const name = a.name.trim();
    if (!name) throw new UsageError("--name must not be empty: openclaw nodes rename --node <id|name|ip> --name <displayName>");
    const { nodeId } = await findNode(ctx, a, a.node);
    const res = await nodesCall<{ nodeId: string; displayName: string }>(ctx, a, "node.rename", { nodeId, displayName: name }, asCli(PAIRING));
    if (a.json) ctx.io.json(res);
    else ctx.io.out(`node rename ok: ${nodeId} -> ${res.displayName}`);
  });
}

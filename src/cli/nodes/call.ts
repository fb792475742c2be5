/**
 * The connections `nodes` verbs make. Each RPC is its own one-shot connection asking only for the
 * scopes that method needs (as the published CLI does), so a token limited to reading can still
 * run the read-only verbs.
 */
import type { CliContext } from "../context.ts";
import { callOrExit, type ClientCallArgs, type ClientIdentity, type ReportedCallOptions } from "../rpc.ts";
import { nodeQuery, resolveNode } from "./resolve.ts";
import type { NodeEntry, NodeList } from "./types.ts";

export const READ = "operator.read";
export const WRITE = "operator.write";
export const PAIRING = "operator.pairing";
export const ADMIN = "operator.admin";

export const asCli = (...scopes: string[]): ClientIdentity => ({ clientId: "cli", mode: "cli", scopes });
/** Approvals go out as a backend client, like the published CLI's. */
export const asBackend = (...scopes: string[]): ClientIdentity => ({ clientId: "gateway-client", mode: "backend", scopes });

/** One RPC; a gateway failure is printed in the shared error shape and exits 1. */
export function nodesCall<T>(ctx: CliContext, a: ClientCallArgs, method: string, params: unknown, identity: ClientIdentity, opts?: ReportedCallOptions): Promise<T> {
  return callOrExit<T>(ctx, a, method, params, [identity], opts);
}

/**
 * `--node` to a node via node.list. With pairing in `scopes` the entries carry their pending
 * request too (describe shows it); resolution itself needs only read.
 */
export async function findNode(ctx: CliContext, a: ClientCallArgs, query: string, scopes: string[] = [READ], opts?: ReportedCallOptions): Promise<NodeEntry> {
  nodeQuery(query);
  const list = await nodesCall<NodeList>(ctx, a, "node.list", {}, asCli(...scopes), opts);
  return resolveNode(list.nodes ?? [], query);
}

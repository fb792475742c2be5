/** The read-mostly verbs: `nodes status`, `list`, `pending` and `describe`. */
import type { CliContext } from "../context.ts";
import { asCli, findNode, nodesCall, PAIRING, READ } from "./call.ts";
import { connectionFilter, isFiltering, matchesFilter } from "./filters.ts";
import { describeLines, listLines, mergePaired, pendingLines, statusLines } from "./format.ts";
import type { NodeEntry, NodeList, PairList } from "./types.ts";
import { verb } from "../args.ts";
import { common, nodeArg } from "./verb.ts";

const filterArgs = {
  ...common,
  connected: { type: "boolean", description: "Only nodes connected now" },
  "last-connected": { type: "string", description: "Only nodes connected within this long (e.g. 24h, 7d)", valueHint: "duration" },
} as const;

const print = (ctx: CliContext, lines: string[]) => lines.forEach((l) => ctx.io.out(l));

export function statusCommand(ctx: CliContext) {
  return verb("status", "Known nodes with connection, approval state and capabilities", filterArgs, async (a) => {
    const filter = connectionFilter({ connected: a.connected, lastConnected: a["last-connected"] });
    // Pairing scope too: the entries then carry their pending request, which status points at.
    const list = await nodesCall<NodeList>(ctx, a, "node.list", {}, asCli(READ, PAIRING));
    const now = Date.now();
    const all = list.nodes ?? [];
    const nodes = all.filter((n) => matchesFilter(n, filter, now));
    if (a.json) ctx.io.json(isFiltering(filter) ? { ...list, nodes } : list);
    else print(ctx, statusLines(nodes, { now, total: all.length, flags: a }));
  });
}

export function listCommand(ctx: CliContext) {
  return verb("list", "Pending surface requests and paired nodes", filterArgs, async (a) => {
    const filter = connectionFilter({ connected: a.connected, lastConnected: a["last-connected"] });
    const pairs = await nodesCall<PairList>(ctx, a, "node.pair.list", {}, asCli(PAIRING));
    // node.pair.list knows only approved surfaces; node.list adds paired nodes still waiting and who is online.
    const live = await nodesCall<NodeList>(ctx, a, "node.list", {}, asCli(READ, PAIRING));
    const now = Date.now();
    const all = mergePaired(pairs.paired ?? [], live.nodes ?? []);
    const paired = all.filter((n) => matchesFilter(n, filter, now));
    if (a.json) ctx.io.json({ pending: pairs.pending ?? [], paired });
    else print(ctx, listLines(pairs.pending ?? [], paired, { now, total: all.length }));
  });
}

export function pendingCommand(ctx: CliContext) {
  return verb("pending", "Command surfaces waiting for approval", common, async (a) => {
    const pairs = await nodesCall<PairList>(ctx, a, "node.pair.list", {}, asCli(PAIRING));
    if (a.json) ctx.io.json(pairs.pending ?? []);
    else print(ctx, pendingLines(pairs.pending ?? [], Date.now()));
  });
}

export function describeCommand(ctx: CliContext) {
  return verb("describe", "One node: identity, status, effective and pending commands", { ...common, ...nodeArg }, async (a) => {
    const node = await findNode(ctx, a, a.node, [READ, PAIRING]);
    const described = await nodesCall<NodeEntry>(ctx, a, "node.describe", { nodeId: node.nodeId }, asCli(READ, PAIRING));
    if (a.json) ctx.io.json(described);
    else print(ctx, describeLines(described, { now: Date.now(), flags: a }));
  });
}

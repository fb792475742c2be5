/**
 * The human views of `nodes status|list|pending|describe`, as lines. They take plain data and a
 * clock so tests can pin them; the verbs only print what these return.
 */
import { connectionReminder, hostStatsSummary, shortPath, table, timeAgo, versionLabel } from "./text.ts";
import type { ApprovalState, NodeEntry, PairedNode, PendingNode } from "./types.ts";

type ConnFlags = { url?: string; token?: string; password?: string };

const nodeLabel = (n: { displayName?: string; nodeId: string }) => n.displayName?.trim() || n.nodeId;
const sorted = (names: unknown) => (Array.isArray(names) ? names.map(String).filter(Boolean).sort() : undefined);
const isPending = (s: ApprovalState | undefined) => s === "pending-approval" || s === "pending-reapproval";

export function approvalLabel(state: ApprovalState | undefined): string | undefined {
  if (state === "pending-approval") return "approval pending";
  if (state === "pending-reapproval") return "reapproval pending";
  return state;
}

const presence = (n: NodeEntry) => `${n.paired ? "paired" : "unpaired"} · ${n.connected ? "connected" : "disconnected"}`;

/** `paired · connected (2m ago) · approved`: the age is of the current connection. */
export function statusLabel(n: NodeEntry, now: number): string {
  const since = n.connected && typeof n.connectedAtMs === "number" ? ` (${timeAgo(n.connectedAtMs, now)})` : "";
  const approval = approvalLabel(n.approvalState);
  return `${presence(n)}${since}${approval ? ` · ${approval}` : ""}`;
}

function clientLabel(n: NodeEntry): string | undefined {
  return n.clientId && n.clientMode ? `${n.clientId}/${n.clientMode}` : n.clientId || n.clientMode || undefined;
}

function detail(n: NodeEntry, now: number): string {
  const client = clientLabel(n);
  const path = shortPath(n.pathEnv, n.platform);
  return [
    client && `client: ${client}`,
    n.deviceFamily && `device: ${n.deviceFamily}`,
    versionLabel(n.version, n.platform),
    hostStatsSummary(n.hostStats, n.connected === true, now),
    path && `path: ${path}`,
  ].filter(Boolean).join(" · ");
}

/** The command to paste, and the connection flags it will need again. */
function approveHint(n: NodeEntry, flags: ConnFlags): { action: string; command: string; reminder?: string } | undefined {
  if (!isPending(n.approvalState) || !n.pendingRequestId) return undefined;
  const action = n.approvalState === "pending-reapproval" ? "Reapproval" : "Approval";
  return { action, command: `openclaw nodes approve ${n.pendingRequestId}`, reminder: connectionReminder(flags) };
}

/** `nodes status`: the counts, one row per node, then what is waiting for the operator. */
export function statusLines(nodes: NodeEntry[], opts: { now: number; total?: number; flags?: ConnFlags }): string[] {
  const of = opts.total !== undefined && opts.total !== nodes.length ? ` (of ${opts.total})` : "";
  const paired = nodes.filter((n) => n.paired).length;
  const connected = nodes.filter((n) => n.connected).length;
  const lines = [`Known: ${nodes.length}${of} · Paired: ${paired} · Connected: ${connected}`];
  if (nodes.length === 0) return lines;
  const rows = nodes.map((n) => [nodeLabel(n), n.nodeId, n.remoteIp ?? "", detail(n, opts.now), statusLabel(n, opts.now), sorted(n.caps)?.join(", ") ?? "?"]);
  lines.push(...table(["Node", "ID", "IP", "Detail", "Status", "Caps"], rows));
  for (const n of nodes) {
    const hint = approveHint(n, opts.flags ?? {});
    if (!hint) continue;
    lines.push(`${hint.action} pending for ${nodeLabel(n)}. Run ${hint.command}`);
    if (hint.reminder) lines.push(hint.reminder);
  }
  return lines;
}

export function pendingTable(pending: PendingNode[], now: number): string[] {
  const rows = pending.map((r) => [r.requestId, nodeLabel(r), r.remoteIp ?? "", timeAgo(r.ts, now)]);
  return ["Pending", ...table(["Request", "Node", "IP", "Requested"], rows)];
}

/** `nodes pending`: the table, or a plain sentence when there is nothing to approve. */
export function pendingLines(pending: PendingNode[], now: number): string[] {
  return pending.length === 0 ? ["No pending pairing requests."] : pendingTable(pending, now);
}

/** A paired row: the stored pairing overlaid with the live node.list view of the same node. */
export type PairedRow = PairedNode & Partial<NodeEntry>;

/** node.list knows who is here now; node.pair.list knows approvals of nodes it may not list. */
export function mergePaired(paired: PairedNode[], nodes: NodeEntry[]): PairedRow[] {
  const stored = new Map(paired.map((p) => [p.nodeId, p]));
  const rows: PairedRow[] = [];
  for (const n of nodes) {
    const p = stored.get(n.nodeId);
    if (!p && n.paired !== true) continue;
    stored.delete(n.nodeId);
    rows.push({ ...p, ...n });
  }
  return [...rows, ...stored.values()];
}

/** `nodes list`: counts, then the pending and paired tables (each only when it has rows). */
export function listLines(pending: PendingNode[], paired: PairedRow[], opts: { now: number; total?: number }): string[] {
  const of = opts.total !== undefined && opts.total !== paired.length ? ` (of ${opts.total})` : "";
  const lines = [`Pending: ${pending.length} · Paired: ${paired.length}${of}`];
  if (pending.length > 0) lines.push("", ...pendingTable(pending, opts.now));
  if (paired.length > 0) {
    const rows = paired.map((n) => [nodeLabel(n), n.nodeId, n.remoteIp ?? "", timeAgo(n.lastConnectedAtMs ?? n.connectedAtMs, opts.now)]);
    lines.push("", "Paired", ...table(["Node", "ID", "IP", "Last Connect"], rows));
  }
  return lines;
}

/** `nodes describe`: a field table, the effective commands, then any waiting for approval. */
export function describeLines(n: NodeEntry, opts: { now: number; flags?: ConnFlags }): string[] {
  const hint = approveHint(n, opts.flags ?? {});
  const pendingCaps = sorted(n.pendingDeclaredCaps);
  const fields: Array<[string, string | undefined]> = [
    ["ID", n.nodeId],
    ["Name", n.displayName],
    ["Client", clientLabel(n)],
    ["IP", n.remoteIp],
    ["Device", n.deviceFamily],
    ["Version", versionLabel(n.version, n.platform)],
    ["Stats", hostStatsSummary(n.hostStats, n.connected === true, opts.now)],
    ["PATH", shortPath(n.pathEnv, n.platform)],
    ["Status", presence(n)],
    ["Approval", approvalLabel(n.approvalState)],
    ["Pending request", n.pendingRequestId],
    ["Pending caps", pendingCaps?.join(", ")],
    [hint?.action === "Reapproval" ? "Reapprove" : "Approve", hint?.command],
    ["Connection reminder", hint?.reminder],
    ["Caps", sorted(n.caps)?.join(", ") ?? "?"],
  ];
  // Caps stays even when empty: "no capabilities" is worth seeing; other empty fields are noise.
  const rows = fields.filter((f): f is [string, string] => f[0] === "Caps" || (f[1] !== undefined && f[1] !== "")).map(([k, v]) => [k, v]);
  const lines = ["Node", ...table(["Field", "Value"], rows), "", "Commands"];
  const commands = sorted(n.commands) ?? [];
  lines.push(...(commands.length === 0 ? ["- (none effective)"] : commands.map((c) => `- ${c}`)));
  const pendingCommands = sorted(n.pendingDeclaredCommands) ?? [];
  if (pendingCommands.length > 0) lines.push("", "Pending commands", ...pendingCommands.map((c) => `- ${c}`));
  return lines;
}

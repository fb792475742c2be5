/**
 * Nodes as the gateway sees them: gate 2 on every node connect (the declared surface against the
 * approved one), the live sessions an approval updates in place, and the node.list entry.
 */
import { filterDeclared, requiredApproveScopes } from "../nodes/commands.ts";
import { approvalState, effectiveSurface, type NodeRecord, type Surface } from "../nodes/surface-store.ts";
import type { ClientInfo, ConnectParams } from "../protocol/index.ts";
import { ErrorCodes, GatewayError, scopeSatisfied } from "../protocol/index.ts";
import type { GatewayRuntime } from "./runtime.ts";
import type { ConnState, GatewaySocket } from "./ws/conn.ts";

/** Gate 2 for a node that passed gate 1: records what it declares and what it may run now. */
export function reconcileNodeOnConnect(p: ConnectParams, d: ConnState, gw: GatewayRuntime): void {
  declareSurface(gw, d, p.client, { caps: p.caps ?? [], commands: p.commands ?? [] });
}

export interface Declaration {
  record: NodeRecord;
  created: boolean;
  /** Declared commands the command policy refused. */
  withheld: string[];
}

/**
 * A node's declared surface (on connect, or again by node.pair.request) against the approved one:
 * the live session gets what it may run now, and anything wider becomes a pending request.
 */
export function declareSurface(
  gw: GatewayRuntime, d: ConnState, client: ClientInfo, wanted: { caps: readonly string[]; commands: readonly string[] },
): Declaration {
  const nodeId = d.deviceId!;
  const filtered = filterDeclared(client.platform, wanted.commands, gw.config);
  const declared: Surface = { caps: [...new Set(wanted.caps)].sort(), commands: filtered.allowed };
  const meta = {
    displayName: client.displayName, platform: client.platform, version: client.version,
    clientId: client.id, clientMode: client.mode, deviceFamily: client.deviceFamily,
  };
  const silent = gw.pairing.paired(nodeId)?.approvedVia === "silent";
  const { record, created } = gw.pairing.surfaces.reconcile(nodeId, meta, declared, { requiredApproveScopes: requiredApproveScopes(declared.commands), silent });
  d.nodeDeclared = declared;
  d.nodeEffective = effectiveSurface(record, declared);
  if (created && record.pending) {
    const { requestId, caps, commands, requiredApproveScopes: scopes, ts } = record.pending;
    gw.bus.broadcast("node.pair.requested", {
      requestId, nodeId, ...meta, caps, commands, requiredApproveScopes: scopes, ...(silent ? { silent: true } : {}), ts,
    }, undefined, "operator.pairing");
  }
  return { record, created, withheld: filtered.withheld };
}

/** The connected sockets of a node. */
export function nodeSockets(gw: GatewayRuntime, nodeId: string): GatewaySocket[] {
  return [...gw.bus.all()].filter((ws) => ws.data.role === "node" && ws.data.deviceId === nodeId);
}

/** After an approval: live sessions get the new surface at once, and the node is told. */
export function applyApproval(gw: GatewayRuntime, record: NodeRecord, requestId: string): void {
  const payload = { requestId, nodeId: record.nodeId, decision: "approved", ts: Date.now() };
  for (const ws of nodeSockets(gw, record.nodeId)) {
    ws.data.nodeEffective = effectiveSurface(record, ws.data.nodeDeclared ?? { caps: [], commands: [] });
    gw.bus.sendEvent(ws, "node.pair.resolved", payload);
  }
  gw.bus.broadcast("node.pair.resolved", payload, undefined, "operator.pairing");
}

/** One node.list entry: live values when connected, the stored ones otherwise. */
export function nodeEntry(gw: GatewayRuntime, r: NodeRecord, caller: ConnState): Record<string, unknown> {
  const live = nodeSockets(gw, r.nodeId)[0]?.data;
  const surface = live?.nodeEffective ?? (r.approved ? { caps: r.approved.caps, commands: r.approved.commands } : { caps: [], commands: [] });
  const device = gw.pairing.paired(r.nodeId);
  const entry: Record<string, unknown> = {
    nodeId: r.nodeId,
    displayName: r.displayName ?? live?.client?.displayName ?? r.meta.displayName ?? r.nodeId.slice(0, 12),
    platform: live?.client?.platform ?? r.meta.platform,
    version: live?.client?.version ?? r.meta.version,
    clientId: r.meta.clientId,
    clientMode: r.meta.clientMode,
    deviceFamily: live?.client?.deviceFamily ?? r.meta.deviceFamily,
    caps: [...surface.caps].sort(),
    commands: [...surface.commands].sort(),
    sessionHost: false,
    approvalState: approvalState(r),
    lastConnectedAtMs: r.lastConnectedAtMs,
    lastSeenAtMs: r.lastConnectedAtMs,
    lastSeenReason: "connect",
    paired: !!device?.roles.includes("node"),
    connected: !!live,
  };
  const privileged = scopeSatisfied(caller.scopes ?? [], "operator.pairing") || caller.deviceId === r.nodeId;
  if (r.pending && privileged) {
    entry.pendingRequestId = r.pending.requestId;
    entry.pendingDeclaredCaps = r.pending.caps;
    entry.pendingDeclaredCommands = r.pending.commands;
  }
  if (live) entry.connectedAtMs = live.openedAt;
  if (live && !live.localPeer) entry.remoteIp = live.remoteAddress;
  if (r.lastDisconnectedAtMs !== undefined) entry.lastDisconnectedAtMs = r.lastDisconnectedAtMs;
  if (r.approved) entry.approvedAtMs = r.approved.approvedAtMs;
  if (r.hostStats) entry.hostStats = r.hostStats;
  for (const k of Object.keys(entry)) if (entry[k] === undefined) delete entry[k];
  return entry;
}

/** Connected first, then by display name (case-insensitive), then by id. */
export function sortNodes(entries: Record<string, unknown>[]): Record<string, unknown>[] {
  return entries.sort((a, b) =>
    Number(b.connected) - Number(a.connected) ||
    String(a.displayName).toLowerCase().localeCompare(String(b.displayName).toLowerCase()) ||
    String(a.nodeId).localeCompare(String(b.nodeId)),
  );
}

/** node.list's `nodes`: every known node as `caller` may see it, sorted. */
export function listNodes(gw: GatewayRuntime, caller: ConnState): Record<string, unknown>[] {
  return sortNodes(gw.pairing.surfaces.list().map((r) => nodeEntry(gw, r, caller)));
}

/** node.describe: one node by exact id (offline ones too). */
export function describeNode(gw: GatewayRuntime, nodeId: string, caller: ConnState): Record<string, unknown> {
  const r = gw.pairing.surfaces.get(nodeId);
  if (!r) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "unknown nodeId");
  return { ...nodeEntry(gw, r, caller), ts: Date.now() };
}

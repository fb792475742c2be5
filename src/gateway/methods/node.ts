import type { NodeRecord } from "../../nodes/surface-store.ts";
import { DetailCodes, ErrorCodes, GatewayError, nodeMethods, scopeSatisfied } from "../../protocol/index.ts";
import { applyApproval, describeNode, listNodes, nodeSockets } from "../nodes.ts";
import type { GatewayRuntime } from "../runtime.ts";
import { implement } from "./registry.ts";

function pairedEntry(r: NodeRecord) {
  const { clientId, clientMode, displayName, platform, version, deviceFamily } = r.meta;
  return {
    nodeId: r.nodeId, clientId, clientMode, displayName: r.displayName ?? displayName, platform, version, deviceFamily,
    caps: r.approved!.caps, commands: r.approved!.commands, createdAtMs: r.approved!.createdAtMs, approvedAtMs: r.approved!.approvedAtMs,
    lastSeenAtMs: r.lastConnectedAtMs, lastSeenReason: "connect",
  };
}

function known(gw: GatewayRuntime, nodeId: string): NodeRecord {
  const r = gw.pairing.surfaces.get(nodeId);
  if (!r) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "unknown nodeId");
  return r;
}

export const nodeListMethod = implement(nodeMethods.nodeList, (_p, { gw, conn }) => ({
  ts: Date.now(),
  nodes: listNodes(gw, conn) as never,
}));

export const nodeDescribeMethod = implement(nodeMethods.nodeDescribe, ({ nodeId }, { gw, conn }) => describeNode(gw, nodeId, conn) as never);

export const nodePairListMethod = implement(nodeMethods.nodePairList, (_p, { gw }) => {
  const records = gw.pairing.surfaces.list();
  return {
    pending: records.filter((r) => r.pending).map((r) => ({ ...r.meta, displayName: r.displayName ?? r.meta.displayName, nodeId: r.nodeId, ...r.pending! })),
    paired: records.filter((r) => r.approved).map(pairedEntry),
  };
});

export const nodePairApproveMethod = implement(nodeMethods.nodePairApprove, ({ requestId }, { gw, conn }) => {
  const pending = gw.pairing.surfaces.list().find((r) => r.pending?.requestId === requestId)?.pending;
  if (!pending) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "unknown requestId");
  const missing = pending.requiredApproveScopes.find((s) => !scopeSatisfied(conn.scopes ?? [], s));
  if (missing) {
    throw new GatewayError(ErrorCodes.FORBIDDEN, `missing scope: ${missing}`, {
      details: { code: DetailCodes.MISSING_SCOPE, missingScope: missing, requiredScopes: pending.requiredApproveScopes },
    });
  }
  const record = gw.pairing.surfaces.approve(requestId);
  if (!record) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "unknown requestId");
  applyApproval(gw, record, requestId);
  gw.log.info(`node ${record.nodeId.slice(0, 12)}… surface approved (${record.approved!.commands.length} commands)`);
  return { requestId, node: pairedEntry(record) };
});

export const nodePairRejectMethod = implement(nodeMethods.nodePairReject, ({ requestId }, { gw }) => {
  const record = gw.pairing.surfaces.reject(requestId);
  if (!record) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "unknown requestId");
  gw.bus.broadcast("node.pair.resolved", { requestId, nodeId: record.nodeId, decision: "rejected", ts: Date.now() }, undefined, "operator.pairing");
  return { requestId, nodeId: record.nodeId };
});

export const nodePairRemoveMethod = implement(nodeMethods.nodePairRemove, ({ nodeId }, { gw }) => {
  known(gw, nodeId);
  gw.pairing.surfaces.remove(nodeId);
  // A device that was only a node is forgotten, so on loopback it re-pairs silently (as the published
  // gateway does); one with other roles keeps them and loses just this one.
  const roles = gw.pairing.paired(nodeId)?.roles ?? [];
  if (roles.every((r) => r === "node")) gw.pairing.remove(nodeId);
  else gw.pairing.revoke(nodeId, "node");
  gw.bus.broadcast("node.pair.resolved", { requestId: "", nodeId, decision: "removed", ts: Date.now() }, undefined, "operator.pairing");
  for (const ws of nodeSockets(gw, nodeId)) ws.close(4001, "device removed");
  return { nodeId };
});

export const nodeInvokeMethod = implement(nodeMethods.nodeInvoke, (p, { gw, conn }) =>
  gw.invocations.invoke(gw, conn, p) as Promise<never>,
);

export const nodeInvokeResultMethod = implement(nodeMethods.nodeInvokeResult, (p, { gw, conn }) => gw.invocations.result(conn, p));

export const gatewayIdentityGetMethod = implement(nodeMethods.gatewayIdentityGet, (_p, { gw }) => {
  const { deviceId, publicKey } = gw.pairing.identity();
  return { deviceId, publicKey };
});

export const nodePairVerifyMethod = implement(nodeMethods.nodePairVerify, ({ nodeId, token }, { gw }) => {
  const record = gw.pairing.surfaces.get(nodeId);
  if (!record?.approved || !gw.pairing.paired(nodeId)?.roles.includes("node")) return { ok: false, nodeId, reason: "not-paired" as const };
  if (!gw.pairing.verifyToken(nodeId, "node", token)) return { ok: false, nodeId, reason: "token-mismatch" as const };
  return { ok: true, nodeId, node: pairedEntry(record) };
});

export const nodeRenameMethod = implement(nodeMethods.nodeRename, ({ nodeId, displayName }, { gw }) => {
  known(gw, nodeId);
  gw.pairing.surfaces.rename(nodeId, displayName);
  return { nodeId, displayName };
});

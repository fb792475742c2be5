import { approvalState } from "../../nodes/surface-store.ts";
import { ErrorCodes, GatewayError, nodeHostMethods } from "../../protocol/index.ts";
import { HostStatsSchema } from "../../protocol/methods/node-host.ts";
import { declareSurface } from "../nodes.ts";
import type { GatewayRuntime } from "../runtime.ts";
import type { ConnState } from "../ws/conn.ts";
import { implement } from "./registry.ts";

/** The calling node's id, and whether its command surface is still waiting for a first approval. */
function caller(gw: GatewayRuntime, conn: ConnState): { nodeId: string; pendingRequestId?: string; awaiting: boolean } {
  const nodeId = conn.deviceId;
  const record = nodeId ? gw.pairing.surfaces.get(nodeId) : undefined;
  if (!nodeId || !record) throw new GatewayError(ErrorCodes.UNAVAILABLE, "node pairing changed while invocation was active", { retryable: true, details: { code: "PAIRING_CHANGED" } });
  const state = approvalState(record);
  return { nodeId, pendingRequestId: record.pending?.requestId, awaiting: state === "pending-approval" || state === "unapproved" };
}

function payloadOf(p: { payload?: unknown; payloadJSON?: string | null }): unknown {
  if (typeof p.payloadJSON === "string") {
    try {
      return JSON.parse(p.payloadJSON);
    } catch {
      return undefined;
    }
  }
  return p.payload;
}

export const nodeEventMethod = implement(nodeHostMethods.nodeEvent, (p, { gw, conn }) => {
  const node = caller(gw, conn);
  const payload = payloadOf(p);
  switch (p.event) {
    case "node.host.stats": {
      if (node.awaiting) throw new GatewayError(ErrorCodes.UNAVAILABLE, "node pairing changed while invocation was active", { retryable: true, details: { code: "PAIRING_CHANGED" } });
      const stats = HostStatsSchema.safeParse(payload);
      if (!stats.success) return { ok: true as const, event: p.event, handled: false, reason: "invalid_payload" };
      const hostStats = { ...stats.data, updatedAtMs: Date.now() };
      gw.pairing.surfaces.setHostStats(node.nodeId, hostStats);
      gw.bus.broadcast("node.hostStats", { nodeId: node.nodeId, hostStats });
      return { ok: true as const, event: p.event, handled: true, reason: "updated" };
    }
    case "exec.started":
    case "exec.finished":
    case "exec.denied": {
      const e = (payload ?? {}) as { command?: unknown; exitCode?: unknown };
      const what = typeof e.command === "string" ? e.command.slice(0, 200) : "a command";
      const exit = typeof e.exitCode === "number" ? ` (exit ${e.exitCode})` : "";
      gw.queueSystemEvent({ text: `node ${node.nodeId.slice(0, 12)}… ${p.event.slice(5)}: ${what}${exit}`, ts: Date.now(), source: "node" });
      return { ok: true as const };
    }
    default:
      return { ok: true as const, event: p.event, handled: false, reason: "unsupported_event" };
  }
});

export const nodeRunnerInventoryUpdateMethod = implement(nodeHostMethods.nodeRunnerInventoryUpdate, (_p, { gw, conn }) => {
  const node = caller(gw, conn);
  if (node.awaiting) {
    throw new GatewayError(
      ErrorCodes.UNAVAILABLE,
      `node capability surface is awaiting operator approval; run \`openclaw nodes approve ${node.pendingRequestId ?? "<requestId>"}\` (see \`openclaw nodes pending\`), then this node retries automatically`,
      { retryable: true },
    );
  }
  return { nodeId: node.nodeId };
});

export const nodeSkillsUpdateMethod = implement(nodeHostMethods.nodeSkillsUpdate, (p, { gw, conn }) => ({ nodeId: caller(gw, conn).nodeId, skills: p.skills ?? [] }));

export const nodePluginToolsUpdateMethod = implement(nodeHostMethods.nodePluginToolsUpdate, (p, { gw, conn }) => ({ nodeId: caller(gw, conn).nodeId, tools: p.tools ?? [] }));

export const nodePairRequestMethod = implement(nodeHostMethods.nodePairRequest, (p, { gw, conn }) => {
  const { nodeId } = caller(gw, conn);
  const current = conn.nodeDeclared ?? { caps: [], commands: [] };
  const { record, created, withheld } = declareSurface(gw, conn, conn.client!, {
    caps: p.caps ?? current.caps,
    commands: p.commands ?? current.commands,
  });
  const effective = conn.nodeEffective ?? { caps: [], commands: [] };
  const out = {
    nodeId, status: record.pending ? ("pending" as const) : ("approved" as const), created,
    caps: [...effective.caps].sort(), commands: [...effective.commands].sort(), withheld,
  };
  return record.pending ? { ...out, requestId: record.pending.requestId, requiredApproveScopes: record.pending.requiredApproveScopes } : out;
});

/**
 * exec.approval.* (the operator round trip), approval.get/resolve (what the published CLI's
 * `approvals resolve` uses) and exec.approvals.get/set (the host document). Lookups only ever
 * find records the caller may see, so a record another client asked for reads as unknown.
 */
import { approvalMethods, ErrorCodes, GatewayError } from "../../protocol/index.ts";
import { resolvedDefaults } from "../approvals/document.ts";
import type { ApprovalRecord } from "../approvals/records.ts";
import type { ApprovalsSnapshot } from "../approvals/store.ts";
import { canSee } from "../approvals/audience.ts";
import { allowedDecisionsFor, approvalSnapshot, execApprovalView, isDecision } from "../approvals/views.ts";
import type { ExecDecision } from "../../agents/tools/types.ts";
import type { ConnState } from "../ws/conn.ts";
import type { GatewayApprovals } from "../approvals/service.ts";
import { implement } from "./registry.ts";

const notFound = () =>
  new GatewayError(ErrorCodes.INVALID_REQUEST, "unknown or expired approval id", {
    details: { reason: ErrorCodes.APPROVAL_NOT_FOUND, remediation: "Request the action again; pending approvals end at expiry and when the gateway restarts." },
  });
const alreadyResolved = () => new GatewayError(ErrorCodes.INVALID_REQUEST, "approval already resolved", { details: { reason: "APPROVAL_ALREADY_RESOLVED" } });
const approvalNotFound = () => new GatewayError(ErrorCodes.INVALID_REQUEST, "approval not found", { details: { reason: ErrorCodes.APPROVAL_NOT_FOUND } });

/** A record by id or unique prefix among those the caller may see; ambiguity is its own error. */
function find(approvals: GatewayApprovals, conn: ConnState, id: string, state: "pending" | "settled"): ApprovalRecord | undefined {
  const hit = approvals.records.lookup(id, state, (r) => canSee(conn, r));
  if (hit.kind === "ambiguous") throw new GatewayError(ErrorCodes.INVALID_REQUEST, "ambiguous approval id prefix; use the full id");
  return hit.kind === "found" ? hit.record : undefined;
}

/** Exact id only: the kind-agnostic methods take the id a list or an event gave. */
function exact(approvals: GatewayApprovals, conn: ConnState, id: string): ApprovalRecord | undefined {
  const r = approvals.records.get(id);
  return r && canSee(conn, r) ? r : undefined;
}

function documentPayload(s: ApprovalsSnapshot) {
  return { path: s.path, exists: s.exists, hash: s.hash, file: s.file, resolvedDefaults: resolvedDefaults(s.file) };
}

const decided = (r: ApprovalRecord) => ({ id: r.id, decision: r.decision, createdAtMs: r.createdAtMs, expiresAtMs: r.expiresAtMs });

export const execApprovalRequestMethod = implement(approvalMethods.execApprovalRequest, async (p, { gw, conn, accept }) => {
  const host = p.host?.trim() || null;
  if (host === "node" && !p.nodeId) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "nodeId is required for host=node");
  if (host === "node" && !p.systemRunPlan) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "systemRunPlan is required for host=node");
  if (!p.command.trim()) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "command is required");
  const approvals = gw.approvals;
  const r = approvals.open(
    {
      command: p.command, commandPreview: host === "node" ? null : p.commandPreview, commandArgv: host === "node" ? undefined : p.commandArgv,
      envKeys: p.env ? Object.keys(p.env).sort() : undefined, systemRunBinding: p.systemRunBinding, systemRunPlan: p.systemRunPlan,
      cwd: p.cwd, nodeId: host === "node" ? p.nodeId : null, host, security: p.security, ask: p.ask, warningText: p.warningText,
      scope: p.scope, allowedDecisions: allowedDecisionsFor(p.ask, p.unavailableDecisions), agentId: p.agentId,
      resolvedPath: p.resolvedPath, sessionKey: p.sessionKey, sessionId: p.sessionId, runId: p.runId, toolCallId: p.toolCallId,
      turnSourceChannel: p.turnSourceChannel, turnSourceTo: p.turnSourceTo, turnSourceAccountId: p.turnSourceAccountId,
      turnSourceThreadId: p.turnSourceThreadId,
    },
    { timeoutMs: p.timeoutMs, id: p.id, requester: conn },
  );
  // suppressDelivery: the caller routes the prompt itself, so the record just waits; with
  // requireDeliveryRoute:false it waits even when no approval client is there yet.
  const offered = p.suppressDelivery === true || approvals.offer(r, { exclude: conn.connId, keepWithoutRoute: p.requireDeliveryRoute === false });
  if (!offered) return decided(r);
  const settled = approvals.records.wait(r.id)!;
  if (p.twoPhase) accept({ status: "accepted", id: r.id, deliveryRoute: "approval-client", createdAtMs: r.createdAtMs, expiresAtMs: r.expiresAtMs });
  return decided(await settled);
});

export const execApprovalResolveMethod = implement(approvalMethods.execApprovalResolve, (p, { gw, conn }) => {
  if (!isDecision(p.decision)) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "invalid decision");
  const pending = find(gw.approvals, conn, p.id, "pending");
  if (!pending) {
    const done = find(gw.approvals, conn, p.id, "settled");
    if (!done) throw notFound();
    if (done.decision === p.decision) return { ok: true as const };
    throw alreadyResolved();
  }
  if (!pending.request.allowedDecisions.includes(p.decision)) {
    throw new GatewayError(ErrorCodes.INVALID_REQUEST, `${p.decision} is not offered for this approval (allowed: ${pending.request.allowedDecisions.join(", ")})`, {
      details: { reason: p.decision === "allow-always" ? "APPROVAL_ALLOW_ALWAYS_UNAVAILABLE" : "APPROVAL_DECISION_UNAVAILABLE" },
    });
  }
  if (!gw.approvals.decide(pending, p.decision, conn)) throw alreadyResolved();
  return { ok: true as const };
});

export const execApprovalGetMethod = implement(approvalMethods.execApprovalGet, (p, { gw, conn }) => {
  const r = find(gw.approvals, conn, p.id, "pending");
  if (!r) throw notFound();
  return execApprovalView(r);
});

export const execApprovalListMethod = implement(approvalMethods.execApprovalList, (_p, { gw, conn }) => gw.approvals.visiblePending(conn) as never);

export const execApprovalWaitDecisionMethod = implement(approvalMethods.execApprovalWaitDecision, async (p, { gw, conn }) => {
  const r = exact(gw.approvals, conn, p.id);
  const settled = r && gw.approvals.records.wait(r.id);
  if (!settled) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "approval expired or not found");
  const done = await settled;
  return { ...decided(done), ...(done.terminalReason && done.terminalReason !== "user" ? { terminalReason: done.terminalReason } : {}) };
});

export const execApprovalsGetMethod = implement(approvalMethods.execApprovalsGet, (_p, { gw }) => documentPayload(gw.approvals.snapshot()));

export const execApprovalsSetMethod = implement(approvalMethods.execApprovalsSet, (p, { gw }) => {
  const next = gw.approvals.replaceDocument(p.file, p.baseHash);
  gw.log.info(`exec approvals document replaced (hash ${next.hash.slice(0, 12)})`);
  return documentPayload(next);
});

export const approvalGetMethod = implement(approvalMethods.approvalGet, (p, { gw, conn }) => {
  const r = exact(gw.approvals, conn, p.id);
  if (!r) throw approvalNotFound();
  return { approval: approvalSnapshot(r) as never };
});

export const approvalResolveMethod = implement(approvalMethods.approvalResolve, (p, { gw, conn }) => {
  const r = exact(gw.approvals, conn, p.id);
  if (!r) throw approvalNotFound();
  if (r.status !== "pending") return { applied: false, approval: approvalSnapshot(r) as never };
  // A verdict this approval cannot take (unknown decision, wrong kind) closes it as deny, never allows.
  const usable = isDecision(p.decision) && (p.kind === undefined || p.kind === "exec");
  const settled = gw.approvals.decide(r, usable ? (p.decision as ExecDecision) : null, conn);
  if (!settled) return { applied: false, approval: approvalSnapshot(gw.approvals.records.get(r.id) ?? r) as never };
  return { applied: true, approval: approvalSnapshot(settled) as never };
});

export const pluginApprovalListMethod = implement(approvalMethods.pluginApprovalList, () => []);
export const openclawApprovalListMethod = implement(approvalMethods.openclawApprovalList, () => []);

/**
 * The shapes approvals take on the wire: the `request` of exec.approval.requested (every key
 * present, null where unknown, as approval UIs read it), and the projections exec.approval.get,
 * exec.approval.list and the kind-agnostic approval.get answer with.
 */
import type { ExecDecision } from "../../agents/tools/types.ts";
import type { ApprovalRecord } from "./records.ts";

export const ALL_DECISIONS: readonly ExecDecision[] = ["allow-once", "allow-always", "deny"];

export function isDecision(v: unknown): v is ExecDecision {
  return typeof v === "string" && (ALL_DECISIONS as readonly string[]).includes(v);
}

/** What a request may say about itself; absent keys are sent as null. */
export interface RequestFields {
  command: string;
  commandPreview?: string | null;
  commandArgv?: string[];
  envKeys?: string[];
  systemRunBinding?: unknown;
  systemRunPlan?: unknown;
  cwd?: string | null;
  nodeId?: string | null;
  host?: string | null;
  security?: string | null;
  ask?: string | null;
  warningText?: string | null;
  scope?: unknown;
  allowedDecisions: ExecDecision[];
  agentId?: string | null;
  resolvedPath?: string | null;
  sessionKey?: string | null;
  sessionId?: string | null;
  runId?: string | null;
  toolCallId?: string | null;
  turnSourceChannel?: string | null;
  turnSourceTo?: string | null;
  turnSourceAccountId?: string | null;
  turnSourceThreadId?: string | number | null;
}

/**
 * Decisions a request offers: ask=always never offers allow-always (it would not stop the next
 * prompt), and a requester may withhold allow-always.
 */
export function allowedDecisionsFor(ask: string | null | undefined, unavailable: readonly string[] = []): ExecDecision[] {
  const offered: ExecDecision[] = ask === "always" ? ["allow-once", "deny"] : ["allow-once", "allow-always", "deny"];
  return offered.filter((d) => d === "deny" || !unavailable.includes(d));
}

export function requestPayload(f: RequestFields): ApprovalRecord["request"] {
  const n = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
  const unavailable = ALL_DECISIONS.filter((d) => d !== "deny" && !f.allowedDecisions.includes(d));
  return {
    command: f.command,
    ...(f.commandPreview ? { commandPreview: f.commandPreview } : {}),
    ...(f.commandArgv ? { commandArgv: f.commandArgv } : {}),
    ...(f.envKeys?.length ? { envKeys: f.envKeys } : {}),
    systemRunBinding: n(f.systemRunBinding),
    systemRunPlan: n(f.systemRunPlan),
    cwd: n(f.cwd),
    nodeId: n(f.nodeId),
    host: n(f.host),
    security: n(f.security),
    ask: n(f.ask),
    warningText: n(f.warningText),
    scope: n(f.scope),
    commandAnalysis: { commandCount: countCommands(f.command), nestedCommandCount: 0, riskKinds: [], warningLines: [] },
    ...(unavailable.length ? { unavailableDecisions: unavailable } : {}),
    allowedDecisions: f.allowedDecisions,
    agentId: n(f.agentId),
    resolvedPath: n(f.resolvedPath),
    sessionKey: n(f.sessionKey),
    sessionId: n(f.sessionId),
    runId: n(f.runId),
    toolCallId: n(f.toolCallId),
    turnSourceChannel: n(f.turnSourceChannel),
    turnSourceTo: n(f.turnSourceTo),
    turnSourceAccountId: n(f.turnSourceAccountId),
    turnSourceThreadId: n(f.turnSourceThreadId),
    cronExecutionSource: null,
    cronOperationBinding: null,
  };
}

/**
 * Top-level commands in a shell line (`a && b | c; d` is four), outside quotes. An approver sees
 * at a glance that one prompt covers several commands.
 */
export function countCommands(command: string): number {
  let count = 0;
  let inSegment = false;
  let quote: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    if (c === ";" || c === "|" || c === "&" || c === "\n") {
      // `>&`/`&>` redirect streams; they do not start a command.
      if (c === "&" && (command[i - 1] === ">" || command[i + 1] === ">")) continue;
      inSegment = false;
      continue;
    }
    if (!inSegment && !/\s/.test(c)) {
      inSegment = true;
      count++;
    }
  }
  return Math.max(1, count);
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

function commandTexts(r: ApprovalRecord): { commandText: string; commandPreview: string | null } {
  return { commandText: String(r.request.command ?? ""), commandPreview: str(r.request.commandPreview) };
}

/** exec.approval.get */
export function execApprovalView(r: ApprovalRecord) {
  return {
    id: r.id,
    ...commandTexts(r),
    allowedDecisions: r.request.allowedDecisions,
    host: str(r.request.host),
    nodeId: str(r.request.nodeId),
    agentId: str(r.request.agentId),
    expiresAtMs: r.expiresAtMs,
  };
}

/** One exec.approval.list entry. */
export function listEntry(r: ApprovalRecord) {
  return { id: r.id, request: r.request, createdAtMs: r.createdAtMs, expiresAtMs: r.expiresAtMs, approvalKind: "exec" as const };
}

/** approval.get / approval.resolve: the kind-agnostic view, with the outcome once settled. */
export function approvalSnapshot(r: ApprovalRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: r.id,
    status: r.status,
    presentation: {
      kind: "exec",
      ...commandTexts(r),
      warningText: str(r.request.warningText),
      host: str(r.request.host),
      nodeId: str(r.request.nodeId),
      agentId: str(r.request.agentId),
      allowedDecisions: r.request.allowedDecisions,
    },
    urlPath: `/approve/${encodeURIComponent(r.id)}`,
    createdAtMs: r.createdAtMs,
    expiresAtMs: r.expiresAtMs,
  };
  if (r.status === "pending") return out;
  out.resolvedAtMs = r.resolvedAtMs;
  out.reason = r.terminalReason;
  if (r.status === "allowed" && r.decision) out.decision = r.decision;
  if (r.status === "denied") out.decision = "deny";
  const agentId = str(r.request.agentId);
  const sessionKey = str(r.request.sessionKey);
  out.source = { ...(agentId ? { agentId } : {}), ...(sessionKey ? { sessionKey } : {}) };
  if (r.resolver) out.resolver = r.resolver;
  return out;
}

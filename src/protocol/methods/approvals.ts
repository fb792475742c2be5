/**
 * Exec approvals: the operator round trip (exec.approval.*, approval.*) and the host document (exec.approvals.*).
 * Every schema here is built on first use (lazySchemas/lazyMethod): a gateway nobody asks for an
 * approval never holds them.
 */
import { z } from "zod";
import { lazyMethod, lazySchemas } from "./types.ts";

export const SECURITY_LEVELS = ["deny", "allowlist", "full"] as const;
export const ASK_LEVELS = ["off", "on-miss", "always"] as const;

const documentSchemas = lazySchemas(() => {
  const Security = z.enum(SECURITY_LEVELS);
  const Ask = z.enum(ASK_LEVELS);

  const policyFields = {
    security: Security.optional().describe("deny: no host exec; allowlist: allowlisted commands only; full: any command"),
    ask: Ask.optional().describe("off: never ask; on-miss: ask when the allowlist does not cover the command; always: ask every time"),
    askFallback: Security.optional().describe("What a prompt nobody can answer (no approval client, expiry) falls back to (default deny)"),
    autoAllowSkills: z.boolean().optional().describe("Whether skill binaries count as allowlisted"),
  };

  const AllowlistEntry = z
    .object({
      id: z.string().min(1).optional().describe("Stable id; the gateway assigns a UUID when absent"),
      pattern: z.string().trim().min(1).describe("A bare command-name glob (matches commands run through PATH) or a resolved-path glob (contains /)"),
      argPattern: z.string().optional().describe("JavaScript regular expression over the arguments after argv[0], joined by single spaces"),
      source: z.literal("allow-always").optional().describe("Set on entries an allow-always decision created"),
      lastUsedAt: z.number().min(0).nullable().optional().describe("When the entry was created or last used (ms)"),
      lastUsedCommand: z.string().nullable().optional().describe("The command text that last used it"),
      lastResolvedPath: z.string().optional().describe("The binary it last resolved to"),
    })
    .describe("One allowlist rule (unknown keys such as legacy commandText are dropped)");

  const ApprovalsDocument = z
    .object({
      version: z.literal(1).describe("Document format version"),
      defaults: z.object(policyFields).optional().describe("The host's policy for every agent without its own"),
      agents: z
        .record(
          z.string().min(1),
          z
            .object({
              ...policyFields,
              allowlist: z.array(AllowlistEntry).optional().describe("Commands this agent may run without asking"),
              mcpTools: z.array(z.record(z.string(), z.unknown())).optional().describe("Durable MCP tool grants (kept, not used by this gateway)"),
            })
            .describe("One agent's policy (\"*\": every agent)"),
        )
        .optional()
        .describe("Per-agent policy and allowlists, keyed by agent id or \"*\""),
    })
    .describe("The host exec approvals document");

  return { Security, Ask, AllowlistEntry, ApprovalsDocument };
});

/** One allowlist rule of the host document. */
export const allowlistEntrySchema = () => documentSchemas().AllowlistEntry;
/** The host exec approvals document; unknown keys (a legacy `socket`) are dropped on write. */
export const approvalsDocumentSchema = () => documentSchemas().ApprovalsDocument;

/** Pieces several methods share, built with the first of them. */
const shared = lazySchemas(() => {
  const { Security, Ask, ApprovalsDocument } = documentSchemas();
  const Id = z.string().min(1).max(256);
  const Decision = z.enum(["allow-once", "allow-always", "deny"]);
  const Nullable = z.string().nullable().optional();
  const Open = z.record(z.string(), z.unknown());
  const Time = z.number();

  const RequestRecord = z
    .object({ command: z.string(), allowedDecisions: z.array(Decision) })
    .passthrough()
    .describe("What is asked: the command, where and for whom it runs, and the decisions offered");

  const PendingEntry = z
    .strictObject({ id: z.string(), request: RequestRecord, createdAtMs: Time, expiresAtMs: Time, approvalKind: z.literal("exec") })
    .describe("A pending exec approval");

  const Presentation = z.strictObject({
    kind: z.literal("exec"),
    commandText: z.string(),
    commandPreview: z.string().nullable(),
    warningText: z.string().nullable(),
    host: z.string().nullable(),
    nodeId: z.string().nullable(),
    agentId: z.string().nullable(),
    allowedDecisions: z.array(Decision),
  });

  const ApprovalSnapshot = z
    .strictObject({
      id: z.string(),
      status: z.enum(["pending", "allowed", "denied", "expired", "cancelled"]),
      presentation: Presentation,
      urlPath: z.string(),
      createdAtMs: Time,
      expiresAtMs: Time,
      resolvedAtMs: Time.optional(),
      reason: z.enum(["user", "timeout", "no-route", "run-aborted", "gateway-restart", "malformed-verdict"]).optional(),
      decision: Decision.optional(),
      source: z.strictObject({ agentId: z.string().optional(), sessionKey: z.string().optional() }).optional(),
      resolver: z.strictObject({ kind: z.enum(["device", "runtime"]), id: z.string().optional() }).optional(),
    })
    .describe("An approval of any kind as an operator sees it, with its outcome once settled");

  const Decided = z.strictObject({ id: z.string(), decision: Decision.nullable(), createdAtMs: Time, expiresAtMs: Time });

  const DocumentSnapshot = z.strictObject({
    path: z.string(),
    exists: z.boolean(),
    hash: z.string(),
    file: ApprovalsDocument,
    resolvedDefaults: z.strictObject({ security: Security, ask: Ask, askFallback: Security, autoAllowSkills: z.boolean() }),
  });

  return { Id, Decision, Nullable, Open, Time, PendingEntry, ApprovalSnapshot, Decided, DocumentSnapshot };
});

export const execApprovalRequest = lazyMethod({
  name: "exec.approval.request",
  description:
    "Ask the approval clients to approve a command and wait for the decision (null at once when no approval client can see it, or at expiry). " +
    "twoPhase: an {status:\"accepted\"} response first, then the decision under the same request id",
  scope: "operator.approvals",
}, () => {
  const { Id, Nullable, Open, Time, Decided } = shared();
  return {
    params: z.strictObject({
      id: Id.optional(),
      command: z.string().min(1).max(16_384),
      commandArgv: z.array(z.string()).optional(),
      commandPreview: Nullable,
      systemRunPlan: Open.nullable().optional(),
      systemRunBinding: Open.nullable().optional(),
      env: z.record(z.string().min(1), z.string()).optional(),
      cwd: Nullable,
      nodeId: Nullable,
      host: Nullable,
      security: Nullable,
      ask: Nullable,
      warningText: Nullable,
      scope: z.unknown().optional(),
      unavailableDecisions: z.array(z.literal("allow-always")).max(1).optional(),
      commandSpans: z.array(z.strictObject({ startIndex: z.int().min(0), endIndex: z.int().min(1) })).optional(),
      agentId: Nullable,
      resolvedPath: Nullable,
      sessionKey: Nullable,
      sessionId: Nullable,
      runId: Nullable,
      toolCallId: Nullable,
      turnSourceChannel: Nullable,
      turnSourceTo: Nullable,
      turnSourceAccountId: Nullable,
      turnSourceThreadId: z.union([z.string(), z.number()]).nullable().optional(),
      approvalReviewerDeviceIds: z.array(z.string().min(1)).optional(),
      requireDeliveryRoute: z.boolean().optional(),
      suppressDelivery: z.boolean().optional(),
      deliverToApprovalClientsOnly: z.boolean().optional(),
      timeoutMs: z.int().min(1).max(7 * 24 * 3_600_000).optional(),
      twoPhase: z.boolean().optional(),
    }),
    result: z.union([
      Decided,
      z.strictObject({ status: z.literal("accepted"), id: z.string(), deliveryRoute: z.literal("approval-client"), createdAtMs: Time, expiresAtMs: Time }),
    ]),
  };
});

export const execApprovalResolve = lazyMethod({
  name: "exec.approval.resolve",
  description: "Decide a pending exec approval; repeating the recorded decision is {ok:true}, another one is \"approval already resolved\"",
  scope: "operator.approvals",
}, () => {
  const { Id, Open } = shared();
  return {
    params: z.strictObject({
      id: Id,
      decision: z.string().min(1),
      reviewer: Open.optional(),
      grantExpiresInDays: z.int().min(1).max(3650).optional(),
    }),
    result: z.strictObject({ ok: z.literal(true) }),
  };
});

export const execApprovalGet = lazyMethod({
  name: "exec.approval.get",
  description: "One pending exec approval by id (or a unique id prefix)",
  scope: "operator.approvals",
}, () => {
  const { Id, Decision, Time } = shared();
  return {
    params: z.strictObject({ id: Id }),
    result: z.strictObject({
      id: z.string(), commandText: z.string(), commandPreview: z.string().nullable(), allowedDecisions: z.array(Decision),
      host: z.string().nullable(), nodeId: z.string().nullable(), agentId: z.string().nullable(), expiresAtMs: Time,
    }),
  };
});

export const execApprovalList = lazyMethod({
  name: "exec.approval.list",
  description: "Pending exec approvals the caller may see (all for admin; an approvals-only client sees those it requested)",
  scope: "operator.approvals",
  lenientParams: true,
}, () => ({
  params: z.strictObject({}),
  result: z.array(shared().PendingEntry),
}));

export const execApprovalWaitDecision = lazyMethod({
  name: "exec.approval.waitDecision",
  description: "Wait until an exec approval is decided (answers at once for one decided in the last 10 minutes)",
  scope: "operator.approvals",
}, () => ({
  params: z.strictObject({ id: shared().Id }),
  result: shared().Decided.extend({ terminalReason: z.string().optional() }),
}));

export const execApprovalsGet = lazyMethod({
  name: "exec.approvals.get",
  description: "The gateway host's exec approvals document, its hash (for exec.approvals.set) and the defaults it resolves to",
  scope: "operator.admin",
  lenientParams: true,
}, () => ({
  params: z.strictObject({}),
  result: shared().DocumentSnapshot,
}));

export const execApprovalsSet = lazyMethod({
  name: "exec.approvals.set",
  description: "Replace the exec approvals document; baseHash must be the hash exec.approvals.get returned. New allowlist entries get an id",
  scope: "operator.admin",
}, () => ({
  params: z.strictObject({ file: shared().Open, baseHash: z.string().min(1).optional() }),
  result: shared().DocumentSnapshot,
}));

export const approvalGet = lazyMethod({
  name: "approval.get",
  description: "Any approval by exact id, pending or recently settled",
  scope: "operator.approvals",
}, () => ({
  params: z.strictObject({ id: shared().Id }),
  result: z.strictObject({ approval: shared().ApprovalSnapshot }),
}));

export const approvalResolve = lazyMethod({
  name: "approval.resolve",
  description:
    "Decide an approval by exact id. applied:false (with the recorded outcome) when it was already settled; a decision the approval does not offer, or the wrong kind, denies it",
  scope: "operator.approvals",
}, () => {
  const { Id, Open, ApprovalSnapshot } = shared();
  return {
    params: z.strictObject({
      id: Id,
      kind: z.string().optional(),
      decision: z.string().min(1),
      grantExpiresInDays: z.int().min(1).max(3650).optional(),
      reviewer: Open.optional(),
    }),
    result: z.strictObject({ applied: z.boolean(), approval: ApprovalSnapshot }),
  };
});

export const pluginApprovalList = lazyMethod({
  name: "plugin.approval.list",
  description: "Pending plugin approvals (this gateway has no plugins: always empty)",
  scope: "operator.approvals",
  lenientParams: true,
}, () => ({
  params: z.strictObject({}),
  result: z.array(shared().Open),
}));

export const openclawApprovalList = lazyMethod({
  name: "openclaw.approval.list",
  description: "Pending system-agent approvals (this gateway has no system agent: always empty)",
  scope: "operator.approvals",
  lenientParams: true,
}, () => ({
  params: z.strictObject({}),
  result: z.array(shared().Open),
}));

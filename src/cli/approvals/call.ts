/**
 * The connections `approvals` verbs make: one-shot, asking for the scopes the method needs. Listing
 * every pending record takes admin (an approvals-only client sees only its own); deciding takes
 * approvals too; the host document is admin only.
 */
import type { ArgsDef } from "citty";
import { jsonArg, timeoutArg, urlArgs } from "../args.ts";
import type { CliContext } from "../context.ts";
import { callOrExit, type ClientCallArgs, type ClientIdentity } from "../rpc.ts";

export const common = { ...jsonArg, ...urlArgs, ...timeoutArg(10_000) } as const satisfies ArgsDef;

const asCli = (...scopes: string[]): ClientIdentity => ({ clientId: "cli", mode: "cli", scopes });
export const LISTER = asCli("operator.admin");
export const RESOLVER = asCli("operator.admin", "operator.approvals");
export const DOCUMENT_EDITOR = asCli("operator.admin");

/** One RPC; a gateway failure is printed in the shared error shape and exits 1. */
export function approvalsCall<T>(ctx: CliContext, a: ClientCallArgs, method: string, params: unknown, identity: ClientIdentity): Promise<T> {
  return callOrExit<T>(ctx, a, method, params, [identity]);
}

export type Decision = "allow-once" | "allow-always" | "deny";
export const DECISIONS: readonly Decision[] = ["allow-once", "allow-always", "deny"];

/** What approval.get / approval.resolve answer, as far as the CLI reads it. */
export interface ApprovalView {
  id: string;
  status: "pending" | "allowed" | "denied" | "expired" | "cancelled";
  presentation: { kind: string; commandText?: string; allowedDecisions: Decision[] };
  decision?: Decision;
  reason?: string;
  resolver?: { kind: string; id?: string };
  [k: string]: unknown;
}

/** One exec.approval.list entry. */
export interface PendingRecord {
  id: string;
  request: { command?: string; agentId?: string | null; sessionKey?: string | null; title?: string; description?: string; [k: string]: unknown };
  createdAtMs: number;
  expiresAtMs: number;
}

export interface AllowlistEntry {
  id?: string;
  pattern: string;
  argPattern?: string;
  source?: string;
  lastUsedAt?: number;
  lastUsedCommand?: string;
  [k: string]: unknown;
}

export interface AgentPolicy {
  security?: string;
  ask?: string;
  askFallback?: string;
  autoAllowSkills?: boolean;
  allowlist?: AllowlistEntry[];
  [k: string]: unknown;
}

export interface ApprovalsFile {
  version: 1;
  defaults?: Omit<AgentPolicy, "allowlist">;
  agents?: Record<string, AgentPolicy>;
  [k: string]: unknown;
}

/** exec.approvals.get / set. */
export interface DocumentSnapshot {
  path: string;
  exists: boolean;
  hash: string;
  file: ApprovalsFile;
  resolvedDefaults: { security: string; ask: string; askFallback: string; autoAllowSkills: boolean };
}

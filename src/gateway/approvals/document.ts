/**
 * The host approvals document (`exec.approvals.get/set`): per-host defaults and per-agent policy
 * and allowlists, and the policy math that combines it with what config requests. The document is
 * the host's word: it can only make exec stricter than `tools.exec`, never looser.
 */
import type { z } from "zod";
import type { ExecAsk, ExecPolicy, ExecSecurity } from "../../agents/tools/types.ts";
import { ASK_LEVELS, allowlistEntrySchema, approvalsDocumentSchema, formatIssues, SECURITY_LEVELS } from "../../protocol/index.ts";

export type AllowlistEntry = z.output<ReturnType<typeof allowlistEntrySchema>>;
export type ApprovalsDocument = z.output<ReturnType<typeof approvalsDocumentSchema>>;

export interface ResolvedDefaults extends ExecPolicy {
  autoAllowSkills: boolean;
}

/** What a host with an empty document allows: anything, without asking. */
export const BUILTIN_DEFAULTS: Readonly<ResolvedDefaults> = { security: "full", ask: "off", askFallback: "deny", autoAllowSkills: false };

export function emptyDocument(): ApprovalsDocument {
  return { version: 1, defaults: {}, agents: {} };
}

export class InvalidDocumentError extends Error {}

/**
 * Validates an uploaded document and gives every allowlist entry an id. Unknown keys (legacy
 * `commandText`, `socket`) are dropped; null usage fields of older files are treated as absent; an
 * argPattern that is not a regular expression is refused here, not discovered at exec time.
 */
export function normalizeDocument(input: unknown, newId: () => string = () => crypto.randomUUID()): ApprovalsDocument {
  const parsed = approvalsDocumentSchema().safeParse(input);
  if (!parsed.success) throw new InvalidDocumentError(`invalid exec approvals file: ${formatIssues(parsed.error.issues)}`);
  const doc = parsed.data;
  for (const [agentId, agent] of Object.entries(doc.agents ?? {})) {
    agent.allowlist = agent.allowlist?.map((entry, i) => {
      if (entry.argPattern !== undefined) {
        try {
          new RegExp(entry.argPattern);
        } catch (err) {
          throw new InvalidDocumentError(`invalid exec approvals file: agents.${agentId}.allowlist[${i}].argPattern is not a valid regular expression (${(err as Error).message})`);
        }
      }
      const out: AllowlistEntry = { ...entry, id: entry.id ?? newId() };
      if (out.lastUsedAt === null) delete out.lastUsedAt;
      if (out.lastUsedCommand === null) delete out.lastUsedCommand;
      return out;
    });
  }
  return doc;
}

/** The document's defaults with the built-in ones filled in (`resolvedDefaults` of exec.approvals.get). */
export function resolvedDefaults(doc: ApprovalsDocument): ResolvedDefaults {
  const d = doc.defaults ?? {};
  return {
    security: d.security ?? BUILTIN_DEFAULTS.security,
    ask: d.ask ?? BUILTIN_DEFAULTS.ask,
    askFallback: d.askFallback ?? BUILTIN_DEFAULTS.askFallback,
    autoAllowSkills: d.autoAllowSkills ?? BUILTIN_DEFAULTS.autoAllowSkills,
  };
}

/** The host's policy for one agent: its own entry, else "*", else the defaults, field by field. */
export function hostPolicy(doc: ApprovalsDocument, agentId: string): ResolvedDefaults {
  const own = doc.agents?.[agentId];
  const any = doc.agents?.["*"];
  const base = resolvedDefaults(doc);
  return {
    security: own?.security ?? any?.security ?? base.security,
    ask: own?.ask ?? any?.ask ?? base.ask,
    askFallback: own?.askFallback ?? any?.askFallback ?? base.askFallback,
    autoAllowSkills: own?.autoAllowSkills ?? any?.autoAllowSkills ?? base.autoAllowSkills,
  };
}

const rank = <T extends string>(levels: readonly T[], v: T) => levels.indexOf(v);
const minSecurity = (a: ExecSecurity, b: ExecSecurity): ExecSecurity => (rank(SECURITY_LEVELS, a) <= rank(SECURITY_LEVELS, b) ? a : b);
const maxAsk = (a: ExecAsk, b: ExecAsk): ExecAsk => (rank(ASK_LEVELS, a) >= rank(ASK_LEVELS, b) ? a : b);

/**
 * The stricter of what config requests and what the host allows: the lower security, the more
 * insistent ask. The fallback for an unanswerable prompt never exceeds the host's own security.
 */
export function combinePolicy(requested: { security: ExecSecurity; ask: ExecAsk }, host: ExecPolicy): ExecPolicy {
  return {
    security: minSecurity(requested.security, host.security),
    ask: maxAsk(requested.ask, host.ask),
    askFallback: minSecurity(host.security, host.askFallback),
  };
}

/** Both allowlists that apply to an agent: its own, then the "*" one. */
export function allowlistFor(doc: ApprovalsDocument, agentId: string): AllowlistEntry[] {
  const own = doc.agents?.[agentId]?.allowlist ?? [];
  return agentId === "*" ? own : [...own, ...(doc.agents?.["*"]?.allowlist ?? [])];
}

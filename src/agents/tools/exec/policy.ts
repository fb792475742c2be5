/**
 * Whether an `exec` call may run: the policy config requests (mode, or the legacy security/ask
 * pair), made stricter by the host's approvals document, the allowlist, and — when the policy
 * says to ask — an operator's decision, with askFallback deciding when nobody can answer.
 */
import type { OpenClawConfig } from "../../../config/schema.ts";
import type { ExecMode } from "../../../config/sections/tools.ts";
import {
  textResult, ToolInputError,
  type ExecAsk, type ExecDecision, type ExecPolicy, type ExecSecurity, type ToolContext, type ToolResult,
} from "../types.ts";
import type { CommandAnalysis } from "./analyze.ts";

export interface RequestedPolicy {
  security: ExecSecurity;
  ask: ExecAsk;
}

const MODES: Record<ExecMode, RequestedPolicy> = {
  deny: { security: "deny", ask: "off" },
  allowlist: { security: "allowlist", ask: "off" },
  ask: { security: "allowlist", ask: "on-miss" },
  // No model reviewer here: a miss goes straight to an operator.
  auto: { security: "allowlist", ask: "on-miss" },
  full: { security: "full", ask: "off" },
};
const DEFAULT_POLICY: RequestedPolicy = { security: "full", ask: "off" };

const SECURITY_RANK: Record<ExecSecurity, number> = { deny: 0, allowlist: 1, full: 2 };
const ASK_RANK: Record<ExecAsk, number> = { off: 0, "on-miss": 1, always: 2 };

export const stricterSecurity = (a: ExecSecurity, b: ExecSecurity): ExecSecurity => (SECURITY_RANK[a] <= SECURITY_RANK[b] ? a : b);
export const stricterAsk = (a: ExecAsk, b: ExecAsk): ExecAsk => (ASK_RANK[a] >= ASK_RANK[b] ? a : b);

/** The most specific scope that says anything: the agent's entry, the agents' defaults, then `tools.exec`. */
export function requestedExecPolicy(config: OpenClawConfig | undefined, agentId: string): RequestedPolicy {
  const scopes = [config?.agents?.entries?.[agentId]?.tools?.exec, config?.agents?.defaults?.tools?.exec, config?.tools?.exec];
  for (const s of scopes) {
    if (!s) continue;
    if (s.mode) return { ...MODES[s.mode] };
    if (s.security || s.ask) return { security: s.security ?? DEFAULT_POLICY.security, ask: s.ask ?? DEFAULT_POLICY.ask };
  }
  return { ...DEFAULT_POLICY };
}

export interface GateInput {
  command: string;
  analysis: CommandAnalysis;
  host: "gateway" | "node";
  cwd: string;
  nodeId?: string;
  systemRunPlan?: Record<string, unknown>;
  /** argv[0] → the binary it runs, or null when it cannot be resolved. */
  resolvePath(argv0: string): string | null;
  /** A call may ask for more prompting than the policy, never less. */
  askArg?: ExecAsk;
  /** The execution host's own policy, when it reports one (a node's prepare answer). */
  hostPolicy?: Partial<RequestedPolicy>;
}

export type GateOutcome =
  | { run: true; policy: ExecPolicy; decision?: ExecDecision; approvalId?: string }
  | { run: false; result: ToolResult };

function policyLine(p: ExecPolicy): string {
  return `Effective host exec policy: security=${p.security} ask=${p.ask} askFallback=${p.askFallback}\n`;
}

const FIX_HINTS =
  "To let this run: connect an approval client (the Control UI, or an operator client with the approvals scope and caps " +
  '["exec-approvals"]) so an operator can answer, add the command to the agent\'s exec allowlist ' +
  "(openclaw approvals allowlist add <pattern>), or set tools.exec.mode to \"full\" if commands should run without asking.";

/** The effective policy, after config, the approvals document, the host and the call itself. */
export function effectivePolicy(ctx: ToolContext, input: Pick<GateInput, "askArg" | "hostPolicy">): ExecPolicy {
  const requested = requestedExecPolicy(ctx.config, ctx.agentId);
  const approvals = ctx.services?.approvals;
  const p: ExecPolicy = approvals ? { ...approvals.effectivePolicy(ctx.agentId, requested) } : { ...requested, askFallback: "deny" };
  if (input.hostPolicy?.security) p.security = stricterSecurity(p.security, input.hostPolicy.security);
  if (input.hostPolicy?.ask) p.ask = stricterAsk(p.ask, input.hostPolicy.ask);
  if (input.askArg) p.ask = stricterAsk(p.ask, input.askArg);
  return p;
}

/** Every command of the line is allowlisted; otherwise why not. */
function allowlistCheck(ctx: ToolContext, input: GateInput): { hit: true } | { hit: false; why: string } {
  if (!input.analysis.ok) return { hit: false, why: `${input.analysis.reason} is not allowed in allowlist mode` };
  const approvals = ctx.services?.approvals;
  for (const argv of input.analysis.segments) {
    if (!approvals?.allowlisted(ctx.agentId, argv, input.resolvePath(argv[0]!))) return { hit: false, why: `${argv[0]} is not allowlisted` };
  }
  return { hit: true };
}

function aborted(): Error {
  return new Error("Aborted");
}

/** The approval round trip; rejects with "Aborted" when the run is aborted while it waits. */
async function askOperator(ctx: ToolContext, input: GateInput, policy: ExecPolicy): Promise<{ id: string | null; decision: ExecDecision | null; reason?: string }> {
  const approvals = ctx.services?.approvals;
  if (!approvals) return { id: null, decision: null, reason: "no-approval-route" };
  const simple = input.analysis.ok && input.analysis.segments.length === 1;
  const argv = simple && input.analysis.ok ? input.analysis.segments[0]! : undefined;
  let pendingId: string | null = null;
  const request = approvals.request(
    {
      command: input.command, ...(argv ? { commandArgv: argv, resolvedPath: input.resolvePath(argv[0]!) } : {}), cwd: input.cwd,
      host: input.host, nodeId: input.nodeId ?? null, systemRunPlan: input.systemRunPlan ?? null,
      security: policy.security, ask: policy.ask, agentId: ctx.agentId, sessionKey: ctx.sessionKey,
      ...(ctx.runId ? { runId: ctx.runId } : {}), toolCallId: ctx.toolCallId,
      allowedDecisions: simple ? ["allow-once", "allow-always", "deny"] : ["allow-once", "deny"],
    },
    {
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      onPending: (id) => {
        pendingId = id;
        ctx.onProgress?.({ kind: "waiting-approval", approvalId: id });
      },
    },
  );
  const signal = ctx.signal;
  let onAbort: (() => void) | undefined;
  const abortedWait = new Promise<never>((_, reject) => {
    if (!signal) return;
    onAbort = () => reject(aborted());
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  let answer: Awaited<typeof request>;
  try {
    answer = await Promise.race([request, abortedWait]);
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
    request.catch(() => {});
  }
  if (signal?.aborted) throw aborted();
  // Only a request that went pending was announced; one closed at once (no route) has nothing to resolve.
  if (pendingId !== null) ctx.onProgress?.({ kind: "approval-resolved", approvalId: pendingId, decision: answer.decision });
  return answer;
}

/** Decides; throws ToolInputError with the denial text the model sees, or Error("Aborted"). */
export async function execGate(ctx: ToolContext, input: GateInput): Promise<GateOutcome> {
  const policy = effectivePolicy(ctx, input);
  if (policy.security === "deny") throw new ToolInputError(`exec denied: host=${input.host} security=deny`);
  const check = policy.security === "allowlist" ? allowlistCheck(ctx, input) : ({ hit: true } as const);
  const mustAsk = policy.ask === "always" || (policy.ask === "on-miss" && !check.hit);
  if (!mustAsk) {
    if (check.hit) return { run: true, policy };
    throw new ToolInputError(`exec denied: allowlist miss (${check.why}).\n${policyLine(policy)}Add it to the agent's exec allowlist (openclaw approvals allowlist add <pattern>) or change tools.exec.mode.`);
  }

  const answer = await askOperator(ctx, input, policy);
  const idPart = answer.id ?? "none";
  switch (answer.decision) {
    case "deny":
      return {
        run: false,
        result: textResult(`Exec denied (${input.host} id=${idPart}, user-denied): ${input.command}`, { status: "denied", approvalId: answer.id, host: input.host }, true),
      };
    case "allow-always": {
      const a = input.analysis;
      if (a.ok && a.segments.length === 1) {
        const argv = a.segments[0]!;
        ctx.services?.approvals?.rememberAllowAlways(ctx.agentId, argv, input.resolvePath(argv[0]!), input.command);
      }
      return { run: true, policy, decision: "allow-always", approvalId: idPart };
    }
    case "allow-once":
      return { run: true, policy, decision: "allow-once", approvalId: idPart };
    default:
      break;
  }

  // Nobody decided: askFallback says what happens.
  if (policy.askFallback === "full") return { run: true, policy };
  if (policy.askFallback === "allowlist") {
    const fallback = allowlistCheck(ctx, input);
    if (fallback.hit) return { run: true, policy };
    throw new ToolInputError(`exec denied: no operator answered and the command is not allowlisted (${fallback.why}).\n${policyLine(policy)}${FIX_HINTS}`);
  }
  if (answer.reason === "no-approval-route") {
    throw new ToolInputError(`exec denied: Headless runs cannot wait for interactive exec approval.\n${policyLine(policy)}${FIX_HINTS}`);
  }
  const why = answer.reason && answer.reason !== "expired" && answer.reason !== "timeout" ? ` (${answer.reason})` : "";
  throw new ToolInputError(`exec denied: approval ${idPart} expired before an operator answered it${why}.\n${policyLine(policy)}${FIX_HINTS}`);
}

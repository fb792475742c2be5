/** `approvals pending|list`, `resolve`, `approve` and `deny`: live prompts on the gateway. */
import { verb } from "../args.ts";
import type { CliContext } from "../context.ts";
import { CliError, UsageError } from "../errors.ts";
import type { ClientCallArgs } from "../rpc.ts";
import { approvalsCall, common, DECISIONS, LISTER, RESOLVER, type ApprovalView, type Decision, type PendingRecord } from "./call.ts";
import { noDecisionText, pendingEntry, pendingLines, resolverLabel, type PendingEntry } from "./format.ts";

const LISTS = [["exec.approval.list", "exec"], ["plugin.approval.list", "plugin"], ["openclaw.approval.list", "system-agent"]] as const;

export function pendingCommand(ctx: CliContext, name: "pending" | "list") {
  return verb(name, "Approvals waiting for a decision on the gateway (exec, plugin, system agent)", common, async (a) => {
    const lists = await Promise.all(LISTS.map(([method]) => approvalsCall<PendingRecord[]>(ctx, a, method, {}, LISTER)));
    const entries = lists
      .flatMap((list, i) => (Array.isArray(list) ? list : []).map((r) => pendingEntry(r, LISTS[i]![1])))
      .filter((e): e is PendingEntry => e !== null)
      .sort((x, y) => y.createdAtMs - x.createdAtMs);
    if (a.json) ctx.io.json({ approvals: entries });
    else for (const line of pendingLines(entries, Date.now())) ctx.io.out(line);
  });
}

function requireId(id: string | undefined, usage: string): string {
  const trimmed = id?.trim();
  if (!trimmed) throw new UsageError(`Missing <id>: ${usage} (see openclaw approvals pending)`);
  return trimmed;
}

/**
 * Reads the approval first (its kind and the decisions it offers), then decides it. Repeating the
 * recorded decision succeeds as "already resolved"; any other outcome already on record is an error.
 */
async function decide(ctx: CliContext, a: ClientCallArgs, id: string, decision: Decision): Promise<void> {
  const { approval } = await approvalsCall<{ approval: ApprovalView }>(ctx, a, "approval.get", { id }, RESOLVER);
  if (approval.status === "pending" && !approval.presentation.allowedDecisions.includes(decision)) {
    throw new CliError(`${decision} is not offered for approval ${id}; allowed: ${approval.presentation.allowedDecisions.join(", ")}`);
  }
  const result = await approvalsCall<{ applied: boolean; approval: ApprovalView }>(
    ctx, a, "approval.resolve", { id, kind: approval.presentation.kind, decision }, RESOLVER,
  );
  const recorded = result.approval.decision;
  if (!recorded) throw new CliError(noDecisionText(result.approval));
  if (recorded !== decision) throw new CliError(`Approval ${id} was already resolved with ${recorded} by ${resolverLabel(result.approval)}.`);
  if (a.json) {
    ctx.io.json({ ...result, alreadyResolved: !result.applied });
    return;
  }
  const what = result.applied ? `resolved ${recorded}` : `already resolved (same decision: ${recorded})`;
  ctx.io.out(`Approval ${id} ${what} by ${resolverLabel(result.approval)}.`);
}

const idArg = { id: { type: "positional", required: false, description: "The approval id (see openclaw approvals pending)" } } as const;

export function resolveCommand(ctx: CliContext) {
  const args = { ...common, ...idArg, decision: { type: "positional", required: false, description: "allow-once, allow-always or deny" } } as const;
  return verb("resolve", "Decide a pending approval: allow-once, allow-always or deny", args, async (a) => {
    const usage = "openclaw approvals resolve <id> <allow-once|allow-always|deny>";
    const id = requireId(a.id, usage);
    const decision = a.decision?.trim();
    if (!decision) throw new UsageError(`Missing <decision>: ${usage}`);
    if (!(DECISIONS as readonly string[]).includes(decision)) throw new UsageError(`Decision must be one of: ${DECISIONS.join(", ")} (got ${JSON.stringify(decision)})`);
    await decide(ctx, a, id, decision as Decision);
  });
}

export function approveCommand(ctx: CliContext) {
  const args = { ...common, ...idArg, always: { type: "boolean", description: "Allow this command from now on (allow-always) instead of once" } } as const;
  return verb("approve", "Allow a pending approval once (--always: from now on)", args, async (a) => {
    await decide(ctx, a, requireId(a.id, "openclaw approvals approve <id> [--always]"), a.always ? "allow-always" : "allow-once");
  });
}

export function denyCommand(ctx: CliContext) {
  return verb("deny", "Deny a pending approval", { ...common, ...idArg }, async (a) => {
    await decide(ctx, a, requireId(a.id, "openclaw approvals deny <id>"), "deny");
  });
}

/** `openclaw cron list|status|remove|run`: scheduled jobs on a running gateway. */
import { defineCommand } from "citty";
import { jsonArg, timeoutArg, urlArgs, verb } from "./args.ts";
import type { CliContext } from "./context.ts";
import { UsageError } from "./errors.ts";
import { callOrExit, CLI_READER, type ClientIdentity } from "./rpc.ts";

const ADMIN: ClientIdentity = { clientId: "cli", mode: "cli", scopes: ["operator.admin"] };
const common = { ...jsonArg, ...urlArgs, ...timeoutArg(10_000) } as const;

interface CronJobView {
  id: string;
  name: string;
  agentId: string;
  enabled: boolean;
  schedule: { kind: "at"; at: string } | { kind: "every"; everyMs: number } | { kind: "cron"; expr: string; tz?: string };
  nextRunAtMs: number | null;
  lastRunAtMs: number | null;
  lastStatus: string | null;
  lastError: string | null;
}

interface CronStatusView {
  enabled: boolean;
  storePath: string;
  jobs: number;
  nextWakeAtMs: number | null;
}

function describeSchedule(s: CronJobView["schedule"]): string {
  if (s.kind === "at") return `at ${s.at}`;
  if (s.kind === "every") return s.everyMs % 3_600_000 === 0 ? `every ${s.everyMs / 3_600_000}h` : s.everyMs % 60_000 === 0 ? `every ${s.everyMs / 60_000}m` : `every ${s.everyMs}ms`;
  return `cron ${s.expr}${s.tz ? ` (${s.tz})` : ""}`;
}

const when = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z"));

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
}

export function printJobs(ctx: CliContext, jobs: CronJobView[]): void {
  if (jobs.length === 0) {
    ctx.io.out("No scheduled jobs.");
    return;
  }
  const rows = jobs.map((j) => [
    j.id, j.name, j.agentId, describeSchedule(j.schedule), j.enabled ? when(j.nextRunAtMs) : "disabled",
    j.lastStatus ? `${j.lastStatus} ${when(j.lastRunAtMs)}` : "never",
  ]);
  for (const line of table([["ID", "Name", "Agent", "Schedule", "Next", "Last"], ...rows])) ctx.io.out(line);
  for (const j of jobs) if (j.lastStatus === "error" && j.lastError) ctx.io.err(`${j.id}: last run failed: ${j.lastError}`);
}

function listCommand(ctx: CliContext) {
  const args = { ...common, agent: { type: "string", description: "Only this agent's jobs" } } as const;
  return verb("list", "Scheduled jobs, oldest first", args, async (a) => {
    const params = a.agent ? { agentId: a.agent } : {};
    const res = await callOrExit<{ jobs: CronJobView[] }>(ctx, a, "cron.list", params, [CLI_READER]);
    if (a.json) ctx.io.json(res);
    else printJobs(ctx, res.jobs);
  });
}

function statusCommand(ctx: CliContext) {
  return verb("status", "Whether jobs run, where they are stored and when the scheduler wakes next", common, async (a) => {
    const res = await callOrExit<CronStatusView>(ctx, a, "cron.status", {}, [CLI_READER]);
    if (a.json) return ctx.io.json(res);
    ctx.io.out(`Cron: ${res.enabled ? "enabled" : "disabled (cron.enabled: false)"}`);
    ctx.io.out(`Jobs: ${res.jobs}`);
    ctx.io.out(`Next wake: ${when(res.nextWakeAtMs)}`);
    ctx.io.out(`Store: ${res.storePath}`);
  });
}

const idArgs = { ...common, id: { type: "positional", required: false, description: "The job id" } } as const;

function removeCommand(ctx: CliContext) {
  return verb("remove", "Delete a job and its run history", idArgs, async (a) => {
    if (!a.id) throw new UsageError("Missing <id>: openclaw cron remove <id>");
    const res = await callOrExit<{ ok: true; removed: boolean }>(ctx, a, "cron.remove", { id: a.id }, [ADMIN]);
    if (a.json) ctx.io.json(res);
    else ctx.io.out(res.removed ? `Removed ${a.id}` : `No job ${a.id}`);
  });
}

function runCommand(ctx: CliContext) {
  const args = { ...idArgs, due: { type: "boolean", description: "Only if the job is due" } } as const;
  return verb("run", "Start a job now (the turn runs in the background)", args, async (a) => {
    if (!a.id) throw new UsageError("Missing <id>: openclaw cron run <id>");
    const res = await callOrExit<{ ok: true; ran: boolean; queued?: boolean; reason?: string }>(ctx, a, "cron.run", { id: a.id, mode: a.due ? "due" : "force" }, [ADMIN]);
    if (a.json) ctx.io.json(res);
    else ctx.io.out(res.ran ? `Started ${a.id}${res.queued ? " (queued behind running jobs)" : ""}` : `Not started: ${res.reason}`);
  });
}

export function createCronCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "cron", description: "Scheduled agent jobs on a running gateway" },
    subCommands: {
      list: () => listCommand(ctx),
      status: () => statusCommand(ctx),
      remove: () => removeCommand(ctx),
      rm: () => removeCommand(ctx),
      run: () => runCommand(ctx),
    },
  });
}

/**
 * How install/start/stop/restart/uninstall print: the ServiceActionJson document with --json, else
 * the matching human lines (or the --dry-run listing). Failures exit 1 after reporting.
 */
import { formatArgv } from "../../service/exec.ts";
import type { ServiceContext } from "../../service/identity.ts";
import type { ActionName } from "../../service/manager-core.ts";
import { redactEnvFileContent, type InstallPlan } from "../../service/plan.ts";
import { reportServiceAction, type ActionRunResult, type ServiceActionJson } from "../../service/report.ts";
import type { CliContext } from "../context.ts";
import { ExitError } from "../errors.ts";

/** `# file: <path>` + exact content (secret values redacted), then `# run: <argv>` per command. */
function dryRunLines(plan: InstallPlan, commands: string[][]): string {
  let out = "";
  for (const f of plan.files) {
    const content = f.secret ? redactEnvFileContent(f.content) : f.content;
    out += `# file: ${f.path}\n${content}${content.endsWith("\n") ? "" : "\n"}`;
  }
  for (const argv of commands) out += `# run: ${formatArgv(argv)}\n`;
  return out;
}

export async function runServiceAction(
  ctx: CliContext,
  action: ActionName,
  json: boolean,
  fn: (sc: ServiceContext) => Promise<ActionRunResult>,
): Promise<void> {
  const { doc, plan } = await reportServiceAction(ctx, action, fn);
  const dryRun = doc.result === "dry-run" && plan ? dryRunLines(plan, doc.commands) : undefined;
  if (json) ctx.io.json(doc);
  else printHuman(ctx, doc, dryRun);
  if (!doc.ok) throw new ExitError(1);
}

function printHuman(ctx: CliContext, doc: ServiceActionJson, dryRun: string | undefined): void {
  for (const w of doc.warnings) ctx.io.err(w.startsWith("Warning:") ? w : `Warning: ${w}`);
  if (dryRun !== undefined) {
    ctx.io.write(dryRun);
    return;
  }
  if (!doc.ok) {
    ctx.io.err(`Error: ${doc.error ?? doc.message}`);
    for (const h of doc.hints) ctx.io.err(`Tip: ${h}`);
    return;
  }
  ctx.io.out(doc.message);
  for (const h of doc.hints) ctx.io.out(h);
}

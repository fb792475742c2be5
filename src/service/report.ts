/**
 * How install/start/stop/restart/uninstall report: one stable JSON shape (ServiceActionJson) and
 * the matching human lines. Failures exit 1 after reporting.
 */
import type { CliContext } from "../cli/context.ts";
import { ExitError } from "../cli/errors.ts";
import { createProcessExec, formatArgv } from "./exec.ts";
import {
  createServiceContext, ServiceError, type ServiceContext, type ServiceKind, type ServicePlatform, type ServiceScope,
} from "./identity.ts";
import type { ActionName, ActionOutcome, ActionResultCode, ServiceManager } from "./manager-core.ts";
import { redactEnvFileContent, type InstallPlan, type PortSource } from "./plan.ts";

export interface ServiceInfoJson {
  platform: ServicePlatform;
  manager: ServiceKind;
  label: string;
  scope: ServiceScope;
  name: string;
  definitionPath: string;
}

export interface InstallPlanJson {
  port: number;
  portSource: PortSource;
  programArguments: string[];
  configPath: string;
  configExists: boolean;
  envFile: { path: string; keys: string[]; generatedToken: boolean };
  /** `content` only for --dry-run; the env file's values are shown as <redacted>. */
  files: Array<{ path: string; mode: string; encoding: "utf8" | "utf16le"; content?: string }>;
}

export interface ServiceActionJson {
  action: ActionName;
  ok: boolean;
  result: ActionResultCode;
  message: string;
  error?: string;
  service?: ServiceInfoJson;
  /** Commands run (or, for --dry-run, that would run), argv arrays in order. */
  commands: string[][];
  warnings: string[];
  hints: string[];
  install?: InstallPlanJson;
}

export type ActionRunResult = ActionOutcome & { manager?: ServiceManager; plan?: InstallPlan };

export function serviceInfo(sc: ServiceContext, m: ServiceManager): ServiceInfoJson {
  return { platform: sc.platform, manager: m.kind, label: m.label, scope: m.scope, name: m.name, definitionPath: m.definitionPath };
}

export function modeString(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

function planJson(plan: InstallPlan, withContent: boolean): InstallPlanJson {
  return {
    port: plan.port, portSource: plan.portSource, programArguments: plan.programArguments,
    configPath: plan.configPath, configExists: plan.configExists, envFile: plan.envFile,
    files: plan.files.map((f) => ({
      path: f.path, mode: modeString(f.mode), encoding: f.encoding,
      ...(withContent ? { content: f.secret ? redactEnvFileContent(f.content) : f.content } : {}),
    })),
  };
}

/** `# file: <path>` + exact content (secret values redacted), then `# run: <argv>` per command. */
export function dryRunLines(plan: InstallPlan, commands: string[][]): string {
  let out = "";
  for (const f of plan.files) {
    const content = f.secret ? redactEnvFileContent(f.content) : f.content;
    out += `# file: ${f.path}\n${content}${content.endsWith("\n") ? "" : "\n"}`;
  }
  for (const argv of commands) out += `# run: ${formatArgv(argv)}\n`;
  return out;
}

export function serviceContextFor(ctx: CliContext): ServiceContext {
  return createServiceContext({ env: ctx.env, paths: ctx.paths, exec: createProcessExec(ctx.env) });
}

export async function runServiceAction(
  ctx: CliContext,
  action: ActionName,
  json: boolean,
  fn: (sc: ServiceContext) => Promise<ActionRunResult>,
): Promise<void> {
  let doc: ServiceActionJson;
  let dryRun: string | undefined;
  try {
    const sc = serviceContextFor(ctx);
    const r = await fn(sc);
    doc = {
      action, ok: r.ok, result: r.result, message: r.message, ...(r.error ? { error: r.error } : {}),
      ...(r.manager ? { service: serviceInfo(sc, r.manager) } : {}),
      commands: r.commands, warnings: r.warnings, hints: r.hints,
      ...(r.plan ? { install: planJson(r.plan, r.result === "dry-run") } : {}),
    };
    if (r.result === "dry-run" && r.plan) dryRun = dryRunLines(r.plan, r.commands);
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    doc = { action, ok: false, result: "failed", message: err.message, error: err.message, commands: [], warnings: [], hints: err.hints };
  }
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

/**
 * What install/start/stop/restart/uninstall report: one stable JSON shape (ServiceActionJson), built
 * here as data. Printing it (human lines, --json, the exit code) is the CLI's job
 * (src/cli/gateway/service-action.ts).
 */
import {
  serviceContextFor, ServiceError, type ServiceContext, type ServiceHost, type ServiceKind, type ServicePlatform, type ServiceScope,
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

/** An action's document, and its install plan (for the --dry-run listing). */
export interface ServiceActionReport {
  doc: ServiceActionJson;
  plan?: InstallPlan;
}

/**
 * Runs one action on this machine's service and describes how it went. A ServiceError (no
 * supported manager, a refused install) becomes a failed document; anything else throws.
 */
export async function reportServiceAction(
  host: ServiceHost,
  action: ActionName,
  fn: (sc: ServiceContext) => Promise<ActionRunResult>,
): Promise<ServiceActionReport> {
  try {
    const sc = serviceContextFor(host);
    const r = await fn(sc);
    const doc: ServiceActionJson = {
      action, ok: r.ok, result: r.result, message: r.message, ...(r.error ? { error: r.error } : {}),
      ...(r.manager ? { service: serviceInfo(sc, r.manager) } : {}),
      commands: r.commands, warnings: r.warnings, hints: r.hints,
      ...(r.plan ? { install: planJson(r.plan, r.result === "dry-run") } : {}),
    };
    return r.plan ? { doc, plan: r.plan } : { doc };
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    return { doc: { action, ok: false, result: "failed", message: err.message, error: err.message, commands: [], warnings: [], hints: err.hints } };
  }
}

/**
 * Service drift: the installed definition against what `gateway install` would write now (port,
 * binary, version, config path, content), the secrets file's mode, secrets embedded in the
 * definition, and competing user/system units. `--fix` rewrites the definition the way
 * `install --force` does; OPENCLAW_SERVICE_REPAIR_POLICY=external makes doctor report only.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { VERSION } from "../version.ts";
import { definitionPathFor, findSystemUnit, readInstalledDefinition, type InstalledDefinition } from "./definitions.ts";
import { kindOf, type ServiceContext, type ServiceScope } from "./identity.ts";
import { runInstall } from "./install.ts";
import { createServiceManager } from "./manager.ts";
import { CommandLog, type ServiceManager } from "./manager-core.ts";
import { buildInstallPlan, currentProgram, type InstallPlan } from "./plan.ts";
import { lingerHints } from "./systemd.ts";

export type FindingSeverity = "error" | "warning" | "info";

export interface DoctorFinding {
  code:
    | "service-not-installed" | "dueling-scopes" | "system-unit-owns-profile" | "port-mismatch" | "binary-mismatch"
    | "binary-missing" | "version-mismatch" | "config-path-mismatch" | "definition-stale" | "secret-embedded"
    | "env-file-missing" | "env-file-mode" | "linger-disabled";
  severity: FindingSeverity;
  message: string;
  detail?: string;
  /** `doctor --fix` repairs it (by rewriting the definition). */
  fixable: boolean;
  /** Set after --fix: whether the finding is gone. */
  fixed?: boolean;
}

export type RepairPolicy = "auto" | "external";

export function repairPolicy(env: Record<string, string | undefined>): RepairPolicy {
  return env.OPENCLAW_SERVICE_REPAIR_POLICY?.trim().toLowerCase() === "external" ? "external" : "auto";
}

export const EXTERNAL_POLICY_NOTE =
  "Gateway service is managed externally (OPENCLAW_SERVICE_REPAIR_POLICY=external); skipped service repair. Start or repair the gateway through your supervisor.";

/** The command part of a service's argv (binary, or bun + main.ts), before global flags and `gateway`. */
export function programPrefix(argv: readonly string[]): string[] {
  const end = argv.findIndex((a) => a === "gateway" || a === "--dev" || a === "--profile");
  return end === -1 ? [...argv] : argv.slice(0, end);
}

function readForCompare(path: string, encoding: "utf8" | "utf16le"): string | undefined {
  try {
    const raw = readFileSync(path);
    return encoding === "utf16le" ? raw.toString("utf16le").replace(/^\uFEFF/, "") : raw.toString("utf8");
  } catch {
    return undefined;
  }
}

export interface ServiceAudit {
  manager: ServiceManager;
  scope: ServiceScope;
  definition?: InstalledDefinition;
  findings: DoctorFinding[];
}

function driftFindings(sc: ServiceContext, def: InstalledDefinition, plan: InstallPlan): DoctorFinding[] {
  const f: DoctorFinding[] = [];
  const explicitPort = plan.portSource === "env" || plan.portSource === "config" || plan.portSource === "flag";
  if (explicitPort && def.port !== undefined && def.port !== plan.port) {
    f.push({
      code: "port-mismatch", severity: "warning", fixable: true,
      message: `Gateway service port ${def.port} does not match the current gateway port ${plan.port} (${plan.portSource}).`,
    });
  }
  const installed = programPrefix(def.programArguments);
  const current = currentProgram();
  if (installed[0] && !existsSync(installed[0])) {
    f.push({ code: "binary-missing", severity: "error", fixable: true, message: `Service binary ${installed[0]} does not exist.` });
  }
  if (installed.join("\0") !== current.join("\0")) {
    f.push({
      code: "binary-mismatch", severity: "warning", fixable: true,
      message: "Gateway service runs a different openclaw binary than this CLI.",
      detail: `service: ${installed.join(" ")}; current: ${current.join(" ")}`,
    });
  }
  const version = def.environment.OPENCLAW_SERVICE_VERSION;
  if (version !== VERSION) {
    f.push({
      code: "version-mismatch", severity: "warning", fixable: true,
      message: `Gateway service was installed by version ${version ?? "(unknown)"}; this CLI is ${VERSION}.`,
    });
  }
  const configPath = def.environment.OPENCLAW_CONFIG_PATH;
  if (configPath !== undefined && configPath !== sc.paths.configPath) {
    f.push({
      code: "config-path-mismatch", severity: "warning", fixable: true,
      message: "CLI and service are using different config paths (likely a profile/state-dir mismatch).",
      detail: `service: ${configPath}; cli: ${sc.paths.configPath}`,
    });
  }
  const stale = plan.files.filter((file) => !file.secret && readForCompare(file.path, file.encoding) !== file.content).map((x) => x.path);
  if (stale.length > 0) {
    f.push({
      code: "definition-stale", severity: "warning", fixable: true,
      message: "Service definition differs from what `openclaw gateway install` would write now.", detail: stale.join(", "),
    });
  }
  return f;
}

function secretFindings(def: InstalledDefinition, plan: InstallPlan): DoctorFinding[] {
  const f: DoctorFinding[] = [];
  const embedded = ["OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_PASSWORD"].filter((k) => def.environment[k] !== undefined);
  if (embedded.length > 0) {
    f.push({
      code: "secret-embedded", severity: "error", fixable: true,
      message: `Service definition embeds ${embedded.join(" and ")}; secrets belong in ${plan.envFile.path}.`,
    });
  }
  const envPath = def.envFile ?? plan.envFile.path;
  if (!existsSync(envPath)) {
    f.push({ code: "env-file-missing", severity: "warning", fixable: true, message: `Service secrets file ${envPath} is missing.` });
  } else if ((statSync(envPath).mode & 0o077) !== 0) {
    const mode = (statSync(envPath).mode & 0o777).toString(8);
    f.push({ code: "env-file-mode", severity: "error", fixable: true, message: `Service secrets file ${envPath} is readable by others (mode 0${mode}); it must be 0600.` });
  }
  return f;
}

/** Which unit doctor audits, and the findings that do not depend on its content. */
async function locate(sc: ServiceContext): Promise<{ manager: ServiceManager; scope: ServiceScope; findings: DoctorFinding[] }> {
  const findings: DoctorFinding[] = [];
  let scope: ServiceScope = "user";
  if (kindOf(sc.platform) === "systemd") {
    const user = definitionPathFor(sc, "systemd", "user");
    const system = findSystemUnit(sc);
    if (system && existsSync(user)) {
      findings.push({
        code: "dueling-scopes", severity: "error", fixable: false, detail: `user: ${user}; system: ${system}`,
        message: "Both a user unit and a system unit run this gateway profile; duplicate managers can restart-loop the gateway. Remove one (openclaw gateway uninstall removes the user unit).",
      });
    } else if (system) {
      scope = "system";
      findings.push({
        code: "system-unit-owns-profile", severity: "info", fixable: false,
        message: `System-level OpenClaw gateway service detected: ${system}. No user unit will be installed for this profile.`,
      });
    }
  }
  return { manager: await createServiceManager(sc, scope), scope, findings };
}

export async function auditService(sc: ServiceContext): Promise<ServiceAudit> {
  const { manager, scope, findings } = await locate(sc);
  const definition = manager.isInstalled() ? readInstalledDefinition(manager.definitionPath, manager.kind) : undefined;
  if (!definition) {
    findings.push({
      code: "service-not-installed", severity: "info", fixable: false,
      message: `Gateway service is not installed (${manager.definitionPath}). Install it with: openclaw gateway install`,
    });
    return { manager, scope, findings };
  }
  const plan = buildInstallPlan(sc, { scope, installedPort: definition.port, allowUnconfigured: definition.allowUnconfigured, dryRun: true });
  findings.push(...driftFindings(sc, definition, plan), ...secretFindings(definition, plan));
  if (manager.kind === "systemd" && scope === "user") {
    const hints = await lingerHints(sc, new CommandLog(sc.exec));
    if (hints.length > 0) findings.push({ code: "linger-disabled", severity: "warning", fixable: false, message: hints[0]! });
  }
  return { manager, scope, definition, findings };
}

/** Rewrites the audited definition (install --force), carrying secrets found embedded in it into the env file. */
export async function repairService(sc: ServiceContext, audit: ServiceAudit) {
  const embedded: Record<string, string> = {};
  for (const k of ["OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_PASSWORD"]) {
    const v = audit.definition?.environment[k];
    if (v !== undefined && sc.env[k] === undefined) embedded[k] = v;
  }
  const env = { ...sc.env, ...embedded };
  return runInstall({ ...sc, env }, {
    scope: audit.scope, force: true, dryRun: false, allowUnconfigured: audit.definition?.allowUnconfigured ?? false,
  });
}

/**
 * What `gateway install` would write now: the command the service runs, its environment, the
 * secrets file, and each definition file rendered from its template. Pure apart from reading the
 * config and the existing env file, and deterministic, so doctor can compare it with what is
 * installed byte for byte.
 */
import { join, resolve } from "node:path";
import { ConfigError, formatConfigError, loadConfig } from "../config/load.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { generateGatewayToken, resolveGatewaySettings, SettingsError, type GatewaySettings } from "../config/settings.ts";
import { VERSION } from "../version.ts";
import { ENV_FILE_MODE, ENV_FILE_VAR, formatEnvFile, readEnvFile } from "./env-file.ts";
import {
  checkProfileForPlatform, envFilePath, kindOf, SERVICE_KIND, SERVICE_MARKER, ServiceError,
  type ServiceContext, type ServiceKind, type ServiceScope,
} from "./identity.ts";
import { renderDefinition } from "./definitions.ts";
import type { ServiceFile } from "./files.ts";

export type PortSource = "flag" | "env" | "config" | "installed" | "profile" | "default";

export interface PlanOptions {
  scope: ServiceScope;
  port?: number;
  /** The port of the installed definition, kept when neither --port nor config/env names one. */
  installedPort?: number;
  allowUnconfigured?: boolean;
  /** Dry runs never mint a token. */
  dryRun?: boolean;
}

export interface InstallPlan {
  kind: ServiceKind;
  scope: ServiceScope;
  port: number;
  portSource: PortSource;
  /** The full command the service runs. */
  programArguments: string[];
  /** Non-secret service environment, in file order. */
  environment: Array<[string, string]>;
  envFile: { path: string; keys: string[]; generatedToken: boolean };
  configPath: string;
  configExists: boolean;
  /** The definition file (unit, plist, task script) whose existence means "installed". */
  definitionPath: string;
  files: ServiceFile[];
  warnings: string[];
}

/** The running binary: the executable itself when compiled, else `bun <abs src/main.ts>`. */
export function currentProgram(): string[] {
  const compiled = Bun.main.startsWith("/$bunfs/") || /^[A-Za-z]:[\\/]~BUN[\\/]/.test(Bun.main);
  return compiled ? [process.execPath] : [process.execPath, resolve(import.meta.dir, "../main.ts")];
}

/** Global flags that select the same profile; env carries it when the paths are not the canonical ones. */
export function profileArgs(sc: ServiceContext): string[] {
  const { paths } = sc;
  if (paths.isDev) return ["--dev"];
  if (paths.profile === null) return [];
  const canonical = join(paths.home, `.openclaw-${paths.profile}`);
  const canonicalConfig = join(canonical, "openclaw.json");
  return paths.stateDir === canonical && paths.configPath === canonicalConfig ? ["--profile", paths.profile] : [];
}

export function gatewayArgs(sc: ServiceContext, port: number, allowUnconfigured: boolean): string[] {
  return [...profileArgs(sc), "gateway", "run", "--port", String(port), ...(allowUnconfigured ? ["--allow-unconfigured"] : [])];
}

function loadServiceConfig(sc: ServiceContext): { config: OpenClawConfig; exists: boolean } {
  try {
    const loaded = loadConfig(sc.paths.configPath, sc.env);
    return { config: loaded.config, exists: loaded.exists };
  } catch (err) {
    if (err instanceof ConfigError) throw new ServiceError(formatConfigError(err), ["Fix the config, then rerun the command."]);
    throw err;
  }
}

function resolveSettings(sc: ServiceContext, config: OpenClawConfig): GatewaySettings {
  try {
    return resolveGatewaySettings({ flags: {}, env: sc.env, config, paths: sc.paths, generateToken: () => "" });
  } catch (err) {
    if (err instanceof SettingsError) throw new ServiceError(err.message);
    throw err;
  }
}

function choosePort(settings: GatewaySettings, opts: PlanOptions): { port: number; portSource: PortSource } {
  if (opts.port !== undefined) return { port: opts.port, portSource: "flag" };
  const explicit = settings.portSource === "env" || settings.portSource === "config";
  if (explicit || opts.installedPort === undefined) return { port: settings.port, portSource: settings.portSource };
  return { port: opts.installedPort, portSource: "installed" };
}

/**
 * Secrets for the env file: the operator's existing file (extra keys kept), the installer's
 * OPENCLAW_GATEWAY_TOKEN/PASSWORD, and a minted token when the gateway would otherwise make up a
 * new one on every start (then no client could ever connect to the service).
 */
function envFileValues(sc: ServiceContext, settings: GatewaySettings, dryRun: boolean) {
  const path = envFilePath(sc.paths);
  const values: Record<string, string> = { ...(readEnvFile(path) ?? {}) };
  for (const key of ["OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_PASSWORD"]) {
    const v = sc.env[key];
    if (v !== undefined && v.trim() !== "") values[key] = v;
  }
  let generatedToken = false;
  const needsToken = settings.auth.mode === "token" && settings.auth.source === "generated";
  if (needsToken && !values.OPENCLAW_GATEWAY_TOKEN) {
    values.OPENCLAW_GATEWAY_TOKEN = dryRun ? "<generated at install>" : generateGatewayToken();
    generatedToken = true;
  }
  return { path, values, generatedToken };
}

function serviceEnvironment(sc: ServiceContext, kind: ServiceKind, envFile: string): Array<[string, string]> {
  const { env, paths } = sc;
  const out: Array<[string, string]> = [["HOME", sc.home]];
  if (env.OPENCLAW_HOME?.trim()) out.push(["OPENCLAW_HOME", env.OPENCLAW_HOME]);
  if (paths.profile) out.push(["OPENCLAW_PROFILE", paths.profile]);
  out.push(["OPENCLAW_STATE_DIR", paths.stateDir], ["OPENCLAW_CONFIG_PATH", paths.configPath]);
  if (env.OPENCLAW_LOG_DIR?.trim()) out.push(["OPENCLAW_LOG_DIR", env.OPENCLAW_LOG_DIR]);
  // systemd reads the env file itself (EnvironmentFile=); the others are told where it is.
  if (kind !== "systemd") out.push([ENV_FILE_VAR, envFile]);
  out.push(["OPENCLAW_SERVICE_MARKER", SERVICE_MARKER], ["OPENCLAW_SERVICE_KIND", SERVICE_KIND], ["OPENCLAW_SERVICE_VERSION", VERSION]);
  return out;
}

export function buildInstallPlan(sc: ServiceContext, opts: PlanOptions): InstallPlan {
  checkProfileForPlatform(sc.paths, sc.platform);
  const kind = kindOf(sc.platform);
  const { config, exists } = loadServiceConfig(sc);
  const settings = resolveSettings(sc, config);
  const { port, portSource } = choosePort(settings, opts);
  const programArguments = [...currentProgram(), ...gatewayArgs(sc, port, opts.allowUnconfigured === true)];
  const envFile = envFileValues(sc, settings, opts.dryRun === true);
  const environment = serviceEnvironment(sc, kind, envFile.path);
  const rendered = renderDefinition(sc, { kind, scope: opts.scope, programArguments, environment, envFile: envFile.path });
  const warnings: string[] = [];
  const sudoUser = sc.env.SUDO_USER?.trim();
  if (opts.scope === "system" && sudoUser && sudoUser !== sc.user && sc.paths.stateDir.startsWith(`${sc.home}/`)) {
    warnings.push(
      `The unit runs as ${sudoUser} but its state dir ${sc.paths.stateDir} is under ${sc.home}; rerun with sudo -E (keep HOME) or set OPENCLAW_STATE_DIR to a directory ${sudoUser} owns.`,
    );
  }
  if (!exists && !opts.allowUnconfigured) {
    warnings.push(
      `No config at ${sc.paths.configPath}: the service will refuse to start until it sets gateway.mode=local (or reinstall with --allow-unconfigured).`,
    );
  }
  const envFileEntry: ServiceFile = {
    path: envFile.path, content: formatEnvFile(envFile.values), mode: ENV_FILE_MODE, encoding: "utf8", secret: true,
  };
  return {
    kind, scope: opts.scope, port, portSource, programArguments, environment,
    envFile: { path: envFile.path, keys: Object.keys(envFile.values), generatedToken: envFile.generatedToken },
    configPath: sc.paths.configPath, configExists: exists,
    definitionPath: rendered.definitionPath,
    files: [envFileEntry, ...rendered.files],
    warnings,
  };
}

/** A secret file as dry runs and JSON show it: keys kept, values replaced. */
export function redactEnvFileContent(content: string): string {
  return content.replace(/^([A-Za-z_][A-Za-z0-9_]*)=.*$/gm, "$1=<redacted>");
}

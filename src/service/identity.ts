/**
 * Who the service is on this machine: platform, manager, names per profile and where its
 * definition lives. Everything is derived from the resolved paths and the environment; nothing is
 * cached, so tests can build as many contexts as they like.
 */
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import type { ResolvedPaths } from "../config/paths.ts";
import { createProcessExec, type ServiceManagerExec } from "./exec.ts";
import { ENV_FILE_NAME } from "./env-file.ts";

export type ServicePlatform = "linux" | "darwin" | "win32";
export type ServiceKind = "systemd" | "launchd" | "schtasks";
export type ServiceScope = "user" | "system";

type Env = Record<string, string | undefined>;

export class ServiceError extends Error {
  override name = "ServiceError";
  constructor(message: string, readonly hints: string[] = []) {
    super(message);
  }
}

/** What a caller (the CLI, a test) hands service code: its environment and resolved paths. */
export interface ServiceHost {
  env: Env;
  paths: ResolvedPaths;
}

/** Everything service code needs from the outside world. */
export interface ServiceContext {
  env: Env;
  paths: ResolvedPaths;
  platform: ServicePlatform;
  exec: ServiceManagerExec;
  /** Prefix for machine-wide directories (/etc/systemd/system, /Library/LaunchDaemons); "" normally. */
  root: string;
  /** The OS account home (service files are per OS user, whatever OPENCLAW_HOME says). */
  home: string;
  uid: number;
  user: string;
}

export const SERVICE_MARKER = "openclaw";
export const SERVICE_KIND = "gateway";

/** `OPENCLAW_SERVICE_PLATFORM` exists for tests and packaging checks; the default is the host. */
export function resolvePlatform(env: Env, host: string = process.platform): ServicePlatform {
  const wanted = env.OPENCLAW_SERVICE_PLATFORM?.trim() || host;
  if (wanted === "linux" || wanted === "darwin" || wanted === "win32") return wanted;
  throw new ServiceError(`Gateway service install not supported on ${wanted}`, [
    "Run the gateway under your own supervisor: openclaw gateway run",
  ]);
}

export function kindOf(platform: ServicePlatform): ServiceKind {
  return platform === "linux" ? "systemd" : platform === "darwin" ? "launchd" : "schtasks";
}

export function accountHome(env: Env): string {
  return env.HOME?.trim() || env.USERPROFILE?.trim() || homedir();
}

export function accountUser(env: Env): string {
  const fromEnv = env.USER?.trim() || env.LOGNAME?.trim() || env.USERNAME?.trim();
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return "root";
  }
}

export function createServiceContext(input: { env: Env; paths: ResolvedPaths; exec: ServiceManagerExec; platform?: ServicePlatform }): ServiceContext {
  const { env } = input;
  return {
    env,
    paths: input.paths,
    exec: input.exec,
    platform: input.platform ?? resolvePlatform(env),
    root: env.OPENCLAW_SERVICE_ROOT?.trim() ?? "",
    home: accountHome(env),
    uid: process.getuid?.() ?? 0,
    user: accountUser(env),
  };
}

/** The context for this machine: the real tools, looked up on the host environment's PATH. */
export function serviceContextFor(host: ServiceHost): ServiceContext {
  return createServiceContext({ env: host.env, paths: host.paths, exec: createProcessExec(host.env) });
}

export function serviceDescription(paths: ResolvedPaths): string {
  return paths.profile ? `OpenClaw Gateway (profile: ${paths.profile})` : "OpenClaw Gateway";
}

export function systemdUnitName(paths: ResolvedPaths): string {
  return paths.profile ? `openclaw-gateway-${paths.profile}.service` : "openclaw-gateway.service";
}

export function launchdLabel(paths: ResolvedPaths): string {
  return paths.profile ? `ai.openclaw.${paths.profile}` : "ai.openclaw.gateway";
}

export function windowsTaskName(paths: ResolvedPaths): string {
  return paths.profile ? `OpenClaw Gateway (${paths.profile})` : "OpenClaw Gateway";
}

/** Profiles become launchd labels and task names, which must not collide or differ only by case. */
export function checkProfileForPlatform(paths: ResolvedPaths, platform: ServicePlatform): void {
  const p = paths.profile;
  if (p === null || platform === "linux") return;
  if (p !== p.toLowerCase()) {
    throw new ServiceError(`Profile names for native services must be lowercase (got ${JSON.stringify(p)}).`);
  }
  if (platform === "darwin" && (p === "gateway" || p === "node")) {
    throw new ServiceError(`Profile "${p}" would collide with the LaunchAgent label ai.openclaw.${p}; pick another profile name.`);
  }
}

/** Always ~/.config: the user manager does not see a shell's XDG_CONFIG_HOME. */
export function userUnitDir(sc: ServiceContext): string {
  return join(sc.home, ".config", "systemd", "user");
}

/** Where systemd looks for system units, the first being where we write one. */
export function systemUnitDirs(sc: ServiceContext): string[] {
  return ["/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"].map((d) => join(sc.root || "/", d));
}

export function launchAgentsDir(sc: ServiceContext): string {
  return join(sc.home, "Library", "LaunchAgents");
}

export function launchdLogPath(sc: ServiceContext): string {
  const name = sc.paths.profile ? `gateway-${sc.paths.profile}.log` : "gateway.log";
  return join(sc.home, "Library", "Logs", "openclaw", name);
}

export function envFilePath(paths: ResolvedPaths): string {
  return join(paths.stateDir, ENV_FILE_NAME);
}

export function taskScriptPath(paths: ResolvedPaths): string {
  return join(paths.stateDir, "gateway.cmd");
}

export function taskXmlPath(paths: ResolvedPaths): string {
  return join(paths.stateDir, "gateway-task.xml");
}

/** The per-user Startup folder used when Task Scheduler refuses to create the task. */
export function startupFolder(sc: ServiceContext): string {
  const appData = sc.env.APPDATA?.trim() || join(sc.home, "AppData", "Roaming");
  return join(appData, "Microsoft", "Windows", "Start Menu", "Programs", "Startup");
}

export function startupItemPath(sc: ServiceContext): string {
  const safe = windowsTaskName(sc.paths).replace(/[<>:"/\\|?*]/g, "_");
  return join(startupFolder(sc), `${safe}.cmd`);
}

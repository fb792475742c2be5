import { homedir as osHomedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

export interface PathOptions {
  env: Record<string, string | undefined>;
  /** Value of the global `--profile` flag. */
  profile?: string;
  /** The global `--dev` flag. */
  dev?: boolean;
  homedir?: () => string;
  /** Base for relative env paths; defaults to process.cwd(). */
  cwd?: string;
}

export interface ResolvedPaths {
  home: string;
  /** Named profile (flag or OPENCLAW_PROFILE); null for the default profile. */
  profile: string | null;
  isDev: boolean;
  stateDir: string;
  configPath: string;
  configPathSource: "env" | "state-dir" | "profile" | "default";
}

export class ProfileError extends Error {
  override name = "ProfileError";
}

const PROFILE_NAME = /^[A-Za-z0-9_-]+$/;
export const CONFIG_FILE_NAME = "openclaw.json";

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** Expands a leading `~` (alone, or followed by a separator) to `home`. */
export function expandHome(p: string, home: string): string {
  if (p === "~") return home;
  if (p.startsWith("~/") || p.startsWith("~\\")) return join(home, p.slice(2));
  return p;
}

function toAbsolute(p: string, home: string, cwd: string): string {
  const expanded = expandHome(p, home);
  return isAbsolute(expanded) ? expanded : resolve(cwd, expanded);
}

/** FNV-1a (32-bit) over the UTF-8 bytes; must match the reference so profile ports line up across implementations. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Stable per-profile port so several named profiles can run side by side without configuring ports. */
export function profilePort(profile: string): number {
  return 20000 + (fnv1a32(profile) % 40000);
}

export function resolveHome(env: Record<string, string | undefined>, homedir: () => string = osHomedir): string {
  return nonEmpty(env.OPENCLAW_HOME) ?? nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE) ?? homedir();
}

/** Returns the profile selected by flags, or undefined when no profile flag was given. */
function profileFromFlags(opts: PathOptions): string | undefined {
  const flag = opts.profile === undefined ? undefined : opts.profile.trim();
  if (flag !== undefined && !PROFILE_NAME.test(flag)) {
    throw new ProfileError('Invalid --profile (use letters, numbers, "_", "-" only)');
  }
  if (opts.dev && flag !== undefined && flag !== "dev") {
    throw new ProfileError("Cannot combine --dev with --profile");
  }
  return opts.dev ? "dev" : flag;
}

export function resolvePaths(opts: PathOptions): ResolvedPaths {
  const { env } = opts;
  const home = resolveHome(env, opts.homedir);
  const cwd = opts.cwd ?? process.cwd();
  const flagProfile = profileFromFlags(opts);

  if (flagProfile !== undefined) {
    // A profile flag isolates an instance completely, so env paths must not leak into it.
    const isDefault = flagProfile === "default";
    const stateDir = isDefault ? join(home, ".openclaw") : join(home, `.openclaw-${flagProfile}`);
    return {
      home,
      profile: isDefault ? null : flagProfile,
      isDev: flagProfile === "dev",
      stateDir,
      configPath: join(stateDir, CONFIG_FILE_NAME),
      configPathSource: "profile",
    };
  }

  const envProfile = nonEmpty(env.OPENCLAW_PROFILE)?.trim();
  if (envProfile !== undefined && !PROFILE_NAME.test(envProfile)) {
    // The profile ends up in log file names, so a bad value must not be used as a path fragment.
    throw new ProfileError('Invalid OPENCLAW_PROFILE (use letters, numbers, "_", "-" only)');
  }
  const envStateDir = nonEmpty(env.OPENCLAW_STATE_DIR);
  const envConfigPath = nonEmpty(env.OPENCLAW_CONFIG_PATH);
  const stateDir = envStateDir ? toAbsolute(envStateDir, home, cwd) : join(home, ".openclaw");
  return {
    home,
    profile: envProfile === undefined || envProfile === "default" ? null : envProfile,
    isDev: false,
    stateDir,
    configPath: envConfigPath ? toAbsolute(envConfigPath, home, cwd) : join(stateDir, CONFIG_FILE_NAME),
    configPathSource: envConfigPath ? "env" : envStateDir ? "state-dir" : "default",
  };
}

/**
 * The environment a remotely requested command gets. It inherits only an allowlist of the host's
 * variables, because the node host's own environment holds secrets (OPENCLAW_GATEWAY_TOKEN,
 * provider keys) that a caller must not be able to print with `env`. Callers may add variables,
 * except the ones that change which code runs (loader, interpreter and shell start-up hooks).
 */

const INHERITED = new Set([
  "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "TZ", "TERM", "TMPDIR", "TEMP", "TMP",
  "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "DISPLAY", "WAYLAND_DISPLAY",
  "DBUS_SESSION_BUS_ADDRESS", "COLORTERM", "NO_COLOR",
  // Windows needs these for almost any program to start.
  "SYSTEMROOT", "SYSTEMDRIVE", "COMSPEC", "PATHEXT", "WINDIR", "USERPROFILE", "APPDATA", "LOCALAPPDATA",
  "PROGRAMDATA", "PROGRAMFILES", "PROGRAMFILES(X86)", "NUMBER_OF_PROCESSORS", "PROCESSOR_ARCHITECTURE",
]);

const BLOCKED_EXACT = new Set([
  "PATH", "NODE_OPTIONS", "NODE_PATH", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "PERL5LIB", "PERL5OPT",
  "PERLLIB", "RUBYOPT", "RUBYLIB", "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PS4", "IFS", "PROMPT_COMMAND",
  "ZDOTDIR", "GCONV_PATH", "HOSTALIASES", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "CLASSPATH", "GIT_SSH_COMMAND",
  "GIT_EXEC_PATH", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "SSL_CERT_FILE", "SSL_CERT_DIR", "COMSPEC", "PATHEXT",
]);
const BLOCKED_PREFIXES = ["LD_", "DYLD_", "BUN_", "OPENCLAW_", "BASH_FUNC_"];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function inherited(name: string): boolean {
  const upper = name.toUpperCase();
  return INHERITED.has(upper) || upper.startsWith("LC_");
}

/** Why an override is refused, or undefined when it may be set. */
export function overrideRefusal(name: string, value: unknown): string | undefined {
  if (!NAME.test(name)) return `invalid environment variable name ${JSON.stringify(name)}`;
  if (typeof value !== "string") return `environment variable ${name} must be a string`;
  const upper = name.toUpperCase();
  if (BLOCKED_EXACT.has(upper) || BLOCKED_PREFIXES.some((p) => upper.startsWith(p))) {
    return `environment variable ${name} may not be set by a caller`;
  }
  return undefined;
}

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; message: string };

/** The host variables every command gets. */
export function inheritedEnv(host: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(host)) if (value !== undefined && inherited(name)) env[name] = value;
  return env;
}

export function commandEnv(host: Record<string, string | undefined>, overrides: unknown): EnvResult {
  const env = inheritedEnv(host);
  if (overrides === undefined || overrides === null) return { ok: true, env };
  if (typeof overrides !== "object" || Array.isArray(overrides)) return { ok: false, message: "env must be an object of strings" };
  for (const [name, value] of Object.entries(overrides)) {
    const refusal = overrideRefusal(name, value);
    if (refusal) return { ok: false, message: refusal };
    env[name] = value as string;
  }
  return { ok: true, env };
}

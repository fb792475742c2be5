/**
 * Global flags, which come before the command (`openclaw --profile work logs`). Parsed by hand,
 * without citty, because main.ts must stay cheap to load for `gateway run`.
 */
import type { GlobalFlags } from "./context.ts";

export const LOG_LEVELS = ["silent", "fatal", "error", "warn", "info", "debug", "trace"] as const;

export type GlobalParse =
  | { ok: true; globals: GlobalFlags; rest: string[]; version: boolean; warnings: string[] }
  | { ok: false; message: string };

function valueOf(argv: readonly string[], i: number, flag: string): { value: string; next: number } | { error: string } {
  const arg = argv[i]!;
  if (arg.startsWith(`${flag}=`)) return { value: arg.slice(flag.length + 1), next: i };
  const value = argv[i + 1];
  if (value === undefined || value.startsWith("-")) return { error: `option '${flag} <value>' argument missing` };
  return { value, next: i + 1 };
}

export function parseGlobalArgs(argv: readonly string[]): GlobalParse {
  const globals: GlobalFlags = { dev: false, noColor: false };
  const warnings: string[] = [];
  let version = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("-") || arg === "--help" || arg === "-h") break;
    if (arg === "--") {
      i++;
      break;
    }
    if (arg === "--dev") globals.dev = true;
    else if (arg === "--no-color") globals.noColor = true;
    else if (arg === "--version" || arg === "-V") version = true;
    else if (arg === "--profile" || arg.startsWith("--profile=")) {
      const v = valueOf(argv, i, "--profile");
      if ("error" in v) return { ok: false, message: v.error };
      globals.profile = v.value;
      i = v.next;
    } else if (arg === "--log-level" || arg.startsWith("--log-level=")) {
      const v = valueOf(argv, i, "--log-level");
      if ("error" in v) return { ok: false, message: v.error };
      i = v.next;
      const level = v.value.trim().toLowerCase();
      // Same rule as OPENCLAW_LOG_LEVEL: a bad level is ignored, not fatal.
      if ((LOG_LEVELS as readonly string[]).includes(level)) globals.logLevel = level;
      else warnings.push(`Ignoring invalid --log-level ${JSON.stringify(v.value)} (use ${LOG_LEVELS.join("|")})`);
    } else {
      return { ok: false, message: `unknown option '${arg}'` };
    }
  }
  return { ok: true, globals, rest: rewriteBareGateway(argv.slice(i)), version, warnings };
}

/** `openclaw gateway [--port 18789 …]` with no verb is the runbook's way to run the gateway. */
export function rewriteBareGateway(rest: readonly string[]): string[] {
  if (rest[0] !== "gateway") return [...rest];
  const next = rest[1];
  if (next === undefined || (next.startsWith("-") && next !== "--help" && next !== "-h")) {
    return ["gateway", "run", ...rest.slice(1)];
  }
  return [...rest];
}

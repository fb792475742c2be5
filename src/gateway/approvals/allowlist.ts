/**
 * Allowlist matching. A pattern without a slash is a command-name glob and covers only commands
 * run through PATH (`rg` covers `rg …` resolved to /usr/bin/rg, never `./rg` or `/tmp/rg`); a
 * pattern with a slash (or `~`) is a glob over the resolved binary path. `argPattern`, when set,
 * must also match the arguments after argv[0] joined by single spaces.
 */
import { realpathSync } from "node:fs";
import { basename, isAbsolute } from "node:path";
import type { AllowlistEntry } from "./document.ts";

/** `*` and `?` stay within one path segment, `**` crosses segments; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        // "**/" also matches no directory at all (a/**/b covers a/b).
        if (glob[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export function expandHome(pattern: string, home: string): string {
  if (pattern === "~") return home;
  return pattern.startsWith("~/") ? home + pattern.slice(1) : pattern;
}

export function isPathPattern(pattern: string): boolean {
  return pattern.includes("/") || pattern.startsWith("~");
}

/** Where argv[0] runs from: a PATH lookup for a bare name, the path itself when absolute. */
export function resolveExecutable(argv0: string, cwd?: string): string | null {
  if (!argv0) return null;
  if (argv0.includes("/")) return isAbsolute(argv0) ? argv0 : cwd ? `${cwd.replace(/\/$/, "")}/${argv0.replace(/^\.\//, "")}` : null;
  return Bun.which(argv0) ?? null;
}

/** The path as given and, when it is a symlink (/bin → /usr/bin), where it really lives. */
function pathForms(path: string): string[] {
  try {
    const real = realpathSync(path);
    return real === path ? [path] : [path, real];
  } catch {
    return [path];
  }
}

function argsMatch(argPattern: string | undefined, args: string[]): boolean {
  if (argPattern === undefined) return true;
  try {
    return new RegExp(argPattern).test(args.join(" "));
  } catch {
    // A pattern that does not compile covers nothing (set refuses them; an older row may have one).
    return false;
  }
}

export interface MatchInput {
  argv: string[];
  /** argv[0] resolved; looked up here when null. */
  resolvedPath: string | null;
  home: string;
}

export function entryMatches(entry: AllowlistEntry, input: MatchInput): boolean {
  const argv0 = input.argv[0];
  if (!argv0) return false;
  const resolved = input.resolvedPath ?? resolveExecutable(argv0);
  if (!resolved) return false;
  let hit: boolean;
  if (isPathPattern(entry.pattern)) {
    const re = globToRegExp(expandHome(entry.pattern, input.home));
    hit = pathForms(resolved).some((p) => re.test(p));
  } else {
    if (argv0.includes("/")) return false;
    const re = globToRegExp(entry.pattern);
    hit = re.test(argv0) || re.test(basename(resolved));
  }
  return hit && argsMatch(entry.argPattern, input.argv.slice(1));
}

export function findMatch(entries: readonly AllowlistEntry[], input: MatchInput): AllowlistEntry | undefined {
  return entries.find((e) => entryMatches(e, input));
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The entry an allow-always decision leaves: this binary with exactly these arguments, so the
 * same command runs again without asking and a different one still asks.
 */
export function allowAlwaysEntry(argv: string[], resolvedPath: string | null, command: string, now: number, id: string): AllowlistEntry {
  const entry: AllowlistEntry = {
    id,
    pattern: resolvedPath ?? argv[0] ?? command,
    argPattern: `^${escapeRegExp(argv.slice(1).join(" "))}$`,
    source: "allow-always",
    lastUsedAt: now,
    lastUsedCommand: command,
  };
  if (resolvedPath) entry.lastResolvedPath = resolvedPath;
  return entry;
}

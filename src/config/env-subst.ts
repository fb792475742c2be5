import { formatIssuePath, type ConfigIssue } from "./issues.ts";

// "$${NAME}" is the escape for a literal "${NAME}"; lower-case or odd names are never touched.
const PLACEHOLDER = /\$?\$\{([A-Z_][A-Z0-9_]*)\}/g;
const UNRESOLVED = /(?<!\$)\$\{[A-Z_][A-Z0-9_]*\}/;

type Env = Record<string, string | undefined>;

function substituteString(
  text: string,
  env: Env,
  path: PropertyKey[],
  warnings: ConfigIssue[],
): string {
  const missing = new Set<string>();
  const result = text.replace(PLACEHOLDER, (match: string, name: string) => {
    if (match.startsWith("$$")) return match.slice(1);
    const value = env[name];
    if (value === undefined || value === "") {
      missing.add(name);
      return match;
    }
    return value;
  });
  for (const name of missing) {
    warnings.push({
      path: formatIssuePath(path),
      message: `Missing env var "${name}" - feature using this value will be unavailable`,
    });
  }
  return result;
}

function walk(value: unknown, env: Env, path: PropertyKey[], warnings: ConfigIssue[]): unknown {
  if (typeof value === "string") return substituteString(value, env, path, warnings);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, env, [...path, i], warnings));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty so a "__proto__" key from the file stays a plain key instead of swapping the prototype.
      Object.defineProperty(out, key, {
        value: walk(item, env, [...path, key], warnings),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/**
 * Replaces `${VAR}` in every string value (keys are left alone). Missing or empty variables stay
 * literal so the affected feature can detect and report them, and are returned as warnings.
 */
export function substituteEnv(value: unknown, env: Env): { value: unknown; warnings: ConfigIssue[] } {
  const warnings: ConfigIssue[] = [];
  return { value: walk(value, env, [], warnings), warnings };
}

/** True when a string still contains a `${VAR}` placeholder that substitution could not resolve. */
export function hasUnresolvedPlaceholder(text: string): boolean {
  return UNRESOLVED.test(text);
}

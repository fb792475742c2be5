/**
 * Always-on masking shared by both sinks. Patterns are regex source strings (flags "gi" unless written
 * as "/source/flags"); when a pattern has a capture group only group 1 is masked, so the context
 * ("Bearer ", "--token ") stays readable.
 */
export const DEFAULT_REDACT_PATTERNS: readonly string[] = [
  String.raw`\b(sk-[A-Za-z0-9][A-Za-z0-9_-]{7,})`,
  String.raw`\b(gh[pousr]_[A-Za-z0-9]{20,})`,
  String.raw`\b(xox[abprs]-[A-Za-z0-9-]{10,})`,
  String.raw`\b(AIza[0-9A-Za-z_-]{30,})`,
  String.raw`\b(\d{6,}:[A-Za-z0-9_-]{30,})`,
  String.raw`\bBearer\s+([A-Za-z0-9._~+/=-]+)`,
  String.raw`--(?:token|password|passwd|secret|api-?key)(?:=|\s+)("[^"]*"|'[^']*'|\S+)`,
  String.raw`"[A-Za-z_-]*(?:token|password|passwd|secret|api_?key)[A-Za-z_-]*"\s*:\s*"((?:[^"\\]|\\.)+)"`,
  // Pure numbers are skipped so counters such as inputTokens=523 survive.
  String.raw`\b[A-Za-z_]*(?:token|password|passwd|secret|api_?key)[A-Za-z_]*\s*[=:]\s*(?!\d+(?:[\s,;&]|$))([^\s"'&,;]+)`,
  String.raw`\b(?:token|key|secret)s?\b[\s:="']{1,4}([A-Za-z0-9_+/=-]{24,})`,
  String.raw`(-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----)`,
];

/** Field keys whose (non-numeric) values are never worth showing. */
const SENSITIVE_KEY = /token|password|secret|apikey|api_key|authorization/i;
const ELLIPSIS = "…";
const MAX_DEPTH = 8;
const MAX_ARRAY = 200;
/** Shorter "secrets" would shred ordinary words all over the log. */
const MIN_SECRET_LENGTH = 4;

export function maskValue(s: string): string {
  return s.length >= 18 ? `${s.slice(0, 6)}${ELLIPSIS}${s.slice(-4)}` : "***";
}

function alreadyMasked(s: string): boolean {
  return s === "***" || s.includes(ELLIPSIS);
}

export function compilePattern(p: string): RegExp {
  const m = /^\/(.+)\/([a-z]*)$/s.exec(p);
  if (!m) return new RegExp(p, "gi");
  const flags = m[2]!.includes("g") ? m[2]! : `${m[2]}g`;
  return new RegExp(m[1]!, flags);
}

export interface Redactor {
  text(s: string): string;
  value(v: unknown): unknown;
  /** Both parts of one log call with a single secrets() lookup. */
  record(
    message: string,
    fields: Record<string, unknown> | undefined,
  ): { message: string; fields: Record<string, unknown> | undefined };
  /** Patterns that failed to compile; reported once by the logger, then ignored. */
  readonly invalid: string[];
}

export function createRedactor(opts: { patterns?: readonly string[]; secrets?: () => string[] } = {}): Redactor {
  const invalid: string[] = [];
  const regexes: RegExp[] = [];
  for (const p of opts.patterns ?? DEFAULT_REDACT_PATTERNS) {
    try {
      regexes.push(compilePattern(p));
    } catch {
      invalid.push(p);
    }
  }
  const secretsFn = opts.secrets;

  const replacer = (match: string, ...rest: unknown[]): string => {
    // rest = [...groups, offset, input, namedGroups?]; only group 1 matters.
    let i = rest.length - 1;
    if (typeof rest[i] === "object") i--;
    const input = rest[i] as string;
    const offset = rest[i - 1] as number;
    const g1 = i >= 2 && typeof rest[0] === "string" && rest[0].length > 0 ? rest[0] : undefined;
    const target = g1 ?? match;
    const at = g1 ? match.lastIndexOf(g1) : 0;
    // A value that is (or borders) an earlier mask must not be masked again into "***".
    const before = input[offset + at - 1];
    const after = input[offset + at + target.length];
    if (alreadyMasked(target) || before === ELLIPSIS || after === ELLIPSIS) return match;
    return match.slice(0, at) + maskValue(target) + match.slice(at + target.length);
  };

  const currentSecrets = (): readonly string[] => (secretsFn ? secretsFn() : []);

  const redactText = (input: string, secrets: readonly string[]): string => {
    let s = input;
    for (const secret of secrets) {
      if (typeof secret === "string" && secret.length >= MIN_SECRET_LENGTH && s.includes(secret)) {
        s = s.split(secret).join(maskValue(secret));
      }
    }
    for (const re of regexes) {
      re.lastIndex = 0;
      s = s.replace(re, replacer);
    }
    return s;
  };

  // secrets() is fetched once per log call and threaded through, not once per string.
  const walk = (v: unknown, depth: number, seen: Set<object>, secrets: readonly string[]): unknown => {
    const text = (s: string) => redactText(s, secrets);
    switch (typeof v) {
      case "string":
        return text(v);
      case "number":
      case "boolean":
      case "undefined":
        return v;
      case "bigint":
        return v.toString();
      case "function":
      case "symbol":
        return String(v);
    }
    if (v === null) return null;
    const obj = v as object;
    if (seen.has(obj)) return "[Circular]";
    if (depth >= MAX_DEPTH) return "[Object]";
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
    if (obj instanceof Error) {
      const e: Record<string, unknown> = { name: obj.name, message: text(obj.message) };
      if (obj.stack) e.stack = text(obj.stack);
      const code = (obj as { code?: unknown }).code;
      if (code !== undefined) e.code = walk(code, depth + 1, seen, secrets);
      return e;
    }
    if (ArrayBuffer.isView(obj)) return `[${obj.constructor.name} ${obj.byteLength} bytes]`;
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return walk(toJSON.call(obj), depth + 1, seen, secrets);
    seen.add(obj);
    try {
      if (Array.isArray(obj) || obj instanceof Set) {
        const items = Array.isArray(obj) ? obj : [...obj];
        const out = items.slice(0, MAX_ARRAY).map((x) => walk(x, depth + 1, seen, secrets));
        if (items.length > MAX_ARRAY) out.push(`[${items.length - MAX_ARRAY} more]`);
        return out;
      }
      const entries = obj instanceof Map ? [...obj.entries()] : Object.entries(obj);
      const out: Record<string, unknown> = {};
      for (const [k, val] of entries) {
        const key = String(k);
        out[key] =
          SENSITIVE_KEY.test(key) && val != null && typeof val !== "number" && typeof val !== "boolean"
            ? "***"
            : walk(val, depth + 1, seen, secrets);
      }
      return out;
    } finally {
      seen.delete(obj);
    }
  };

  return {
    text: (s) => redactText(s, currentSecrets()),
    value: (v) => walk(v, 0, new Set(), currentSecrets()),
    record(message, fields) {
      const secrets = currentSecrets();
      return {
        message: redactText(message, secrets),
        fields: fields === undefined ? undefined : (walk(fields, 0, new Set(), secrets) as Record<string, unknown>),
      };
    },
    invalid,
  };
}

/**
 * `{{ expr }}` templates of hook mappings. An expression is `path`, `now`, `headers.<name>`,
 * `query.<name>`, `payload.<path>` or a bare `<path>` into the JSON body, where a path is
 * dot-separated keys with `[n]` array indexes (`messages[0].subject`). Missing and null values
 * render as "", strings as they are, numbers and booleans as text, anything else as JSON.
 * Only own properties are read, and never `__proto__`, `prototype` or `constructor`.
 */

export interface TemplateContext {
  payload: Record<string, unknown>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** The hook sub-path, e.g. "github". */
  path: string;
}

const FORBIDDEN = new Set(["__proto__", "prototype", "constructor"]);

/** `a.b[0].c` → ["a", "b", 0, "c"]; undefined when the path is empty. */
function steps(path: string): Array<string | number> | undefined {
  const out: Array<string | number> = [];
  for (const segment of path.split(".")) {
    // "b[0][1]" → key "b", then indexes 0 and 1; stray brackets make the key part of the name.
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
    if (!m) {
      out.push(segment);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const index of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out.length ? out : undefined;
}

/** The value at `path` under `root`, or undefined. */
export function lookup(root: unknown, path: string): unknown {
  const parts = steps(path);
  if (!parts) return undefined;
  let at: unknown = root;
  for (const part of parts) {
    if (at === null || typeof at !== "object") return undefined;
    if (typeof part === "number") {
      if (!Array.isArray(at)) return undefined;
      at = at[part];
      continue;
    }
    if (FORBIDDEN.has(part) || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

function valueOf(expr: string, ctx: TemplateContext): unknown {
  if (expr === "path") return ctx.path;
  if (expr === "now") return new Date().toISOString();
  const scoped: Array<[string, unknown]> = [
    ["headers.", ctx.headers],
    ["query.", ctx.query],
    ["payload.", ctx.payload],
  ];
  for (const [prefix, root] of scoped) {
    // Header names contain dashes and query names may contain dots: both are one key.
    if (expr.startsWith(prefix)) return prefix === "payload." ? lookup(root, expr.slice(prefix.length)) : ownValue(root, expr.slice(prefix.length));
  }
  return lookup(ctx.payload, expr);
}

function ownValue(root: unknown, key: string): unknown {
  const record = root as Record<string, unknown>;
  return key && !FORBIDDEN.has(key) && Object.hasOwn(record, key) ? record[key] : undefined;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return JSON.stringify(value) ?? "";
}

const EXPRESSION = /\{\{\s*([^}]+?)\s*\}\}/g;

export function renderTemplate(template: string | undefined, ctx: TemplateContext): string {
  if (!template) return "";
  return template.replace(EXPRESSION, (_, expr: string) => text(valueOf(expr.trim(), ctx)));
}

/** A rendered optional field: trimmed, and undefined when it renders empty. */
export function renderOptional(template: string | undefined, ctx: TemplateContext): string | undefined {
  return renderTemplate(template, ctx).trim() || undefined;
}

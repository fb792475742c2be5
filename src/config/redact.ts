import { SECRET_KEY_PATTERN } from "./schema.ts";

export const REDACTED = "__OPENCLAW_REDACTED__";

/**
 * Visits every non-empty string stored under a secret-looking key (directly, or inside an array
 * under that key). Objects under a secret key are descended into normally: they hold references
 * such as { source, provider, id }, not secret values.
 */
function mapSecrets(value: unknown, onSecret: (secret: string) => string, underSecretKey = false): unknown {
  if (typeof value === "string") return underSecretKey && value !== "" ? onSecret(value) : value;
  if (Array.isArray(value)) return value.map((item) => mapSecrets(item, onSecret, underSecretKey));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, key, {
        value: mapSecrets(item, onSecret, SECRET_KEY_PATTERN.test(key)),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** Deep copy with every secret string replaced by the redaction marker. */
export function redactConfig(value: unknown): unknown {
  return mapSecrets(value, () => REDACTED);
}

/** The distinct secret strings in a config, for scrubbing text that was not parsed (raw file, logs). */
export function collectSecrets(value: unknown): string[] {
  const secrets = new Set<string>();
  mapSecrets(value, (secret) => {
    secrets.add(secret);
    return secret;
  });
  return [...secrets];
}

/** Replaces each secret (and its JSON-escaped form, as it appears in the raw file) with the marker. */
export function redactText(raw: string, secrets: string[]): string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret === "") continue;
    needles.add(secret);
    needles.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret that contains another is replaced whole.
  let text = raw;
  for (const needle of [...needles].sort((a, b) => b.length - a.length)) {
    text = text.replaceAll(needle, REDACTED);
  }
  return text;
}

function valueAt(root: unknown, path: readonly (string | number)[]): { found: boolean; value?: unknown } {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, key)) return { found: false };
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return { found: true, value: cur };
}

/**
 * A client edits what config.get showed it, so the marker comes back wherever a secret was: each
 * marker is replaced by the value at the same path in `original` (the document as written, so a
 * `${VAR}` or a reference stays one). A string that only contains the marker (config.get's `raw`
 * masks a secret wherever it appears) is restored when masking the original with `secrets` gives
 * exactly that string. Markers with nothing to restore are reported by dotted path: the marker
 * itself must never be written as a value.
 */
export function restoreRedacted(
  next: unknown,
  original: unknown,
  secrets: string[] = [],
): { value: unknown; unresolved: string[] } {
  const unresolved: string[] = [];
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === "string" && value.includes(REDACTED)) {
      const prior = valueAt(original, path);
      if (prior.found && value === REDACTED && prior.value !== REDACTED) return structuredClone(prior.value);
      if (prior.found && typeof prior.value === "string" && redactText(prior.value, secrets) === value) return prior.value;
      unresolved.push(path.length === 0 ? "<root>" : path.map(String).join("."));
      return value;
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        Object.defineProperty(out, key, { value: walk(item, [...path, key]), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return value;
  };
  return { value: walk(next, []), unresolved };
}

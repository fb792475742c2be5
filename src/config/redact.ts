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

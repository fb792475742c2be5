/**
 * Rate-limit state from a provider's response headers, in the two families seen in the wild:
 * OpenAI-style `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (reset as a Go-style
 * duration such as "6m0s" or "20ms") and Anthropic-style `anthropic-ratelimit-<kind>-{limit,
 * remaining,reset}` (reset as an RFC 3339 time). A value that cannot be read is left out, never
 * guessed; nothing here throws.
 */

export interface RateLimitBucket {
  limit: number | null;
  remaining: number | null;
  /** When the bucket refills (ms since the epoch), or null when the provider did not say. */
  resetAt: number | null;
}

export interface RateLimits {
  requests?: RateLimitBucket;
  tokens?: RateLimitBucket;
  inputTokens?: RateLimitBucket;
  outputTokens?: RateLimitBucket;
}

export type RateLimitKind = keyof RateLimits;

type HeaderMap = Record<string, string | undefined>;

/** A non-negative count; anything else (empty, negative, "abc", "1e999") is unreadable. */
export function parseCount(v: string | undefined): number | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, "µs": 0.001, ns: 0.000001 };

/** "6m0s", "1h2m3.5s", "20ms", or a bare number of seconds → milliseconds; null when unreadable. */
export function parseDurationMs(v: string | undefined): number | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (t === "" || t.length > 40) return null;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(t)) return null;
  let ms = 0;
  for (const part of t.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) ms += Number(part[1]) * UNIT_MS[part[2]!]!;
  return Number.isFinite(ms) ? Math.round(ms) : null;
}

/** An RFC 3339 time → ms since the epoch; null for anything else (Date.parse alone accepts too much). */
export function parseRfc3339(v: string | undefined): number | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/.test(t)) return null;
  const at = Date.parse(t);
  return Number.isFinite(at) ? at : null;
}

function bucket(limit: string | undefined, remaining: string | undefined, resetAt: number | null): RateLimitBucket | undefined {
  const b: RateLimitBucket = { limit: parseCount(limit), remaining: parseCount(remaining), resetAt };
  return b.limit === null && b.remaining === null && b.resetAt === null ? undefined : b;
}

const OPENAI_KINDS: Array<[RateLimitKind, string]> = [["requests", "requests"], ["tokens", "tokens"]];
const ANTHROPIC_KINDS: Array<[RateLimitKind, string]> = [
  ["requests", "requests"], ["tokens", "tokens"], ["inputTokens", "input-tokens"], ["outputTokens", "output-tokens"],
];

/**
 * The buckets the headers describe, relative to `at` (when the response arrived); null when no
 * bucket could be read. Anthropic's family wins for a kind both families describe.
 */
export function parseRateLimits(h: HeaderMap, at: number): RateLimits | null {
  const out: RateLimits = {};
  for (const [kind, name] of OPENAI_KINDS) {
    const reset = parseDurationMs(h[`x-ratelimit-reset-${name}`]);
    const b = bucket(h[`x-ratelimit-limit-${name}`], h[`x-ratelimit-remaining-${name}`], reset === null ? null : at + reset);
    if (b) out[kind] = b;
  }
  for (const [kind, name] of ANTHROPIC_KINDS) {
    const p = `anthropic-ratelimit-${name}`;
    const b = bucket(h[`${p}-limit`], h[`${p}-remaining`], parseRfc3339(h[`${p}-reset`]));
    if (b) out[kind] = b;
  }
  return Object.keys(out).length ? out : null;
}

/** `retry-after-ms`, else `retry-after` (seconds or an HTTP date) relative to `at`; null when absent or unreadable. */
export function parseRetryAfterMs(h: HeaderMap, at: number): number | null {
  const ms = parseCount(h["retry-after-ms"]);
  if (ms !== null) return ms;
  const ra = h["retry-after"]?.trim();
  if (!ra) return null;
  const seconds = parseCount(ra);
  if (seconds !== null) return seconds * 1000;
  if (!/[a-z]/i.test(ra)) return null;
  const when = Date.parse(ra);
  return Number.isFinite(when) ? Math.max(0, when - at) : null;
}

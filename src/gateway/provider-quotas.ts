/**
 * The latest rate-limit headers each provider/model answered with, kept per gateway for
 * `usage.status`. Recording sits on the turn path, so it only copies the few relevant header
 * values; reading them into numbers happens when someone asks (agents/providers/rate-limit-headers.ts).
 */
import type { ProviderResponseInfo } from "../agents/providers/transport.ts";

export interface QuotaObservation {
  provider: string;
  model: string;
  /** When the response headers arrived (ms). */
  at: number;
  status: number;
  /** Only the rate-limit and retry-after headers, lower-case names. */
  headers: Record<string, string>;
}

/** Past this many provider/model pairs the oldest is dropped: model ids come from callers. */
const MAX_ENTRIES = 200;

const relevant = (name: string) => name.startsWith("x-ratelimit-") || name.startsWith("anthropic-ratelimit-") || name.startsWith("retry-after");

export class ProviderQuotas {
  private readonly latest = new Map<string, QuotaObservation>();

  constructor(private readonly now: () => number = Date.now) {}

  record(r: ProviderResponseInfo): void {
    const headers: Record<string, string> = {};
    // Headers iterate with lower-case names.
    for (const [name, value] of r.headers) if (relevant(name)) headers[name] = value;
    const key = `${r.provider}\u0000${r.model}`;
    // Re-inserting keeps the map in recency order, so the first key is the one to evict.
    this.latest.delete(key);
    this.latest.set(key, { provider: r.provider, model: r.model, at: this.now(), status: r.status, headers });
    if (this.latest.size > MAX_ENTRIES) this.latest.delete(this.latest.keys().next().value!);
  }

  /** Every observation, oldest first. */
  all(): QuotaObservation[] {
    return [...this.latest.values()];
  }
}

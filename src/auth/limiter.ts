/**
 * Failed-authentication limiter, keyed by client IP. One instance per gateway, shared by both doors
 * (a guess on the WebSocket and one on the HTTP API count alike), configured per call so
 * `gateway.auth.rateLimit` edits hot-apply without losing the counters.
 */
import type { OpenClawConfig } from "../config/schema.ts";

export interface RateLimitSettings {
  maxAttempts: number;
  windowMs: number;
  lockoutMs: number;
  exemptLoopback: boolean;
}

export const DEFAULT_RATE_LIMIT: Readonly<RateLimitSettings> = Object.freeze({
  maxAttempts: 10,
  windowMs: 60_000,
  lockoutMs: 300_000,
  exemptLoopback: true,
});

interface Entry {
  /** Failure times inside the current window, oldest first. */
  failures: number[];
  lockedUntil: number;
}

/**
 * Sweeps of stale entries are amortised (when the map has doubled since the last sweep, or a
 * minute has passed) so a flood of new addresses costs O(1) per request, and a hard cap evicts
 * the longest-tracked clients so memory stays bounded whatever the flood.
 */
const SWEEP_AT = 1_000;
const SWEEP_EVERY_MS = 60_000;
const HARD_CAP = 10_000;

export function rateLimitSettings(config: OpenClawConfig): RateLimitSettings {
  const set = config.gateway?.auth?.rateLimit;
  return {
    maxAttempts: set?.maxAttempts ?? DEFAULT_RATE_LIMIT.maxAttempts,
    windowMs: set?.windowMs ?? DEFAULT_RATE_LIMIT.windowMs,
    lockoutMs: set?.lockoutMs ?? DEFAULT_RATE_LIMIT.lockoutMs,
    exemptLoopback: set?.exemptLoopback ?? DEFAULT_RATE_LIMIT.exemptLoopback,
  };
}

export function isLoopbackIp(ip: string): boolean {
  const v4 = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  return v4.startsWith("127.") || ip === "::1";
}

export class FailedAuthLimiter {
  readonly #entries = new Map<string, Entry>();
  #sweepAtSize = SWEEP_AT;
  #lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds left in a lockout for this client, or 0 when it may try. */
  retryAfterMs(ip: string, settings: RateLimitSettings): number {
    if (settings.exemptLoopback && isLoopbackIp(ip)) return 0;
    const entry = this.#entries.get(ip);
    if (!entry) return 0;
    const left = entry.lockedUntil - this.now();
    return left > 0 ? left : 0;
  }

  /**
   * Counts a failure. Exempt loopback clients are still counted: the published gateway locks such
   * a client out at once when the exemption is later turned off, and so do we.
   */
  recordFailure(ip: string, settings: RateLimitSettings): void {
    const now = this.now();
    let entry = this.#entries.get(ip);
    if (!entry) {
      this.#prune(now, settings);
      entry = { failures: [], lockedUntil: 0 };
      this.#entries.set(ip, entry);
    }
    entry.failures = entry.failures.filter((t) => now - t < settings.windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= settings.maxAttempts) {
      entry.lockedUntil = now + settings.lockoutMs;
      entry.failures = [];
    }
  }

  /** A successful authentication outside a lockout forgets the client's failures. */
  recordSuccess(ip: string): void {
    const entry = this.#entries.get(ip);
    if (entry && entry.lockedUntil <= this.now()) this.#entries.delete(ip);
  }

  /** Forgets the address's failures and any lockout it is in (a hook token proved valid mid-lockout). */
  clear(ip: string): void {
    this.#entries.delete(ip);
  }

  get size(): number {
    return this.#entries.size;
  }

  #prune(now: number, settings: RateLimitSettings): void {
    const size = this.#entries.size;
    if (size >= this.#sweepAtSize || (size >= SWEEP_AT && now - this.#lastSweep >= SWEEP_EVERY_MS)) {
      for (const [ip, entry] of this.#entries) {
        const recent = entry.failures.some((t) => now - t < settings.windowMs);
        if (!recent && entry.lockedUntil <= now) this.#entries.delete(ip);
      }
      this.#lastSweep = now;
      this.#sweepAtSize = Math.max(SWEEP_AT, this.#entries.size * 2);
    }
    // Map iteration is insertion order, so this drops the clients tracked longest.
    for (const ip of this.#entries.keys()) {
      if (this.#entries.size < HARD_CAP) break;
      this.#entries.delete(ip);
    }
  }
}

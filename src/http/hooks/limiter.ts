/**
 * Failed hook-token attempts per client address: 20 in 60 s lock the address out for 60 s. Its own
 * counters, apart from the gateway's auth limiter, with no loopback exemption (hook senders are
 * often local scripts, and a local process guessing the token is exactly what this stops). Only
 * wrong tokens are throttled: a right token is served during a lockout and clears the address.
 */
import { FailedAuthLimiter, type RateLimitSettings } from "../../auth/limiter.ts";

export const HOOK_AUTH_LIMITS: Readonly<RateLimitSettings> = Object.freeze({
  maxAttempts: 20,
  windowMs: 60_000,
  lockoutMs: 60_000,
  exemptLoopback: false,
});

export class HookAuthLimiter {
  readonly #limiter: FailedAuthLimiter;

  constructor(now: () => number = Date.now) {
    this.#limiter = new FailedAuthLimiter(now);
  }

  /** Milliseconds left in this address's lockout, or 0. */
  retryAfterMs(ip: string): number {
    return this.#limiter.retryAfterMs(ip, HOOK_AUTH_LIMITS);
  }

  recordFailure(ip: string): void {
    this.#limiter.recordFailure(ip, HOOK_AUTH_LIMITS);
  }

  /** A valid token: the address's failures and any lockout are forgotten. */
  clear(ip: string): void {
    this.#limiter.clear(ip);
  }
}

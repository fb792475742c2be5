/** Retry and backoff policies shared by outbound sends and the poller. */
import { TelegramApiError } from "./api.ts";

export interface SendRetryPolicy {
  attempts: number;
  minDelayMs: number;
  maxDelayMs: number;
  jitter: number;
}

/** docs concepts/retry.md: 3 attempts, 400 ms → 30 s, jitter 0.1. */
export const SEND_RETRY: SendRetryPolicy = { attempts: 3, minDelayMs: 400, maxDelayMs: 30_000, jitter: 0.1 };

/**
 * Only failures where the message surely or probably did not go out: a 429 (Telegram refused it),
 * a timeout or a dropped connection. A 5xx or garbage answer may follow a delivered message, and a
 * 4xx will not change on retry.
 */
export function isRetryableSendError(err: unknown): boolean {
  if (!(err instanceof TelegramApiError)) return false;
  if (err.kind === "timeout" || err.kind === "network") return true;
  return err.kind === "api" && err.status === 429;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export async function withSendRetry<T>(fn: () => Promise<T>, policy: SendRetryPolicy = SEND_RETRY, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= policy.attempts || !isRetryableSendError(err)) throw err;
      const retryAfterMs = err instanceof TelegramApiError && err.retryAfter !== undefined ? err.retryAfter * 1000 : undefined;
      // Waiting less than Telegram asked only earns another 429: past the cap, fail now and let the caller see retryAfter.
      if (retryAfterMs !== undefined && retryAfterMs > policy.maxDelayMs) throw err;
      const base = retryAfterMs ?? policy.minDelayMs * 2 ** (attempt - 1);
      const jittered = base * (1 + policy.jitter * Math.random());
      await sleep(Math.min(policy.maxDelayMs, Math.max(policy.minDelayMs, jittered)), signal);
    }
  }
}

/** Exponential backoff without jitter (the published poller: 1 s → 30 s, ×2). */
export class Backoff {
  private next: number;
  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {
    this.next = initialMs;
  }
  /** The delay to wait now; a Telegram `retry_after` (s) replaces it once. */
  take(retryAfterSec?: number): number {
    if (retryAfterSec !== undefined) return Math.max(retryAfterSec * 1000, this.initialMs);
    const d = this.next;
    this.next = Math.min(this.maxMs, this.next * 2);
    return d;
  }
  reset(): void {
    this.next = this.initialMs;
  }
}

/**
 * How an account's socket comes back after a drop (spec channels §6.5, the published values):
 * 2 s growing ×1.8 to 30 s, up to +25 % jitter, at most 12 attempts in a row; a connection that
 * stayed up longer than 60 s (the heartbeat) starts the count again. After 12 the task ends with a
 * plain error and the channel manager's slower ladder takes over.
 */
import { backoffDelay, type BackoffPolicy } from "../../backoff.ts";

/** `jitter`: up to this fraction of the delay is added at random, so many accounts do not retry in step. */
export interface ReconnectPolicy extends BackoffPolicy {
  maxAttempts: number;
  /** A connection that lived longer than this resets the attempt count. */
  stableMs: number;
}

export const RECONNECT: ReconnectPolicy = { initialMs: 2_000, maxMs: 30_000, factor: 1.8, jitter: 0.25, maxAttempts: 12, stableMs: 60_000 };

/** Delay before reconnect attempt `attempt` (1-based). */
export function reconnectDelay(attempt: number, policy: ReconnectPolicy = RECONNECT, random: () => number = Math.random): number {
  return backoffDelay(attempt, policy, random, "add");
}

/** Resolves after `ms`, or at once (false) when `signal` aborts first. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (completed: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(completed);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The WhatsApp close codes with a meaning of their own (Baileys' DisconnectReason). */
export const STATUS = {
  loggedOut: 401,
  forbidden: 403,
  connectionReplaced: 440,
  restartRequired: 515,
} as const;

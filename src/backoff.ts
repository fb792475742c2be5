/**
 * Exponential backoff with jitter, one formula for every reconnect and restart ladder. Two ways to
 * jitter, because the published values come in both: "spread" puts the delay anywhere in
 * ±jitter of the capped step (retries of many clients do not line up), "add" adds up to +jitter and
 * caps afterwards (never sooner than the step).
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** A fraction of the step. */
  jitter: number;
}

/** The delay before attempt `attempt` (1-based). */
export function backoffDelay(attempt: number, p: BackoffPolicy, random: () => number = Math.random, mode: "spread" | "add" = "spread"): number {
  const step = p.initialMs * p.factor ** Math.max(0, attempt - 1);
  if (mode === "add") return Math.round(Math.min(p.maxMs, step + step * p.jitter * random()));
  return Math.round(Math.min(p.maxMs, step) * (1 - p.jitter + 2 * p.jitter * random()));
}

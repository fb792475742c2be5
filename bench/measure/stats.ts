// bench/measure/stats.ts: how samples and failures are boiled down to the figures a report shows.

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const x of sorted) total += x;
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.length > 0 ? total / sorted.length : Number.NaN,
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/**
 * Median of the finite values (NaN when there are none). Rounds are few, so the two middle values
 * are averaged rather than one picked, and a failed round (NaN) does not count.
 */
export function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Counts of each distinct error message, for reports. */
export type ErrorCounts = Record<string, number>;

/** Long messages are cut so that one noisy failure cannot swamp the report. */
export function countError(counts: ErrorCounts, message: string): void {
  const key = message.length > 160 ? `${message.slice(0, 157)}...` : message;
  counts[key] = (counts[key] ?? 0) + 1;
}

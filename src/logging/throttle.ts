/** At most one report per interval: `hit()` says when to report, and how many hits it covers. */
export class LogThrottle {
  private lastAt = Number.NEGATIVE_INFINITY;
  private since = 0;

  constructor(private readonly intervalMs: number) {}

  /** Counts a hit; returns the hits since the last report when it is time for the next one. */
  hit(now = Date.now()): number | undefined {
    this.since++;
    if (now - this.lastAt < this.intervalMs) return undefined;
    const count = this.since;
    this.lastAt = now;
    this.since = 0;
    return count;
  }
}

import type { Health } from "../protocol/index.ts";

/** p99 lag above this marks the loop degraded. */
const DELAY_DEGRADED_MS = 200;

/**
 * Samples event-loop lag with one unref'd timer: cheap enough to run always, and the only
 * honest signal that the gateway is overloaded.
 */
export class EventLoopMonitor {
  private samples = new Float64Array(120);
  private count = 0;
  private timer: Timer;
  private expected: number;
  private cpu = process.cpuUsage();
  private wall = performance.now();
  private cpuRatio = 0;
  private degradedSince: number | null = null;

  constructor(readonly intervalMs = 500) {
    this.expected = performance.now() + intervalMs;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const now = performance.now();
    this.samples[this.count++ % this.samples.length] = Math.max(0, now - this.expected);
    this.expected = now + this.intervalMs;
    const cpu = process.cpuUsage(this.cpu);
    this.cpuRatio = (cpu.user + cpu.system) / 1000 / Math.max(1, now - this.wall);
    this.cpu = process.cpuUsage();
    this.wall = now;
  }

  snapshot(): Health["eventLoop"] {
    const n = Math.min(this.count, this.samples.length);
    const sorted = Array.from(this.samples.subarray(0, n)).sort((a, b) => a - b);
    const p99 = n ? sorted[Math.min(n - 1, Math.ceil(n * 0.99) - 1)]! : 0;
    const max = n ? sorted[n - 1]! : 0;
    const reasons: string[] = [];
    if (p99 > DELAY_DEGRADED_MS) reasons.push("event_loop_delay");
    // CPU alone is not a reason: a busy turn may use a whole core while the loop still answers on time.
    const degraded = reasons.length > 0;
    const now = Date.now();
    if (!degraded) this.degradedSince = null;
    else this.degradedSince ??= now;
    return {
      degraded,
      degradedSinceMs: this.degradedSince === null ? null : now - this.degradedSince,
      reasons,
      intervalMs: this.intervalMs,
      delayP99Ms: round(p99),
      delayMaxMs: round(max),
      // Bun's eventLoopUtilization() is a stub (always 0): the loop's busy share is measured as CPU time.
      utilization: round(Math.min(1, this.cpuRatio), 3),
      cpuCoreRatio: round(this.cpuRatio, 3),
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * Gives memory back after a burst of connections. Every handshake leaves garbage (parsed frames,
 * key objects, signature checks), and the runtime collects on allocation pressure, which an idle
 * gateway does not create: after a thousand devices reconnect, the gateway would keep tens of
 * megabytes of garbage until something else allocated. One full collection once the burst is
 * over (no new connection for a second) returns it; at most one per interval, so steady churn
 * never turns into a stream of collections.
 */
export interface BurstCollectorOptions {
  /** New connections since the last collection that make one worthwhile. */
  threshold?: number;
  /** Quiet time after the last connection before collecting. */
  quietMs?: number;
  /** Least time between two collections. */
  minIntervalMs?: number;
  collect?: () => void;
}

export class BurstCollector {
  private count = 0;
  private timer: Timer | undefined;
  private lastAt = 0;
  private readonly threshold: number;
  private readonly quietMs: number;
  private readonly minIntervalMs: number;
  private readonly collect: () => void;
  /** How many collections ran (metrics, tests). */
  collections = 0;

  constructor(opts: BurstCollectorOptions = {}) {
    this.threshold = opts.threshold ?? 100;
    this.quietMs = opts.quietMs ?? 1_000;
    this.minIntervalMs = opts.minIntervalMs ?? 5_000;
    this.collect = opts.collect ?? (() => Bun.gc(true));
  }

  /**
   * Start-up builds every schema and leaves their scaffolding behind; one collection a moment
   * after the gateway is up (never on the start-up path itself) gives that back.
   */
  afterStart(delayMs = 1_000): void {
    this.timer = setTimeout(() => this.run(), delayMs);
    this.timer.unref?.();
  }

  /** A connection completed its handshake. */
  note(): void {
    if (++this.count < this.threshold) return;
    clearTimeout(this.timer);
    const wait = Math.max(this.quietMs, this.lastAt + this.minIntervalMs - Date.now());
    this.timer = setTimeout(() => this.run(), wait);
    this.timer.unref?.();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private run(): void {
    this.timer = undefined;
    this.count = 0;
    this.lastAt = Date.now();
    this.collections++;
    this.collect();
  }
}

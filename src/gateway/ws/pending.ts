/**
 * Sockets that have not completed connect. One timer sweeps the handshake deadline instead of a
 * timer per socket (the deadline is coarse by nature and this keeps idle sockets cheap). Leaving the
 * set (connected, closed, timed out) gives back the socket's slot of the pending budget.
 *
 * A second, faster check is a memory valve: the runtime buffers a whole incoming frame before the
 * gateway sees any of it, so a pending socket can make it hold up to policy.maxPayload unseen.
 * When the process grows past a headroom over its level without pending sockets, pending sockets
 * older than a second (a real client sends connect within milliseconds of the challenge) are cut.
 */
import type { PendingBudget } from "./admission.ts";
import type { GatewaySocket } from "./conn.ts";

export interface PendingOptions {
  timeoutMs: number;
  budget: PendingBudget;
  onTimeout?: () => void;
  /** Told when the valve cut sockets: how many, and how far RSS was above the baseline. */
  onPressure?: (cut: number, growthBytes: number) => void;
  /** RSS growth over the baseline that opens the valve (default 256 MiB). */
  headroomBytes?: number;
  rss?: () => number;
}

const VALVE_INTERVAL_MS = 100;
const VALVE_MIN_AGE_MS = 1000;
export const DEFAULT_PENDING_HEADROOM_BYTES = 256 * 1024 * 1024;

export class PendingSockets {
  private pending = new Set<GatewaySocket>();
  private sweepTimer: Timer;
  private valveTimer: Timer;
  private baseline: number;
  private readonly rss: () => number;

  constructor(private readonly opts: PendingOptions) {
    this.rss = opts.rss ?? (() => process.memoryUsage.rss());
    this.baseline = this.rss();
    this.sweepTimer = setInterval(() => this.sweep(), Math.max(25, Math.min(1000, opts.timeoutMs / 4)));
    this.sweepTimer.unref();
    this.valveTimer = setInterval(() => this.checkPressure(), VALVE_INTERVAL_MS);
    this.valveTimer.unref();
  }

  add(ws: GatewaySocket): void {
    this.pending.add(ws);
  }

  delete(ws: GatewaySocket): void {
    this.pending.delete(ws);
    const d = ws.data;
    if (d.admitted) {
      d.admitted = false;
      this.opts.budget.release(d.remoteAddress);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  private sweep(): void {
    const deadline = Date.now() - this.opts.timeoutMs;
    for (const ws of this.pending) {
      if (ws.data.openedAt <= deadline) {
        this.delete(ws);
        this.opts.onTimeout?.();
        ws.close(1000, "");
      }
    }
  }

  private checkPressure(): void {
    const rss = this.rss();
    if (this.pending.size === 0) {
      this.baseline = rss;
      return;
    }
    const growth = rss - this.baseline;
    if (growth <= (this.opts.headroomBytes ?? DEFAULT_PENDING_HEADROOM_BYTES)) return;
    const cutoff = Date.now() - VALVE_MIN_AGE_MS;
    let cut = 0;
    for (const ws of this.pending) {
      if (ws.data.openedAt > cutoff) continue;
      this.delete(ws);
      ws.data.phase = "closed";
      // terminate, not close: a close handshake would wait behind the frame being received.
      ws.terminate();
      cut++;
    }
    if (cut > 0) this.opts.onPressure?.(cut, growth);
  }

  stop(): void {
    clearInterval(this.sweepTimer);
    clearInterval(this.valveTimer);
  }
}

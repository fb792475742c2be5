// bench/measure/flood.ts: sockets that upgrade but never authenticate, from one address, while a
// well-behaved client keeps handshaking from another. The flood runs in a child process
// (bench/flood-client.ts); this side samples the server's RSS, times the good client's hellos, and
// for the gateway reads /metrics to check that its pending gauge agrees with what was admitted.

import { join } from "node:path";
import { spawnChild, type Child } from "./child.ts";
import { idleRss } from "./proc.ts";
import { promSum, promValue, scrapeMetrics } from "./prom.ts";
import { closeSession, handshake } from "./session.ts";
import { countError, summarize, type ErrorCounts, type Summary } from "./stats.ts";

export const FLOOD_CLIENT = join(import.meta.dir, "..", "flood-client.ts");

export interface FloodOptions {
  url: string;
  token: string;
  /** The server's pid, for RSS. */
  pid: number;
  sockets: number;
  /** Local address of the flood (the good client always comes from 127.0.0.1). */
  localAddress: string;
  /** Upgrades awaiting an answer at once (see bench/flood-client.ts). */
  window: number;
  /** How long the flood is held once every socket is answered, s. */
  holdSeconds: number;
  /** Pause between the good client's hellos, ms: it is well-behaved, and must not starve the flood of the client CPU. */
  goodPauseMs: number;
  /** Sequential hellos before the flood: warm-up, and the no-flood reference. */
  baselineHellos: number;
  /** Read GET /metrics (the gateway; the bare server has none). */
  scrape: boolean;
}

export interface FloodCounts {
  /** Upgrades answered 101 (over the whole flood: a slot freed by the handshake timeout can be reused). */
  admitted: number;
  /** The most upgraded sockets open at the same time: what the budget bounds. */
  peakOpenAdmitted: number;
  refused: number;
  other: number;
  failed: number;
  admittedClosed: number;
  refusedClosed: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
}

export interface HelloSamples extends Summary {
  ok: number;
  fail: number;
  errors: ErrorCounts;
}

export interface FloodResult {
  /** What the flood client saw once every socket was answered, and at the end of the hold. */
  opened: FloodCounts & { ms: number };
  held: FloodCounts;
  rss: {
    /** Tree RSS before the flood, KiB. */
    beforeKiB: number;
    /** Highest tree RSS seen from the flood's start to the end of the hold (sampled every 100 ms), KiB. */
    peakKiB: number;
    /** At the end of the hold, KiB. */
    holdEndKiB: number;
    /** One second after the flood client let go, KiB. */
    afterKiB: number;
    /** peak − before, MB (10^6 bytes). */
    growthMB: number;
  };
  /** The good client: before the flood, and from the flood's start to the end of the hold. */
  good: { before: HelloSamples; during: HelloSamples };
  /** The gateway's own view (null for the bare server, or when /metrics failed: see `error`). */
  gauge: {
    pendingDuringHold: number;
    refusedTotal: number;
    pendingAfterCleanup: number;
    cleanupMs: number;
    rssBytesDuringHold: number;
  } | null;
  error?: string;
}

const OPEN_TIMEOUT_MS = 90_000;

/** Sequential hellos from 127.0.0.1, `pauseMs` apart, until `stop()` (or n of them); one sample per hello. */
function goodClient(url: string, token: string, pauseMs: number, n = Infinity) {
  const latencies: number[] = [];
  const errors: ErrorCounts = {};
  let fail = 0;
  let running = true;
  const done = (async () => {
    for (let i = 0; i < n && running; i++) {
      try {
        const s = await handshake(url, token, 10_000);
        latencies.push(s.helloAt - s.startedAt);
        await closeSession(s);
      } catch (err) {
        fail++;
        countError(errors, (err as Error).message);
      }
      if (running) await Bun.sleep(pauseMs);
    }
  })();
  return {
    async stop(): Promise<HelloSamples> {
      running = false;
      await done;
      return { ...summarize(latencies), ok: latencies.length, fail, errors };
    },
    done,
  };
}

/** The flood client as a child process (bench/flood-client.ts). */
function spawnFlood(opts: FloodOptions): Child {
  const port = new URL(opts.url).port;
  return spawnChild([
    process.execPath,
    FLOOD_CLIENT,
    "--port",
    port,
    "--count",
    String(opts.sockets),
    "--local",
    opts.localAddress,
    "--window",
    String(opts.window),
  ]);
}

/** Polls until the pending gauge reads 0 (bounded); returns the last value and how long it took. */
async function waitPendingZero(url: string, token: string, maxMs = 10_000): Promise<{ pending: number; ms: number }> {
  const t0 = performance.now();
  let pending = Number.NaN;
  while (performance.now() - t0 < maxMs) {
    pending = promValue(await scrapeMetrics(url, token), "openclaw_ws_connections", { role: "none", phase: "pending" });
    if (pending === 0) break;
    await Bun.sleep(50);
  }
  return { pending, ms: performance.now() - t0 };
}

export async function flood(opts: FloodOptions): Promise<FloodResult> {
  const rssKiB = () => idleRss(opts.pid).treeKiB;
  const before = await goodClient(opts.url, opts.token, opts.goodPauseMs, opts.baselineHellos).stop();
  await Bun.sleep(500);
  const beforeKiB = rssKiB();
  let peakKiB = beforeKiB;
  const sampler = setInterval(() => {
    const r = rssKiB();
    if (r > peakKiB) peakKiB = r;
  }, 100);

  const child = spawnFlood(opts);
  const good = goodClient(opts.url, opts.token, opts.goodPauseMs);
  let result: Omit<FloodResult, "rss" | "good"> | undefined;
  let during: HelloSamples | undefined;
  let holdEndKiB = Number.NaN;
  let error: string | undefined;
  try {
    const opened = await child.next("opened", OPEN_TIMEOUT_MS);
    await Bun.sleep(opts.holdSeconds * 1000);
    during = await good.stop();
    holdEndKiB = rssKiB();
    clearInterval(sampler);
    if (holdEndKiB > peakKiB) peakKiB = holdEndKiB;
    // The good client is idle now, so every pending slot the gateway counts is the flood's.
    child.send("status");
    const held = await child.next("status", 10_000);
    let gauge: FloodResult["gauge"] = null;
    if (opts.scrape) {
      try {
        const m = await scrapeMetrics(opts.url, opts.token);
        gauge = {
          pendingDuringHold: promValue(m, "openclaw_ws_connections", { role: "none", phase: "pending" }),
          refusedTotal: promSum(m, "openclaw_ws_upgrades_refused_total"),
          rssBytesDuringHold: promValue(m, "process_resident_memory_bytes"),
          pendingAfterCleanup: Number.NaN,
          cleanupMs: Number.NaN,
        };
      } catch (err) {
        error = `/metrics during the hold: ${(err as Error).message}`;
      }
    }
    child.send("close");
    await child.next("closed", 10_000).catch(() => undefined);
    await child.end();
    if (gauge) {
      try {
        const z = await waitPendingZero(opts.url, opts.token);
        gauge.pendingAfterCleanup = z.pending;
        gauge.cleanupMs = z.ms;
      } catch (err) {
        error = `/metrics after cleanup: ${(err as Error).message}`;
      }
    }
    result = { opened, held, gauge, error };
  } finally {
    clearInterval(sampler);
    if (during === undefined) during = await good.stop();
    await child.end(0);
  }
  await Bun.sleep(1000);
  const afterKiB = rssKiB();
  return {
    ...result!,
    rss: { beforeKiB, peakKiB, holdEndKiB, afterKiB, growthMB: ((peakKiB - beforeKiB) * 1024) / 1e6 },
    good: { before, during },
  };
}

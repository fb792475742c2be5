// bench/measure/nodes.ts: what connections of a kind cost the gateway: the CPU of a connect (a signed
// node connect against an operator's token connect) and the memory of many held at once.

import { cpuSecondsFine, idleRss, type RssReading } from "./proc.ts";
import { closeAll, openMany, type Session } from "./session.ts";
import { countError, type ErrorCounts } from "./stats.ts";

export interface ConnectCpuResult {
  /** Connects attempted and completed. */
  n: number;
  ok: number;
  fail: number;
  /** Summed over the batches: from the first socket of a batch to its last hello-ok, ms. */
  connectWallMs: number;
  /** Gateway CPU while the batches connected, ms, and per completed connect. */
  connectCpuMs: number;
  perConnectMs: number;
  /** Gateway CPU while they closed again (and settled), ms, and per close. */
  closeCpuMs: number;
  perCloseMs: number;
  errors: ErrorCounts;
}

/**
 * n connects in batches of `batch` (at most `concurrency` handshakes in flight), each batch closed
 * again before the next, so the gateway never holds more than a batch: the gateway's CPU (all its
 * threads, from /proc schedstat) while each batch connects, summed and divided by the connects,
 * and the same for the closes. Nothing else may use the gateway meanwhile.
 */
export async function connectCpu(
  open: (i: number) => Promise<Session>,
  n: number,
  pid: number,
  opts: { batch?: number; concurrency?: number; settleMs?: number } = {},
): Promise<ConnectCpuResult> {
  const batch = opts.batch ?? 20;
  const errors: ErrorCounts = {};
  let ok = 0;
  let connectCpu = 0;
  let closeCpu = 0;
  let connectWallMs = 0;
  await Bun.sleep(opts.settleMs ?? 20);
  for (let done = 0; done < n; done += batch) {
    const size = Math.min(batch, n - done);
    const cpu0 = cpuSecondsFine(pid);
    const t0 = performance.now();
    const opened = await openMany("", "", size, opts.concurrency ?? 4, undefined, (i) => open(done + i));
    connectWallMs += performance.now() - t0;
    const cpu1 = cpuSecondsFine(pid);
    ok += opened.sessions.length;
    for (const [message, count] of Object.entries(opened.errors)) errors[message] = (errors[message] ?? 0) + count;
    await closeAll(opened.sessions);
    // The gateway handles a close around the time the client sees it: a quiet spell before reading.
    await Bun.sleep(opts.settleMs ?? 20);
    connectCpu += cpu1 - cpu0;
    closeCpu += cpuSecondsFine(pid) - cpu1;
  }
  return {
    n,
    ok,
    fail: n - ok,
    connectWallMs,
    connectCpuMs: connectCpu * 1000,
    perConnectMs: ok > 0 ? (connectCpu * 1000) / ok : Number.NaN,
    closeCpuMs: closeCpu * 1000,
    perCloseMs: ok > 0 ? (closeCpu * 1000) / ok : Number.NaN,
    errors,
  };
}

export interface HeldLevel {
  /** Connections open when the reading was taken (those that closed meanwhile not counted). */
  alive: number;
  rss: RssReading;
  /** JS heap in use, bytes, from the gateway's /metrics (NaN when it does not answer). */
  heapBytes: number;
}

export interface HeldRssResult {
  /** Reading with none of these connections open. */
  before: HeldLevel;
  /** Readings with each level open (`settleSeconds` after the last of them connected). */
  levels: HeldLevel[];
  ok: number;
  fail: number;
  openSeconds: number;
  /** (last level − before) / its connections, KiB. */
  perConnKiB: number;
  /** (last level − the one before it) / the connections between them, KiB: no one-time costs. */
  marginalKiB: number;
  errors: ErrorCounts;
}

/**
 * RSS of pid's process tree with 0, levels[0], levels[1], … connections of `open(i)` held at once
 * (opened at most `concurrency` at a time, each level `settleSeconds` after its last connect), then
 * all closed. The last two levels give the marginal cost, free of what the first connections of a
 * kind cost once (compiled code, caches); the difference from none gives the plain cost.
 */
export async function heldRssLevels(
  open: (i: number) => Promise<Session>,
  levels: readonly number[],
  pid: number,
  opts: { concurrency?: number; settleSeconds?: number; heap?: () => Promise<number> } = {},
): Promise<HeldRssResult> {
  const sessions: Session[] = [];
  const errors: ErrorCounts = {};
  let fail = 0;
  let openSeconds = 0;
  const reading = async (): Promise<HeldLevel> => ({
    alive: sessions.filter((s) => !s.closed).length,
    rss: idleRss(pid),
    heapBytes: opts.heap ? await opts.heap().catch(() => Number.NaN) : Number.NaN,
  });
  const before = await reading();
  const out: HeldLevel[] = [];
  for (const level of levels) {
    const t0 = performance.now();
    const from = sessions.length + fail;
    const opened = await openMany("", "", Math.max(0, level - from), opts.concurrency ?? 16, undefined, (i) => open(from + i));
    openSeconds += (performance.now() - t0) / 1000;
    fail += opened.failed;
    for (const [message, count] of Object.entries(opened.errors)) errors[message] = (errors[message] ?? 0) + count;
    for (const s of opened.sessions) s.onClose = (code, reason) => countError(errors, `dropped ${code} ${reason}`.trim());
    sessions.push(...opened.sessions);
    await Bun.sleep((opts.settleSeconds ?? 3) * 1000);
    out.push(await reading());
  }
  await closeAll(sessions, 5_000);
  const kib = (a: HeldLevel, b: HeldLevel) => (b.alive - a.alive > 0 ? (b.rss.treeKiB - a.rss.treeKiB) / (b.alive - a.alive) : Number.NaN);
  const last = out.at(-1) ?? before;
  return {
    before,
    levels: out,
    ok: sessions.length,
    fail,
    openSeconds,
    perConnKiB: kib(before, last),
    marginalKiB: out.length > 1 ? kib(out.at(-2)!, last) : Number.NaN,
    errors,
  };
}

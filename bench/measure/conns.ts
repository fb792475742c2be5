// bench/measure/conns.ts: the memory cost of idle authenticated connections.

import { idleRss, type RssReading } from "./proc.ts";
import { closeAll, openMany } from "./session.ts";
import { countError, type ErrorCounts } from "./stats.ts";

export interface ConnsResult {
  n: number;
  ok: number;
  fail: number;
  /** Still open when the "after" reading was taken. */
  alive: number;
  openSeconds: number;
  before: RssReading;
  after: RssReading;
  /** (tree RSS after - before) / alive, KiB. */
  perConnKiB: number;
  errors: ErrorCounts;
}

/**
 * RSS of pid's process tree before and after opening n idle authenticated connections
 * (`settleSeconds` after the last one opened); the connections are closed again before returning.
 */
export async function conns(url: string, token: string, n: number, pid: number, settleSeconds = 3): Promise<ConnsResult> {
  const before = idleRss(pid);
  const t0 = performance.now();
  const opened = await openMany(url, token, n);
  const openSeconds = (performance.now() - t0) / 1000;
  const errors: ErrorCounts = { ...opened.errors };
  for (const s of opened.sessions) s.onClose = (code, reason) => countError(errors, `dropped ${code} ${reason}`.trim());
  await Bun.sleep(settleSeconds * 1000);
  const after = idleRss(pid);
  const alive = opened.sessions.filter((s) => !s.closed).length;
  await closeAll(opened.sessions);
  return {
    n,
    ok: opened.sessions.length,
    fail: opened.failed,
    alive,
    openSeconds,
    before,
    after,
    perConnKiB: alive > 0 ? (after.treeKiB - before.treeKiB) / alive : Number.NaN,
    errors,
  };
}

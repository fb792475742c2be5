/**
 * The `logs --follow` loop, free of sockets and output so it can be tested with fakes: poll with
 * the cursor, hand each page on, and ride out gateway restarts with capped exponential backoff.
 */
import { GatewayTransportError } from "../../client/errors.ts";
import type { LogsTailResult } from "../../protocol/index.ts";

export type TailPage = LogsTailResult;

export interface FollowOptions {
  poll(cursor: number | undefined): Promise<TailPage>;
  onPage(page: TailPage): void;
  onNotice(message: string): void;
  intervalMs: number;
  signal: AbortSignal;
  /** Consecutive failed polls tolerated before giving up. */
  maxAttempts?: number;
  maxBackoffMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export const RECONNECTED_NOTICE = "[logs] gateway reconnected";

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Lets Ctrl-C end the wait for a slow poll; the poll itself finishes (and closes) on its own. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => (signal.removeEventListener("abort", onAbort), resolve(value)),
      (err) => (signal.removeEventListener("abort", onAbort), reject(err)),
    );
  });
}

/** 1×, 2×, 4×… the base delay, never more than the cap. */
export function backoffDelay(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/** Resolves when the signal aborts; rejects with the last error once retries are exhausted or on a refused request. */
export async function followLogs(opts: FollowOptions): Promise<void> {
  const sleep = opts.sleep ?? abortableSleep;
  const maxAttempts = opts.maxAttempts ?? 8;
  const maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  const baseMs = Math.max(1000, opts.intervalMs);
  let cursor: number | undefined;
  let failures = 0;
  while (!opts.signal.aborted) {
    let page: TailPage;
    try {
      page = await untilAborted(opts.poll(cursor), opts.signal);
    } catch (err) {
      if (opts.signal.aborted) return;
      // A gateway that answers with an error (auth, scope) will not heal by retrying.
      if (!(err instanceof GatewayTransportError)) throw err;
      failures++;
      if (failures > maxAttempts) throw err;
      const delay = backoffDelay(failures, baseMs, maxBackoffMs);
      opts.onNotice(`[logs] gateway unreachable (${err.message}); retry ${failures}/${maxAttempts} in ${Math.round(delay / 100) / 10}s`);
      await sleep(delay, opts.signal);
      continue;
    }
    if (opts.signal.aborted) return;
    if (failures > 0) opts.onNotice(RECONNECTED_NOTICE);
    failures = 0;
    if (page.reset && cursor !== undefined) {
      opts.onNotice(
        page.skippedBytes
          ? `[logs] output fell behind; skipped ${page.skippedBytes} bytes (increase --max-bytes)`
          : "[logs] log file was rotated or truncated; continuing from its tail",
      );
    }
    cursor = page.cursor;
    opts.onPage(page);
    await sleep(opts.intervalMs, opts.signal);
  }
}

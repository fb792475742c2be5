// bench/measure/burst.ts: n legitimate handshakes started at the same moment (every socket is
// created in one synchronous loop), as when a fleet of clients reconnects after a restart.

import { cpuSeconds } from "./proc.ts";
import { closeAll, handshake, type Session } from "./session.ts";
import { countError, summarize, type ErrorCounts, type Summary } from "./stats.ts";

export interface BurstResult extends Summary {
  /** Sockets opened. */
  sockets: number;
  /** Handshakes that reached hello-ok. */
  ok: number;
  fail: number;
  /** First socket created → last hello-ok (or failure), ms. */
  wallMs: number;
  /** CPU time of the server's process tree from the first socket to the last hello-ok, ms (NaN without a pid). */
  serverCpuMs: number;
  errors: ErrorCounts;
}

/** Latency = that socket's `new WebSocket` → its hello-ok, ms; the sessions are closed before returning. */
export async function burst(url: string, token: string, n: number, pid?: number, timeoutMs = 20_000): Promise<BurstResult> {
  const errors: ErrorCounts = {};
  const cpu0 = pid ? cpuSeconds(pid) : Number.NaN;
  const t0 = performance.now();
  const attempts: Promise<Session>[] = [];
  for (let i = 0; i < n; i++) attempts.push(handshake(url, token, timeoutMs));
  const settled = await Promise.allSettled(attempts);
  const wallMs = performance.now() - t0;
  const serverCpuMs = pid ? (cpuSeconds(pid) - cpu0) * 1000 : Number.NaN;
  const sessions: Session[] = [];
  for (const s of settled) {
    if (s.status === "fulfilled") sessions.push(s.value);
    else countError(errors, (s.reason as Error).message);
  }
  await closeAll(sessions, 2_000);
  return {
    ...summarize(sessions.map((s) => s.helloAt - s.startedAt)),
    sockets: n,
    ok: sessions.length,
    fail: n - sessions.length,
    wallMs,
    serverCpuMs,
    errors,
  };
}

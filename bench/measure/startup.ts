// bench/measure/startup.ts: how long a server takes from spawn to its first hello-ok, and from
// SIGTERM to exit.

import { descendantsOf, idleRss, type RssReading } from "./proc.ts";
import { pollHello } from "./session.ts";
import { exitFlag, spawnServer, terminate } from "./spawn.ts";

export interface StartupOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Pause between connection attempts while the server is not up yet. */
  intervalMs?: number;
  /** Give up after this long without a hello-ok. */
  maxWaitMs?: number;
  /** SIGKILL if SIGTERM has not ended it after this long. */
  killAfterMs?: number;
  /** Where the child's stdout/stderr go (default: discarded). */
  logFile?: string;
}

export interface StartupResult {
  /** Spawn -> first hello-ok, ms (NaN on failure). */
  ms: number;
  attempts: number;
  /** RSS of the tree at hello-ok. */
  rssAtHello: RssReading;
  /** SIGTERM -> exit, ms. */
  stopMs: number;
  killed: boolean;
  error?: string;
}

/**
 * Spawns `cmd` (see spawnServer), polls a handshake every few ms until the first hello-ok, then
 * SIGTERMs it.
 */
export async function startup(cmd: string | string[], url: string, token: string, opts: StartupOptions = {}): Promise<StartupResult> {
  const maxWait = opts.maxWaitMs ?? 30_000;
  const t0 = performance.now();
  const child = spawnServer(cmd, { cwd: opts.cwd, env: opts.env, logFile: opts.logFile });
  const exited = exitFlag(child);
  const poll = await pollHello(url, token, {
    gone: exited,
    deadline: t0 + maxWait,
    intervalMs: opts.intervalMs ?? 5,
    attemptTimeoutMs: () => Math.max(1000, maxWait - (performance.now() - t0)),
    closeWaitMs: 500,
  });
  const ms = poll.helloAt - t0;
  const rssAtHello = idleRss(child.pid);
  const kids = descendantsOf(child.pid);
  const tk = performance.now();
  const killed = exited() ? false : await terminate(child, opts.killAfterMs ?? 5_000);
  const stopMs = performance.now() - tk;
  // Children it forked and left behind: end those too (only ours, by pid).
  for (const k of kids) {
    try {
      process.kill(k, "SIGTERM");
    } catch {
      // already gone
    }
  }
  let error: string | undefined;
  if (!Number.isFinite(ms)) {
    error = exited()
      ? `exited with code ${child.exitCode} before hello-ok (last attempt: ${poll.lastError || "none"})`
      : `no hello-ok within ${maxWait} ms (last attempt: ${poll.lastError})`;
  }
  return { ms, attempts: poll.attempts, rssAtHello, stopMs, killed, error };
}

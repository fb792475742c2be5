// bench/measure/spawn.ts: starting and ending the servers under test. Shared by the startup figure
// and the long-running servers, so that both are launched and stopped the same way.

import { closeSync, openSync } from "node:fs";
import type { Subprocess } from "bun";

export interface SpawnOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Where the child's stdout/stderr go, appended (default: discarded). */
  logFile?: string;
}

/**
 * Spawns `cmd`: a shell command line is run as `sh -c "exec <cmd>"`, so the child pid is the server
 * itself and /proc figures for that pid are the server's; an argv array is run as is.
 */
export function spawnServer(cmd: string | string[], opts: SpawnOptions = {}): Subprocess {
  const argv = typeof cmd === "string" ? ["sh", "-c", `exec ${cmd}`] : cmd;
  const logFd = opts.logFile ? openSync(opts.logFile, "a") : undefined;
  const out = logFd ?? "ignore";
  try {
    return Bun.spawn(argv, { cwd: opts.cwd, env: opts.env, stdin: "ignore", stdout: out, stderr: out });
  } finally {
    // The child holds its own copy of the descriptor.
    if (logFd !== undefined) closeSync(logFd);
  }
}

/** A flag that turns true once proc has exited, for loops that must stop waiting on a dead server. */
export function exitFlag(proc: Subprocess): () => boolean {
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  return () => exited;
}

/** SIGTERM, then SIGKILL when it is still running after killAfterMs. True when SIGKILL was needed. */
export async function terminate(proc: Subprocess, killAfterMs = 5_000): Promise<boolean> {
  proc.kill("SIGTERM");
  const done = await Promise.race([proc.exited.then(() => true), Bun.sleep(killAfterMs).then(() => false)]);
  if (done) return false;
  proc.kill("SIGKILL");
  await proc.exited;
  return true;
}

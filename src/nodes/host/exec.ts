/**
 * Running one argv for `system.run`: no shell, a bounded amount of output kept, a deadline, and a
 * kill that reaches the whole process group (a `sh -c` that started a `sleep` must not outlive it).
 */
import { spawn } from "node:child_process";

/** Per stream; the rest is read and dropped so the child never blocks on a full pipe. */
export const MAX_OUTPUT_BYTES = 200_000;
/** After SIGTERM, how long a command gets before SIGKILL. */
const KILL_GRACE_MS = 2_000;

export interface ExecRequest {
  argv: string[];
  cwd?: string;
  env: Record<string, string>;
  /** 0 or undefined: no deadline of its own. */
  timeoutMs?: number;
  signal?: AbortSignal;
  maxOutputBytes?: number;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  success: boolean;
  stdout: string;
  stderr: string;
  truncated: boolean;
  /** Why the command could not run (not found, bad cwd); null when it ran. */
  error: string | null;
  durationMs: number;
}

class Capture {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    const room = this.cap - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept !== chunk) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/** Signals the process group `pid` leads (spawned detached), or the process alone when there is no group. */
export function killTree(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    // A negative pid is the process group the child leads (it was spawned detached).
    process.kill(process.platform === "win32" ? pid : -pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

export function runArgv(req: ExecRequest): Promise<ExecResult> {
  const started = Date.now();
  const cap = req.maxOutputBytes ?? MAX_OUTPUT_BYTES;
  const out = new Capture(cap);
  const err = new Capture(cap);
  return new Promise((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let spawnError: string | null = null;
    let graceTimer: Timer | undefined;
    const child = spawn(req.argv[0]!, req.argv.slice(1), {
      cwd: req.cwd, env: req.env, stdio: ["ignore", "pipe", "pipe"], detached: process.platform !== "win32", windowsHide: true,
    });
    const stop = () => {
      killTree(child.pid, "SIGTERM");
      graceTimer = setTimeout(() => killTree(child.pid, "SIGKILL"), KILL_GRACE_MS);
    };
    const deadline = req.timeoutMs && req.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          stop();
        }, req.timeoutMs)
      : undefined;
    const onAbort = () => {
      cancelled = true;
      stop();
    };
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout!.on("data", (c: Buffer) => out.push(c));
    child.stderr!.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e: NodeJS.ErrnoException) => {
      spawnError = e.code === "ENOENT" ? `command not found: ${req.argv[0]}` : e.message;
    });
    child.on("close", (code, signal) => {
      clearTimeout(deadline);
      clearTimeout(graceTimer);
      req.signal?.removeEventListener("abort", onAbort);
      const exitCode = spawnError ? null : code;
      resolve({
        exitCode, signal: signal ?? null, timedOut, cancelled,
        success: exitCode === 0 && !timedOut && !cancelled,
        stdout: out.text(), stderr: err.text(), truncated: out.truncated || err.truncated,
        error: spawnError, durationMs: Date.now() - started,
      });
    });
  });
}

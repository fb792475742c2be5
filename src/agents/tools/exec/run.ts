/**
 * Running one shell command on the gateway for `exec`: stdout and stderr in one stream in arrival
 * order, the tail kept when there is too much, output streamed while it runs, a deadline, and an
 * abort. Both kill the whole process group, so a backgrounded grandchild does not outlive the call.
 */
import { spawn } from "node:child_process";
import { killTree } from "../../../nodes/host/exec.ts";

/** Characters of output kept (the tail); the model gets no more than this from one call. */
export const MAX_OUTPUT_CHARS = 200_000;
/** After SIGTERM, how long the group gets before SIGKILL. */
const KILL_GRACE_MS = 2_000;
/** Progress is flushed at most this often, or sooner once this much is waiting. */
const FLUSH_MS = 100;
const FLUSH_CHARS = 4_096;
/**
 * Once the shell has exited, how long its pipes may stay open. A daemon started with `&` keeps
 * them open for its whole life; the call must still end when the shell does.
 */
const DRAIN_MS = 250;

export interface ShellRequest {
  command: string;
  cwd: string;
  env: Record<string, string>;
  /** 0: no deadline. */
  timeoutMs: number;
  signal?: AbortSignal;
  maxOutputChars?: number;
  /** New output since the last call (throttled). */
  onOutput?: (delta: string) => void;
}

export interface ShellOutcome {
  exitCode: number | null;
  exitSignal: string | null;
  timedOut: boolean;
  aborted: boolean;
  /** stdout+stderr as it arrived (its tail when `truncated`). */
  output: string;
  truncated: boolean;
  /** Characters dropped from the front. */
  droppedChars: number;
  /** Why the shell could not start; null when it ran. */
  spawnError: string | null;
  durationMs: number;
}

/** The platform's shell invocation of one command line. */
export function shellArgv(command: string): string[] {
  return process.platform === "win32" ? [process.env.ComSpec ?? "cmd.exe", "/d", "/s", "/c", command] : ["/bin/sh", "-lc", command];
}

class TailBuffer {
  private parts: string[] = [];
  private size = 0;
  dropped = 0;
  constructor(private readonly cap: number) {}

  push(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size > this.cap * 2) this.compact();
  }

  private compact(): void {
    const all = this.parts.join("");
    const cut = Math.max(0, all.length - this.cap);
    this.dropped += cut;
    this.parts = [all.slice(cut)];
    this.size = all.length - cut;
  }

  text(): string {
    this.compact();
    return this.parts[0] ?? "";
  }
}

export function runShell(req: ShellRequest): Promise<ShellOutcome> {
  const started = Date.now();
  const buffer = new TailBuffer(req.maxOutputChars ?? MAX_OUTPUT_CHARS);
  const argv = shellArgv(req.command);
  return new Promise((resolve) => {
    let timedOut = false;
    let aborted = false;
    let spawnError: string | null = null;
    let graceTimer: Timer | undefined;
    let drainTimer: Timer | undefined;
    let flushTimer: Timer | undefined;
    let pending = "";
    let settled = false;

    const flush = () => {
      clearTimeout(flushTimer);
      flushTimer = undefined;
      if (pending === "") return;
      const delta = pending;
      pending = "";
      try {
        req.onOutput?.(delta);
      } catch {
        // A listener's failure is not the command's.
      }
    };
    const take = (text: string) => {
      if (text === "") return;
      buffer.push(text);
      if (!req.onOutput) return;
      pending += text;
      if (pending.length >= FLUSH_CHARS) flush();
      else flushTimer ??= setTimeout(flush, FLUSH_MS);
    };

    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: req.cwd, env: req.env, stdio: ["ignore", "pipe", "pipe"], detached: process.platform !== "win32", windowsHide: true,
    });
    const stop = () => {
      killTree(child.pid, "SIGTERM");
      graceTimer ??= setTimeout(() => killTree(child.pid, "SIGKILL"), KILL_GRACE_MS);
    };
    const deadline = req.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          stop();
        }, Math.min(req.timeoutMs, 2 ** 31 - 1))
      : undefined;
    const onAbort = () => {
      aborted = true;
      stop();
    };
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener("abort", onAbort, { once: true });

    // One decoder per stream: a multi-byte character split across chunks stays whole.
    const outDecoder = new TextDecoder();
    const errDecoder = new TextDecoder();
    child.stdout!.on("data", (c: Buffer) => take(outDecoder.decode(c, { stream: true })));
    child.stderr!.on("data", (c: Buffer) => take(errDecoder.decode(c, { stream: true })));
    child.on("error", (e: NodeJS.ErrnoException) => {
      spawnError = e.code === "ENOENT" ? `cannot start ${argv[0]} (cwd ${req.cwd}): ${e.message}` : e.message;
    });

    let exit: { code: number | null; signal: string | null } | undefined;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(graceTimer);
      clearTimeout(drainTimer);
      req.signal?.removeEventListener("abort", onAbort);
      take(outDecoder.decode() + errDecoder.decode());
      flush();
      child.stdout?.destroy();
      child.stderr?.destroy();
      const text = buffer.text();
      resolve({
        exitCode: spawnError ? null : (exit?.code ?? null), exitSignal: exit?.signal ?? null, timedOut, aborted,
        output: text, truncated: buffer.dropped > 0, droppedChars: buffer.dropped, spawnError, durationMs: Date.now() - started,
      });
    };
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      drainTimer = setTimeout(finish, DRAIN_MS);
    });
    child.on("close", (code, signal) => {
      exit ??= { code, signal };
      finish();
    });
  });
}

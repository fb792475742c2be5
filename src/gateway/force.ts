// `gateway run --force`: free the gateway's port before binding it.
//
// Listeners on the port are found with lsof (`-FpFc`: one `p<pid>` line then one `c<command>` line per
// process), or, where lsof is missing or fails, from /proc/net/tcp{,6} (state 0A = LISTEN) with socket
// inodes mapped to pids through /proc/<pid>/fd/* links; on Windows from `netstat -ano`. Every listener
// but this process gets SIGTERM, then SIGKILL if it is still there after 700 ms; then we wait for the
// port to become bindable. Discovery and process control are injectable so both parsers and the
// escalation are testable without real processes.

import { readdirSync, readFileSync, readlinkSync } from "node:fs";

export interface Listener {
  pid: number;
  /** Command name as lsof / /proc/<pid>/comm / tasklist report it; "?" when unknown. */
  command: string;
}

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Where listeners are looked up. */
export interface Discovery {
  platform: NodeJS.Platform;
  /** Runs a program to completion; undefined when it is not installed (or cannot be started). */
  run(argv: string[]): Promise<CommandResult | undefined>;
  /** A file's text; undefined when it cannot be read. */
  readFile(path: string): string | undefined;
  /** Entry names of a directory; [] when it cannot be read. */
  readDir(path: string): string[];
  /** A symlink's target; undefined when it cannot be read. */
  readLink(path: string): string | undefined;
}

/** How listeners are stopped and the port is checked. */
export interface ProcessControl {
  /** Throws like process.kill (code ESRCH / EPERM). */
  kill(pid: number, signal: "SIGTERM" | "SIGKILL"): void;
  isAlive(pid: number): boolean;
  /** Whether a listener could be bound on host:port right now. */
  canBind(port: number, host: string): boolean;
}

/** `Could not free port <p>: <reason>.` plus where to look next; exit 1. */
export class ForcePortError extends Error {
  readonly exitCode = 1;
  constructor(readonly port: number, readonly reason: string) {
    super(`Could not free port ${port}: ${reason}. Run openclaw gateway status --deep to inspect the listener.`);
    this.name = "ForcePortError";
  }
}

// ------------------------------------------------------------------ parsers

/** `lsof -F pc` output: `p<pid>` starts a process, `c<name>` names it; other fields are ignored. */
export function parseLsof(stdout: string): Listener[] {
  const byPid = new Map<number, Listener>();
  let current: Listener | undefined;
  for (const raw of stdout.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.startsWith("p")) {
      const pid = Number(line.slice(1));
      if (!Number.isInteger(pid) || pid <= 0) {
        current = undefined;
        continue;
      }
      current = byPid.get(pid) ?? { pid, command: "?" };
      byPid.set(pid, current);
    } else if (line.startsWith("c") && current) {
      current.command = line.slice(1) || "?";
    }
  }
  return [...byPid.values()];
}

/** Socket inodes of the LISTEN (0A) rows on `port` in one /proc/net/tcp or tcp6 table. */
export function parseProcNetTcp(text: string, port: number): Set<string> {
  const inodes = new Set<string>();
  for (const line of text.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const local = cols[1]!;
    const state = cols[3]!;
    const inode = cols[9]!;
    const hexPort = local.slice(local.lastIndexOf(":") + 1);
    if (state.toUpperCase() !== "0A" || parseInt(hexPort, 16) !== port || inode === "0") continue;
    inodes.add(inode);
  }
  return inodes;
}

/** Pids of `netstat -ano` LISTENING rows whose local address ends in `:<port>`. */
export function parseNetstat(stdout: string, port: number): number[] {
  const pids = new Set<number>();
  for (const line of stdout.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5 || cols[0]!.toUpperCase() !== "TCP" || !/^LISTEN/i.test(cols[3]!)) continue;
    if (!cols[1]!.endsWith(`:${port}`)) continue;
    const pid = Number(cols[4]);
    if (Number.isInteger(pid) && pid > 0) pids.add(pid);
  }
  return [...pids];
}

// ------------------------------------------------------------------ discovery

export interface Found {
  listeners: Listener[];
  source: "lsof" | "proc" | "netstat";
  /** Listening sockets whose owner could not be seen (another user's process, without root). */
  unattributed: number;
}

async function viaLsof(port: number, d: Discovery): Promise<Found | string> {
  const res = await d.run(["lsof", "-nP", `-iTCP:${port}`, "-sTCP:LISTEN", "-FpFc"]);
  if (!res) return "lsof not found";
  // lsof exits 1 when nothing matched, and also on errors: an error says so on stderr.
  if (res.exitCode === 0 || (res.exitCode === 1 && res.stderr.trim() === "")) {
    return { listeners: parseLsof(res.stdout), source: "lsof", unattributed: 0 };
  }
  return `lsof failed (exit ${res.exitCode}): ${res.stderr.trim().split("\n")[0] ?? ""}`;
}

function viaProc(port: number, d: Discovery): Found | string {
  const tables = ["/proc/net/tcp", "/proc/net/tcp6"].map((p) => d.readFile(p));
  if (tables.every((t) => t === undefined)) return "/proc/net/tcp is not readable";
  const inodes = new Set<string>();
  for (const t of tables) if (t !== undefined) for (const i of parseProcNetTcp(t, port)) inodes.add(i);
  const listeners: Listener[] = [];
  const seen = new Set<string>();
  if (inodes.size > 0) {
    for (const entry of d.readDir("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      let owns = false;
      for (const fd of d.readDir(`/proc/${entry}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(d.readLink(`/proc/${entry}/fd/${fd}`) ?? "");
        if (m && inodes.has(m[1]!)) {
          owns = true;
          seen.add(m[1]!);
        }
      }
      if (owns) listeners.push({ pid: Number(entry), command: d.readFile(`/proc/${entry}/comm`)?.trim() || "?" });
    }
  }
  return { listeners, source: "proc", unattributed: inodes.size - seen.size };
}

async function viaNetstat(port: number, d: Discovery): Promise<Found | string> {
  const res = await d.run(["netstat", "-ano", "-p", "TCP"]);
  if (!res) return "netstat not found";
  if (res.exitCode !== 0) return `netstat failed (exit ${res.exitCode})`;
  const listeners: Listener[] = [];
  for (const pid of parseNetstat(res.stdout, port)) {
    const task = await d.run(["tasklist", "/FI", `PID eq ${pid}`, "/FO", "CSV", "/NH"]);
    const name = task?.exitCode === 0 ? /^"([^"]+)"/.exec(task.stdout.trim())?.[1] : undefined;
    listeners.push({ pid, command: name ?? "?" });
  }
  return { listeners, source: "netstat", unattributed: 0 };
}

/** Processes listening on TCP `port`. Throws ForcePortError when there is no way to tell. */
export async function findListeners(port: number, d: Discovery = systemDiscovery): Promise<Found> {
  if (d.platform === "win32") {
    const found = await viaNetstat(port, d);
    if (typeof found === "string") throw new ForcePortError(port, found);
    return found;
  }
  const lsof = await viaLsof(port, d);
  if (typeof lsof !== "string") return lsof;
  const proc = viaProc(port, d);
  if (typeof proc !== "string") return proc;
  throw new ForcePortError(port, `cannot list listeners (${lsof}; ${proc})`);
}

// ------------------------------------------------------------------ the real system

export const systemDiscovery: Discovery = {
  platform: process.platform,
  async run(argv) {
    let proc;
    try {
      proc = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    } catch {
      return undefined; // not installed
    }
    const [stdout, stderr, exitCode] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    return { exitCode, stdout, stderr };
  },
  readFile(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
  readDir(path) {
    try {
      return readdirSync(path);
    } catch {
      return [];
    }
  },
  readLink(path) {
    try {
      return readlinkSync(path);
    } catch {
      return undefined;
    }
  },
};

export const systemControl: ProcessControl = {
  kill(pid, signal) {
    process.kill(pid, signal);
  },
  isAlive(pid) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === "EPERM";
    }
    // A killed child nobody has reaped yet still answers signal 0; it holds no sockets.
    const stat = systemDiscovery.readFile(`/proc/${pid}/stat`);
    const state = stat?.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  },
  canBind(port, host) {
    try {
      const s = Bun.serve({ hostname: host, port, reusePort: false, fetch: () => new Response(null) });
      s.stop(true);
      return true;
    } catch {
      return false;
    }
  },
};

// ------------------------------------------------------------------ force

export interface ForceOptions {
  /** The host the gateway binds first; bindability is checked there. Default 0.0.0.0. */
  host?: string;
  log?: (line: string) => void;
  discovery?: Discovery;
  control?: ProcessControl;
  /** Never signalled. Default process.pid. */
  selfPid?: number;
  /** SIGTERM grace before SIGKILL. Default 700. */
  termGraceMs?: number;
  /** From SIGTERM until every listener must be gone. Default 2000. */
  exitWaitMs?: number;
  /** After the listeners are gone, until the port must be bindable. Default 2000. */
  bindWaitMs?: number;
  pollMs?: number;
}

export interface ForceResult {
  killed: Listener[];
  /** Pids that needed SIGKILL. */
  escalated: number[];
  /** Time spent waiting for the port to become bindable. */
  waitedMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function pollUntil(done: () => boolean, deadline: number, pollMs: number): Promise<boolean> {
  while (!done()) {
    if (performance.now() >= deadline) return false;
    await sleep(Math.max(1, Math.min(pollMs, deadline - performance.now())));
  }
  return true;
}

function describe(ls: readonly Listener[]): string {
  return ls.map((l) => `pid ${l.pid} (${l.command})`).join(", ");
}

/**
 * Stops whatever listens on `port` (never this process) and waits until the port can be bound.
 * Resolves with what was killed (nothing when the port was free); throws ForcePortError otherwise.
 */
export async function forceFreePort(port: number, opts: ForceOptions = {}): Promise<ForceResult> {
  const control = opts.control ?? systemControl;
  const host = opts.host ?? "0.0.0.0";
  const log = opts.log ?? (() => {});
  const self = opts.selfPid ?? process.pid;
  const pollMs = opts.pollMs ?? 100;
  const termGraceMs = opts.termGraceMs ?? 700;
  const exitWaitMs = opts.exitWaitMs ?? 2000;
  const bindWaitMs = opts.bindWaitMs ?? 2000;

  const found = await findListeners(port, opts.discovery ?? systemDiscovery);
  const targets = found.listeners.filter((l) => l.pid !== self);
  const result: ForceResult = { killed: [], escalated: [], waitedMs: 0 };

  if (targets.length === 0) {
    if (control.canBind(port, host)) return result;
    if (found.listeners.some((l) => l.pid === self)) throw new ForcePortError(port, "it is held by this process");
    throw new ForcePortError(
      port,
      found.unattributed > 0
        ? "it is held by a process this user cannot see (another user's?)"
        : "it is in use but no listening process was found",
    );
  }

  const denied: Listener[] = [];
  const signalled: Listener[] = [];
  for (const l of targets) {
    try {
      control.kill(l.pid, "SIGTERM");
      signalled.push(l);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ESRCH") signalled.push(l); // already gone: counts as freed
      else denied.push(l);
    }
  }
  if (signalled.length === 0) {
    throw new ForcePortError(port, `permission denied signalling ${describe(denied)}`);
  }

  const t0 = performance.now();
  const gone = () => signalled.every((l) => !control.isAlive(l.pid));
  if (!(await pollUntil(gone, t0 + termGraceMs, pollMs))) {
    for (const l of signalled) {
      if (!control.isAlive(l.pid)) continue;
      try {
        control.kill(l.pid, "SIGKILL");
        result.escalated.push(l.pid);
      } catch {
        // gone in between, or not ours after all: the wait below tells
      }
    }
    if (result.escalated.length > 0) {
      log(`force: escalated to SIGKILL while freeing port ${port} (pid ${result.escalated.join(", pid ")})`);
    }
    if (!(await pollUntil(gone, t0 + exitWaitMs, pollMs))) {
      const left = signalled.filter((l) => control.isAlive(l.pid));
      throw new ForcePortError(port, `${describe(left)} still running after SIGKILL`);
    }
  }
  for (const l of signalled) {
    result.killed.push(l);
    log(`force: killed pid ${l.pid} (${l.command}) on port ${port}`);
  }

  if (control.canBind(port, host)) return result;
  const t1 = performance.now();
  const bindable = await pollUntil(() => control.canBind(port, host), t1 + bindWaitMs, pollMs);
  result.waitedMs = Math.max(1, Math.round(performance.now() - t1));
  if (!bindable) {
    const why = denied.length > 0 ? `; permission denied signalling ${describe(denied)}` : "";
    throw new ForcePortError(port, `still in use after stopping ${describe(signalled)}${why}`);
  }
  log(`force: waited ${result.waitedMs}ms for port ${port} to become bindable`);
  return result;
}

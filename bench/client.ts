// bench/client.ts: the measuring side of `bun run bench`. A protocol-4 WebSocket client built on
// Bun's own WebSocket (no dependencies) and a few /proc readers (RSS figures are Linux-only; elsewhere
// they come back as NaN).
//
// Every loop here is bounded in count and in time, and the runner only ever points it at 127.0.0.1.
//
//   hello(url, token, n)                                   handshake latency, new WebSocket -> hello-ok
//   rpc(url, token, method, conns, inflight, s, warmup)    req/s and latency at C conns x K in flight
//   conns(url, token, n, pid)                              RSS cost of n idle authenticated connections
//   startup(cmd, url, token)                               spawn -> first hello-ok, then SIGTERM
//   idleRss(pid)                                           RSS of a process and its descendants

import { closeSync, openSync, readFileSync, readdirSync } from "node:fs";
import type { Subprocess } from "bun";

// ------------------------------------------------------------------ statistics

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const x of sorted) total += x;
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.length > 0 ? total / sorted.length : Number.NaN,
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/** Counts of each distinct error message, for reports. */
export type ErrorCounts = Record<string, number>;

function countError(counts: ErrorCounts, message: string): void {
  const key = message.length > 160 ? `${message.slice(0, 157)}...` : message;
  counts[key] = (counts[key] ?? 0) + 1;
}

// ------------------------------------------------------------------ protocol

const HANDSHAKE_TIMEOUT_MS = 10_000;
const CONNECT_ID = "connect";

/** Valid protocol-4 connect params for a read-only operator CLI client. */
export function connectParams(token: string) {
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: {
      id: "cli",
      version: "bench",
      platform: process.platform,
      mode: "cli",
      instanceId: crypto.randomUUID(),
    },
    role: "operator",
    scopes: ["operator.read"],
    caps: [],
    auth: { token },
  };
}

/** An authenticated connection. After the handshake, frames go to `onFrame` and a close to `onClose`. */
export interface Session {
  ws: WebSocket;
  /** performance.now() just before `new WebSocket`. */
  startedAt: number;
  /** performance.now() when hello-ok arrived. */
  helloAt: number;
  closed: boolean;
  onFrame?: (text: string) => void;
  onClose?: (code: number, reason: string) => void;
}

const decoder = new TextDecoder();

function frameText(data: unknown): string {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || data instanceof Uint8Array) return decoder.decode(data);
  return String(data);
}

/** Opens a socket, answers connect.challenge with `connect`, resolves at hello-ok. */
export function handshake(url: string, token: string, timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<Session> {
  return new Promise<Session>((resolve, reject) => {
    const startedAt = performance.now();
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch (err) {
      reject(new Error(`websocket: ${(err as Error).message}`));
      return;
    }
    const session: Session = { ws, startedAt, helloAt: Number.NaN, closed: false };
    let opened = false;
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        ws.close();
      } catch {
        // already closing
      }
      reject(new Error(message));
    };
    const timer = setTimeout(() => fail("handshake timeout"), timeoutMs);
    ws.onopen = () => {
      opened = true;
    };
    ws.onerror = () => fail(opened ? "socket error" : "connect failed");
    ws.onclose = (ev) => {
      session.closed = true;
      if (settled) session.onClose?.(ev.code, ev.reason);
      else fail(`closed ${ev.code}${ev.reason ? ` ${ev.reason}` : ""} before hello-ok`);
    };
    ws.onmessage = (ev) => {
      const text = frameText(ev.data);
      if (settled) {
        session.onFrame?.(text);
        return;
      }
      let frame: any;
      try {
        frame = JSON.parse(text);
      } catch {
        fail("non-JSON frame during handshake");
        return;
      }
      if (frame?.type === "event" && frame.event === "connect.challenge") {
        ws.send(JSON.stringify({ type: "req", id: CONNECT_ID, method: "connect", params: connectParams(token) }));
      } else if (frame?.type === "res" && frame.id === CONNECT_ID) {
        if (frame.ok === true && frame.payload?.type === "hello-ok") {
          settled = true;
          clearTimeout(timer);
          session.helloAt = performance.now();
          resolve(session);
        } else {
          fail(`connect rejected: ${frame.error?.code ?? "?"} ${frame.error?.message ?? ""}`.trim());
        }
      }
    };
  });
}

/** Closes a session and waits (bounded) for the close to complete. */
export function closeSession(session: Session, waitMs = 1000): Promise<void> {
  if (session.closed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    session.onClose = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      session.ws.close(1000);
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** Opens n sessions with at most `concurrency` handshakes in flight at once. */
export async function openMany(
  url: string,
  token: string,
  n: number,
  concurrency = 16,
): Promise<{ sessions: Session[]; errors: ErrorCounts; failed: number }> {
  const sessions: Session[] = [];
  const errors: ErrorCounts = {};
  let failed = 0;
  let started = 0;
  const worker = async () => {
    while (started < n) {
      started++;
      try {
        sessions.push(await handshake(url, token));
      } catch (err) {
        failed++;
        countError(errors, (err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(concurrency, n)) }, worker));
  return { sessions, errors, failed };
}

export async function closeAll(sessions: readonly Session[], waitMs = 1000): Promise<void> {
  await Promise.all(sessions.map((s) => closeSession(s, waitMs)));
}

// ------------------------------------------------------------------ hello

export interface HelloResult extends Summary {
  ok: number;
  fail: number;
  errors: ErrorCounts;
}

/** n sequential handshakes (each closed before the next); latency = new WebSocket -> hello-ok, in ms. */
export async function hello(url: string, token: string, n: number, maxSeconds = 60): Promise<HelloResult> {
  const latencies: number[] = [];
  const errors: ErrorCounts = {};
  let fail = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  for (let i = 0; i < n && performance.now() < deadline; i++) {
    try {
      const s = await handshake(url, token);
      latencies.push(s.helloAt - s.startedAt);
      await closeSession(s);
    } catch (err) {
      fail++;
      countError(errors, (err as Error).message);
    }
  }
  return { ...summarize(latencies), ok: latencies.length, fail, errors };
}

// ------------------------------------------------------------------ rpc

export interface RpcResult extends Summary {
  method: string;
  conns: number;
  inflight: number;
  seconds: number;
  /** Successful responses per second inside the measuring window. */
  rps: number;
  ok: number;
  err: number;
  dropped: number;
  /** CPU of this (client) process during the window, % of one core. */
  clientCpuPct: number;
  /** CPU of the server's process tree during the window, % of one core (NaN without a pid). */
  serverCpuPct: number;
  /** Server CPU time per answered request, µs: comparable even when the client is the bottleneck. */
  serverCpuUsPerReq: number;
  errors: ErrorCounts;
}

export interface RpcOptions {
  /** Params of every request (default {}). */
  params?: unknown;
  /** Server pid: its process tree's CPU use during the window is reported. */
  pid?: number;
}

const RES_HEAD = '{"type":"res","id":"';

/**
 * The id and ok flag of a res frame. Frames that start the usual way are read without JSON.parse
 * (the client must not be the bottleneck); anything else is parsed. Non-res frames give undefined.
 */
function readRes(text: string): { id: number; ok: boolean } | undefined {
  if (text.startsWith(RES_HEAD)) {
    const end = text.indexOf('"', RES_HEAD.length);
    if (end > 0) {
      const id = Number(text.slice(RES_HEAD.length, end));
      if (text.startsWith(',"ok":true', end + 1)) return { id, ok: true };
      if (text.startsWith(',"ok":false', end + 1)) return { id, ok: false };
    }
  }
  let frame: any;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (frame?.type !== "res" || typeof frame.id !== "string") return undefined;
  return { id: Number(frame.id), ok: frame.ok === true };
}

function errorOf(text: string): string {
  try {
    const frame = JSON.parse(text);
    return `${frame.error?.code ?? "error"} ${frame.error?.message ?? ""}`.trim();
  } catch {
    return "error";
  }
}

/**
 * Closed-loop load: `conns` connections each keep `inflight` requests outstanding; every response
 * sends the next request on that connection. The first `warmup` seconds are not counted.
 */
export async function rpc(
  url: string,
  token: string,
  method: string,
  conns: number,
  inflight: number,
  seconds: number,
  warmup: number,
  opts: RpcOptions = {},
): Promise<RpcResult> {
  const opened = await openMany(url, token, conns);
  const errors: ErrorCounts = { ...opened.errors };
  if (opened.sessions.length === 0) {
    return {
      ...summarize([]),
      method,
      conns: 0,
      inflight,
      seconds: 0,
      rps: Number.NaN,
      ok: 0,
      err: 0,
      dropped: 0,
      clientCpuPct: Number.NaN,
      serverCpuPct: Number.NaN,
      serverCpuUsPerReq: Number.NaN,
      errors,
    };
  }
  const latencies: number[] = [];
  let measuring = false;
  let running = true;
  let ok = 0;
  let err = 0;
  let dropped = 0;
  const tail = `","method":${JSON.stringify(method)},"params":${JSON.stringify(opts.params ?? {})}}`;
  const outstanding: Map<number, number>[] = [];

  for (const session of opened.sessions) {
    const sentAt = new Map<number, number>();
    outstanding.push(sentAt);
    let seq = 0;
    const send = () => {
      seq++;
      sentAt.set(seq, performance.now());
      session.ws.send(`{"type":"req","id":"${seq}${tail}`);
    };
    session.onFrame = (text) => {
      const res = readRes(text);
      if (res === undefined) return; // events (ticks, presence) are not answers
      const t0 = sentAt.get(res.id);
      if (t0 === undefined) return;
      sentAt.delete(res.id);
      if (measuring) {
        latencies.push(performance.now() - t0);
        if (res.ok) ok++;
        else {
          err++;
          countError(errors, errorOf(text));
        }
      }
      if (running && !session.closed) send();
    };
    session.onClose = (code, reason) => {
      if (running) {
        dropped++;
        countError(errors, `closed ${code} ${reason}`.trim());
      }
    };
    for (let i = 0; i < inflight; i++) send();
  }

  if (warmup > 0) await Bun.sleep(warmup * 1000);
  const serverCpu0 = opts.pid ? cpuSeconds(opts.pid) : Number.NaN;
  const clientCpu0 = process.cpuUsage();
  measuring = true;
  const t0 = performance.now();
  await Bun.sleep(seconds * 1000);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const clientCpu = process.cpuUsage(clientCpu0);
  const serverCpu = opts.pid ? cpuSeconds(opts.pid) - serverCpu0 : Number.NaN;
  running = false;
  // Let the last answers arrive so the server is quiet before the next measurement.
  const drainUntil = performance.now() + 2000;
  while (performance.now() < drainUntil && outstanding.some((m) => m.size > 0)) await Bun.sleep(5);
  await closeAll(opened.sessions);

  return {
    ...summarize(latencies),
    method,
    conns: opened.sessions.length,
    inflight,
    seconds: elapsed,
    rps: ok / elapsed,
    ok,
    err,
    dropped,
    clientCpuPct: ((clientCpu.user + clientCpu.system) / 1e6 / elapsed) * 100,
    serverCpuPct: (serverCpu / elapsed) * 100,
    serverCpuUsPerReq: ok + err > 0 ? (serverCpu * 1e6) / (ok + err) : Number.NaN,
    errors,
  };
}

// ------------------------------------------------------------------ /proc

function statusRssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Fields of /proc/<pid>/stat after "pid (comm) ", where comm may hold spaces and parentheses. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : -1;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** User + system CPU seconds used so far by pid and its descendants (NaN where /proc is missing). */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  let seen = false;
  for (const p of [pid, ...descendantsOf(pid)]) {
    const fields = statFields(p);
    if (!fields) continue;
    seen = true;
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return seen ? ticks / USER_HZ : Number.NaN;
}

/** All live descendants of pid (children, grandchildren, ...). Empty where /proc is missing. */
export function descendantsOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const children = new Map<number, number[]>();
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const child = Number(name);
    const parent = parentOf(child);
    const list = children.get(parent);
    if (list) list.push(child);
    else children.set(parent, [child]);
  }
  const found: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0 && found.length < 10_000) {
    const p = stack.pop()!;
    found.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return found;
}

export interface RssReading {
  /** VmRSS of pid itself, KiB. */
  mainKiB: number;
  /** VmRSS of pid plus all its descendants, KiB. */
  treeKiB: number;
  procs: number;
}

/** Current RSS of a process and its descendants (NaN when unreadable). */
export function idleRss(pid: number): RssReading {
  const kids = descendantsOf(pid);
  const mainKiB = statusRssKiB(pid);
  let treeKiB = mainKiB;
  for (const k of kids) {
    const r = statusRssKiB(k);
    if (Number.isFinite(r)) treeKiB += r;
  }
  return { mainKiB, treeKiB, procs: 1 + kids.length };
}

// ------------------------------------------------------------------ conns

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

// ------------------------------------------------------------------ startup

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
 * Spawns `cmd` (a shell command line run as `sh -c "exec <cmd>"`, so the child pid is the server
 * itself, or an argv array), polls a handshake every few ms until the first hello-ok, then SIGTERMs it.
 */
export async function startup(cmd: string | string[], url: string, token: string, opts: StartupOptions = {}): Promise<StartupResult> {
  const interval = opts.intervalMs ?? 5;
  const maxWait = opts.maxWaitMs ?? 30_000;
  const killAfter = opts.killAfterMs ?? 5_000;
  const argv = typeof cmd === "string" ? ["sh", "-c", `exec ${cmd}`] : cmd;
  const logFd = opts.logFile ? openSync(opts.logFile, "a") : undefined;
  const out = logFd ?? "ignore";
  const t0 = performance.now();
  let child: Subprocess;
  try {
    child = Bun.spawn(argv, { cwd: opts.cwd, env: opts.env, stdin: "ignore", stdout: out, stderr: out });
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  let ms = Number.NaN;
  let attempts = 0;
  let lastError = "";
  while (!exited && performance.now() - t0 < maxWait) {
    attempts++;
    try {
      const s = await handshake(url, token, Math.max(1000, maxWait - (performance.now() - t0)));
      ms = s.helloAt - t0;
      await closeSession(s, 500);
      break;
    } catch (err) {
      lastError = (err as Error).message;
      await Bun.sleep(interval);
    }
  }
  const rssAtHello = idleRss(child.pid);
  const kids = descendantsOf(child.pid);
  const tk = performance.now();
  let killed = false;
  if (!exited) {
    child.kill("SIGTERM");
    const done = await Promise.race([child.exited.then(() => true), Bun.sleep(killAfter).then(() => false)]);
    if (!done) {
      killed = true;
      child.kill("SIGKILL");
      await child.exited;
    }
  }
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
    error = exited
      ? `exited with code ${child.exitCode} before hello-ok (last attempt: ${lastError || "none"})`
      : `no hello-ok within ${maxWait} ms (last attempt: ${lastError})`;
  }
  return { ms, attempts, rssAtHello, stopMs, killed, error };
}

// bench/measure/rpc.ts: request throughput and latency under closed-loop load.

import { cpuSeconds } from "./proc.ts";
import { closeAll, openMany, parseFrame } from "./session.ts";
import { countError, summarize, type ErrorCounts, type Summary } from "./stats.ts";

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
  /** Scopes of the load connections (default operator.read). */
  scopes?: readonly string[];
}

const RES_HEAD = '{"type":"res","id":"';

/**
 * The id and ok flag of a res frame. Frames that start the usual way are read without JSON.parse
 * (the client must not be the bottleneck); anything else is parsed. Non-res frames give undefined.
 */
export function readRes(text: string): { id: number; ok: boolean } | undefined {
  if (text.startsWith(RES_HEAD)) {
    const end = text.indexOf('"', RES_HEAD.length);
    if (end > 0) {
      const id = Number(text.slice(RES_HEAD.length, end));
      if (text.startsWith(',"ok":true', end + 1)) return { id, ok: true };
      if (text.startsWith(',"ok":false', end + 1)) return { id, ok: false };
    }
  }
  const frame = parseFrame(text);
  if (frame?.type !== "res" || typeof frame.id !== "string") return undefined;
  return { id: Number(frame.id), ok: frame.ok === true };
}

export function errorOf(text: string): string {
  const frame = parseFrame(text);
  if (frame === undefined || frame === null) return "error";
  return `${frame.error?.code ?? "error"} ${frame.error?.message ?? ""}`.trim();
}

function noConnections(method: string, inflight: number, errors: ErrorCounts): RpcResult {
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
  const opened = await openMany(url, token, conns, 16, opts.scopes);
  const errors: ErrorCounts = { ...opened.errors };
  if (opened.sessions.length === 0) return noConnections(method, inflight, errors);
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

// bench/measure/soak.ts: a long steady load, to see whether memory creeps and latency holds.
// `conns` authenticated connections send a mix of read RPCs at a fixed total rate (open loop: a
// slow answer does not slow the load down), a connection of its own runs agent turns at intervals,
// and the server's RSS (and, where /metrics answers, its JS heap) is sampled every few seconds.

import { cpuSeconds, idleRss } from "./proc.ts";
import { join } from "node:path";
import { spawnChild, type Child } from "./child.ts";
import { bucketQuantile, promBuckets, promSum, promValue, scrapeMetrics, type PromSample } from "./prom.ts";
import { errorOf, readRes } from "./rpc.ts";
import { closeAll, openMany, parseFrame, handshake, closeSession, type Session } from "./session.ts";
import { countError, summarize, type ErrorCounts, type Summary } from "./stats.ts";

/** The read RPCs of the mix and their weights; every connection may send any of them. */
export const SOAK_MIX: readonly { method: string; weight: number; params: (i: number) => unknown }[] = [
  { method: "health", weight: 4, params: () => ({}) },
  { method: "status", weight: 2, params: () => ({}) },
  { method: "system-presence", weight: 2, params: () => ({}) },
  { method: "chat.history", weight: 1, params: (i) => ({ sessionKey: soakSessionKey(i), limit: 20 }) },
  { method: "sessions.list", weight: 1, params: () => ({ limit: 20 }) },
];

export interface SoakOptions {
  url: string;
  token: string;
  pid: number;
  conns: number;
  seconds: number;
  /** Requests per second over all connections (open loop). */
  rps: number;
  /** An agent turn starts this often (at most AGENT_INFLIGHT at a time); 0: no agent turns. */
  agentEverySeconds: number;
  /** Turns rotate over this many session keys. */
  agentSessions: number;
  sampleEverySeconds: number;
  /** Read /metrics at each sample (the gateway's JS heap) and at both ends (its request histogram). */
  scrape: boolean;
  /** The health probe's interval (bench/health-probe.ts), ms; 0: no probe. */
  probeEveryMs: number;
}

export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  rssKiB: number;
  /** openclaw_js_heap_used_bytes (NaN without /metrics). */
  heapBytes: number;
  /** The server's CPU since the previous sample, % of one core. */
  cpuPct: number;
  /** openclaw_event_loop_lag_seconds quantile 0.99 and 1 (the gateway's last minute), ms; NaN without /metrics. */
  lagP99Ms: number;
  lagMaxMs: number;
}

export interface SoakResult {
  conns: { opened: number; failed: number; dropped: number };
  seconds: number;
  samples: SoakSample[];
  drift: {
    fromT: number;
    toT: number;
    /** Last sample − the sample at fromT, MB (10^6 bytes). */
    rssMB: number;
    heapMB: number;
    /** Least-squares slope of RSS over the samples from fromT on, MB per 10 minutes. */
    slopeMBPer10Min: number;
    /** The run was shorter than 2 minutes: fromT is not 60 s but half the run. */
    short: boolean;
  };
  /** As the load connections saw them: includes their client's work on every broadcast frame. */
  methods: Record<string, Summary & { ok: number; err: number }>;
  /** `health` timed by bench/health-probe.ts, a process whose socket gets no agent/chat events (null: no probe). */
  probe: (Summary & { over10ms: number; err: number; unanswered: number; errors: ErrorCounts }) | null;
  /** The gateway's own request histogram over the run (all connections): the bucket bound holding p99, ms. */
  serverP99LeMs: Record<string, number>;
  /** Event frames the gateway wrote over the run (openclaw_ws_events_sent_total; NaN without /metrics). */
  eventsSent: number;
  /** CPU time of the server's process tree over the run, s. */
  serverCpuSeconds: number;
  agent: Summary & { ok: number; err: number; started: number };
  sent: number;
  /** Requests not sent because their connection already had MAX_OUTSTANDING unanswered. */
  skipped: number;
  /** Unanswered when the load stopped (after a bounded drain). */
  unanswered: number;
  errors: ErrorCounts;
}

const TICK_MS = 20;
const MAX_OUTSTANDING = 50;
const AGENT_INFLIGHT = 2;
const AGENT_TIMEOUT_MS = 30_000;

const HEALTH_PROBE = join(import.meta.dir, "..", "health-probe.ts");
const DURATION = "openclaw_ws_request_duration_seconds";

export function soakSessionKey(i: number): string {
  return `soak-${i}`;
}

function pickMethod(): (typeof SOAK_MIX)[number] {
  const total = SOAK_MIX.reduce((a, m) => a + m.weight, 0);
  let r = Math.random() * total;
  for (const m of SOAK_MIX) if ((r -= m.weight) < 0) return m;
  return SOAK_MIX[0]!;
}

/** Least-squares slope of y over x (NaN with fewer than two points). */
function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den > 0 ? num / den : Number.NaN;
}

/** Agent turns on a connection of their own (operator.write), one every `everyS`, at most AGENT_INFLIGHT at once. */
async function agentLoop(opts: SoakOptions, running: () => boolean, errors: ErrorCounts) {
  const latencies: number[] = [];
  let ok = 0;
  let err = 0;
  let started = 0;
  let session: Session;
  try {
    session = await handshake(opts.url, opts.token, 10_000, ["operator.read", "operator.write"]);
  } catch (e) {
    countError(errors, `agent connection: ${(e as Error).message}`);
    return { latencies, ok, err, started };
  }
  const inflight = new Map<string, { t0: number; timer: Timer }>();
  const finish = (id: string, success: boolean, why?: string) => {
    const run = inflight.get(id);
    if (!run) return;
    clearTimeout(run.timer);
    inflight.delete(id);
    if (success) {
      ok++;
      latencies.push(performance.now() - run.t0);
    } else {
      err++;
      countError(errors, `agent: ${why}`);
    }
  };
  session.onFrame = (text) => {
    if (!text.startsWith('{"type":"res"')) return; // agent/chat events of every turn
    const frame = parseFrame(text);
    if (typeof frame?.id !== "string" || !inflight.has(frame.id)) return;
    if (frame.ok !== true) finish(frame.id, false, `${frame.error?.code ?? "error"} ${frame.error?.message ?? ""}`.trim());
    else if (frame.payload?.status === "ok") finish(frame.id, true);
    // status "accepted": the turn is stored; the final answer comes on the same id.
  };
  session.onClose = (code, reason) => {
    for (const id of [...inflight.keys()]) finish(id, false, `closed ${code} ${reason}`.trim());
  };
  while (running() && !session.closed) {
    if (inflight.size < AGENT_INFLIGHT) {
      const id = `turn-${++started}`;
      const timer = setTimeout(() => finish(id, false, "no final answer in time"), AGENT_TIMEOUT_MS);
      inflight.set(id, { t0: performance.now(), timer });
      const params = { message: `soak turn ${started}`, idempotencyKey: crypto.randomUUID(), sessionKey: soakSessionKey(started % opts.agentSessions) };
      session.ws.send(JSON.stringify({ type: "req", id, method: "agent", params }));
    }
    await Bun.sleep(opts.agentEverySeconds * 1000);
  }
  const drainUntil = performance.now() + 10_000;
  while (inflight.size > 0 && performance.now() < drainUntil) await Bun.sleep(20);
  for (const id of [...inflight.keys()]) finish(id, false, "unfinished when the soak ended");
  await closeSession(session);
  return { latencies, ok, err, started };
}

export async function soak(opts: SoakOptions): Promise<SoakResult> {
  const errors: ErrorCounts = {};
  const opened = await openMany(opts.url, opts.token, opts.conns);
  Object.assign(errors, opened.errors);
  const sessions = opened.sessions;
  let running = true;
  let dropped = 0;
  let sent = 0;
  let skipped = 0;
  const latencies = new Map<string, number[]>(SOAK_MIX.map((m) => [m.method, []]));
  const failures = new Map<string, number>(SOAK_MIX.map((m) => [m.method, 0]));
  const outstanding: Map<number, { t0: number; method: string }>[] = sessions.map(() => new Map());
  sessions.forEach((s, i) => {
    const mine = outstanding[i]!;
    s.onFrame = (text) => {
      const res = readRes(text);
      if (res === undefined) return; // events: ticks, presence, every turn's agent/chat events
      const req = mine.get(res.id);
      if (req === undefined) return;
      mine.delete(res.id);
      if (res.ok) latencies.get(req.method)!.push(performance.now() - req.t0);
      else {
        failures.set(req.method, failures.get(req.method)! + 1);
        countError(errors, `${req.method}: ${errorOf(text)}`);
      }
    };
    s.onClose = (code, reason) => {
      if (!running) return;
      dropped++;
      countError(errors, `dropped ${code} ${reason}`.trim());
    };
  });

  const samples: SoakSample[] = [];
  const t0 = performance.now();
  let cpuAt = { t: t0, s: cpuSeconds(opts.pid) };
  const sample = async () => {
    const now = performance.now();
    const t = (now - t0) / 1000;
    const rssKiB = idleRss(opts.pid).treeKiB;
    const cpu = cpuSeconds(opts.pid);
    const cpuPct = now > cpuAt.t ? ((cpu - cpuAt.s) / ((now - cpuAt.t) / 1000)) * 100 : Number.NaN;
    cpuAt = { t: now, s: cpu };
    let heapBytes = Number.NaN;
    let lagP99Ms = Number.NaN;
    let lagMaxMs = Number.NaN;
    if (opts.scrape) {
      try {
        const m = await scrapeMetrics(opts.url, opts.token);
        heapBytes = promValue(m, "openclaw_js_heap_used_bytes");
        lagP99Ms = promValue(m, "openclaw_event_loop_lag_seconds", { quantile: "0.99" }) * 1000;
        lagMaxMs = promValue(m, "openclaw_event_loop_lag_seconds", { quantile: "1" }) * 1000;
      } catch (e) {
        countError(errors, (e as Error).message);
      }
    }
    samples.push({ t, rssKiB, heapBytes, cpuPct, lagP99Ms, lagMaxMs });
  };

  const scrapeOrNull = async (): Promise<PromSample[] | null> => {
    if (!opts.scrape) return null;
    try {
      return await scrapeMetrics(opts.url, opts.token);
    } catch (e) {
      countError(errors, (e as Error).message);
      return null;
    }
  };
  let probe: Child | undefined;
  if (opts.probeEveryMs > 0) {
    probe = spawnChild([process.execPath, HEALTH_PROBE, "--url", opts.url, "--every-ms", String(opts.probeEveryMs)], {
      ...process.env,
      PROBE_TOKEN: opts.token,
    });
    try {
      await probe.next("ready", 15_000);
    } catch (e) {
      countError(errors, `health probe: ${(e as Error).message}`);
      await probe.end(0);
      probe = undefined;
    }
  }
  const metricsBefore = await scrapeOrNull();
  const cpuStart = cpuSeconds(opts.pid);
  const agentErrors: ErrorCounts = {};
  const agent = opts.agentEverySeconds > 0 ? agentLoop(opts, () => running, agentErrors) : Promise.resolve({ latencies: [], ok: 0, err: 0, started: 0 });
  let seq = 0;
  let next = 0;
  let due = 0;
  const ticker = setInterval(() => {
    if (sessions.length === 0) return;
    const target = ((performance.now() - t0) / 1000) * opts.rps;
    for (; due < target; due++) {
      // Round-robin over the connections, skipping closed ones.
      let s: Session | undefined;
      let i = 0;
      for (let tries = 0; tries < sessions.length; tries++) {
        i = next++ % sessions.length;
        if (!sessions[i]!.closed) {
          s = sessions[i];
          break;
        }
      }
      if (s === undefined) return;
      const mine = outstanding[i]!;
      if (mine.size >= MAX_OUTSTANDING) {
        skipped++;
        continue;
      }
      const m = pickMethod();
      const id = ++seq;
      mine.set(id, { t0: performance.now(), method: m.method });
      s.ws.send(`{"type":"req","id":"${id}","method":${JSON.stringify(m.method)},"params":${JSON.stringify(m.params(id % opts.agentSessions))}}`);
      sent++;
    }
  }, TICK_MS);

  await sample();
  const end = t0 + opts.seconds * 1000;
  for (let k = 1; performance.now() < end; k++) {
    const at = Math.min(end, t0 + k * opts.sampleEverySeconds * 1000);
    await Bun.sleep(Math.max(0, at - performance.now()));
    await sample();
  }
  clearInterval(ticker);
  running = false;
  const drainUntil = performance.now() + 3_000;
  while (performance.now() < drainUntil && outstanding.some((m) => m.size > 0)) await Bun.sleep(10);
  const unanswered = outstanding.reduce((a, m) => a + m.size, 0);
  const agentRes = await agent;
  let probeRes: SoakResult["probe"] = null;
  if (probe) {
    probe.send("stop");
    try {
      const r = await probe.next("result", 10_000);
      probeRes = { n: r.n, p50: r.p50, p99: r.p99, mean: r.mean, max: r.max, over10ms: r.over10ms, err: r.err, unanswered: r.unanswered, errors: r.errors };
    } catch (e) {
      countError(errors, `health probe: ${(e as Error).message}`);
    }
    await probe.end();
  }
  const metricsAfter = await scrapeOrNull();
  const serverCpuSeconds = cpuSeconds(opts.pid) - cpuStart;
  const eventsSent =
    metricsBefore && metricsAfter ? promSum(metricsAfter, "openclaw_ws_events_sent_total") - promSum(metricsBefore, "openclaw_ws_events_sent_total") : Number.NaN;
  const serverP99LeMs: Record<string, number> = {};
  if (metricsBefore && metricsAfter)
    for (const m of [...SOAK_MIX.map((x) => x.method), "agent"])
      serverP99LeMs[m] = bucketQuantile(promBuckets(metricsBefore, DURATION, { method: m }), promBuckets(metricsAfter, DURATION, { method: m }), 0.99) * 1000;
  for (const [k, v] of Object.entries(agentErrors)) errors[k] = (errors[k] ?? 0) + v;
  await closeAll(sessions, 2_000);

  const seconds = (performance.now() - t0) / 1000;
  const short = opts.seconds < 120;
  const wantFrom = short ? opts.seconds / 2 : 60;
  const from = samples.find((s) => s.t >= wantFrom - 0.5) ?? samples[0]!;
  const last = samples.at(-1)!;
  const tail = samples.filter((s) => s.t >= from.t);
  const mb = (kib: number) => (kib * 1024) / 1e6;
  const methods: SoakResult["methods"] = {};
  for (const m of SOAK_MIX) methods[m.method] = { ...summarize(latencies.get(m.method)!), ok: latencies.get(m.method)!.length, err: failures.get(m.method)! };
  return {
    conns: { opened: sessions.length, failed: opened.failed, dropped },
    seconds,
    samples,
    drift: {
      fromT: from.t,
      toT: last.t,
      rssMB: mb(last.rssKiB - from.rssKiB),
      heapMB: (last.heapBytes - from.heapBytes) / 1e6,
      slopeMBPer10Min: slope(tail.map((s) => ({ x: s.t, y: mb(s.rssKiB) }))) * 600,
      short,
    },
    methods,
    probe: probeRes,
    serverP99LeMs,
    eventsSent,
    serverCpuSeconds,
    agent: { ...summarize(agentRes.latencies), ok: agentRes.ok, err: agentRes.err, started: agentRes.started },
    sent,
    skipped,
    unanswered,
    errors,
  };
}

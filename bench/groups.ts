// bench/groups.ts: the measurement groups of `--only`, each turning raw measurements of both sides
// into report metrics. The machine is noisy and shared with the client, so sides are measured
// alternately in the same run and only compared with each other.

import { join } from "node:path";
import { conns, type ConnsResult } from "./measure/conns.ts";
import { hello, type HelloResult } from "./measure/hello.ts";
import { chatRound, summarizeRound, type ChatRound, type ChatTarget } from "./measure/http.ts";
import { idleRss } from "./measure/proc.ts";
import { rpc, type RpcResult } from "./measure/rpc.ts";
import { startup, type StartupResult } from "./measure/startup.ts";
import { median, summarize, type ErrorCounts } from "./measure/stats.ts";
import { BARE_CMD, ROOT, type Options } from "./options.ts";
import { fmt, type Goal, type Metric } from "./report.ts";
import {
  SIDES,
  instantiate,
  isolatedEnv,
  launch,
  launchUpstream,
  logTail,
  stop,
  writeHttpGatewayConfig,
  type Sandbox,
  type Server,
  type Side,
  type Upstream,
} from "./servers.ts";

/** One bench run in progress: where groups find the servers and leave their findings. */
export interface Run {
  opts: Options;
  box: Sandbox;
  servers: Partial<Record<Side, Server>>;
  metrics: Metric[];
  details: Record<string, unknown>;
  problems: string[];
}

export function progress(opts: Options, message: string): void {
  if (!opts.json) console.error(`  ${message}`);
}

/** Runs `measure` for both sides, `rounds` times, alternating which side goes first. */
export async function alternate<T>(opts: Options, what: string, rounds: number, measure: (side: Side) => Promise<T>): Promise<Record<Side, T[]>> {
  const results: Record<Side, T[]> = { gateway: [], bare: [] };
  for (let r = 0; r < rounds; r++) {
    const order: readonly Side[] = r % 2 === 0 ? SIDES : [...SIDES].reverse();
    for (const side of order) {
      progress(opts, `${what}: ${side}${rounds > 1 ? ` (round ${r + 1}/${rounds})` : ""}`);
      results[side].push(await measure(side));
    }
  }
  return results;
}

export function noteErrors(run: Run, what: string, res: Record<Side, { errors: ErrorCounts }[]>): void {
  for (const side of SIDES)
    for (const r of res[side])
      for (const [message, count] of Object.entries(r.errors)) run.problems.push(`${side} ${what}: ${count}× ${message}`);
}

export function server(run: Run, side: Side): Server {
  return run.servers[side]!;
}

export async function measureRss(run: Run): Promise<void> {
  await Bun.sleep(run.opts.quick ? 500 : 2000);
  const rss = { gateway: idleRss(server(run, "gateway").pid), bare: idleRss(server(run, "bare").pid) };
  run.details.idleRss = rss;
  const mb = (kib: number) => (kib * 1024) / 1e6;
  run.metrics.push({
    key: "idleRssMB",
    label: "RSS idle (process tree)",
    unit: "MB",
    gateway: mb(rss.gateway.treeKiB),
    bare: mb(rss.bare.treeKiB),
    goal: { text: "≤ 60 MB", pass: (g) => g <= 60 },
  });
}

export async function measureConns(run: Run): Promise<void> {
  const { opts, box } = run;
  const res = await alternate<ConnsResult>(opts, `${opts.idleConns} idle connections`, 1, (side) =>
    conns(server(run, side).url, box.token, opts.idleConns, server(run, side).pid, opts.settleSeconds),
  );
  run.details.conns = res;
  noteErrors(run, "conns", res);
  run.metrics.push({
    key: "perConnKiB",
    label: `RSS per idle conn (${opts.idleConns})`,
    unit: "KiB",
    gateway: median(res.gateway.map((r) => r.perConnKiB)),
    bare: median(res.bare.map((r) => r.perConnKiB)),
    goal: { text: "≤ 30 KiB", pass: (g) => g <= 30 },
  });
}

export async function measureHello(run: Run): Promise<void> {
  const { opts, box } = run;
  const res = await alternate<HelloResult>(opts, `hello ×${opts.helloN}`, opts.rounds, (side) =>
    hello(server(run, side).url, box.token, opts.helloN),
  );
  run.details.hello = res;
  noteErrors(run, "hello", res);
  const p = (side: Side, k: "p50" | "p99") => median(res[side].map((r) => r[k]));
  run.metrics.push({
    key: "helloP50Ms",
    label: "hello p50",
    unit: "ms",
    gateway: p("gateway", "p50"),
    bare: p("bare", "p50"),
    goal: { text: "≤ 2× bare", pass: (g, b) => g <= 2 * b },
  });
  run.metrics.push({ key: "helloP99Ms", label: "hello p99", unit: "ms", gateway: p("gateway", "p99"), bare: p("bare", "p99") });
}

const RPC_RUNS: { key: string; method: string; label: string; c: number; k: number; goal?: Goal }[] = [
  { key: "health1x1Rps", method: "health", label: "health 1×1", c: 1, k: 1 },
  {
    key: "health50x4Rps",
    method: "health",
    label: "health 50×4",
    c: 50,
    k: 4,
    goal: { text: "≥ 40% of bare", pass: (g, b) => g >= 0.4 * b },
  },
  { key: "presence1x1Rps", method: "system-presence", label: "system-presence 1×1", c: 1, k: 1 },
  {
    key: "presence50x4Rps",
    method: "system-presence",
    label: "system-presence 50×4",
    c: 50,
    k: 4,
    goal: { text: "≥ 60% of bare", pass: (g, b) => g >= 0.6 * b },
  },
];

export async function measureRpc(run: Run): Promise<void> {
  const { opts, box } = run;
  const rpcDetails: Record<string, Record<Side, RpcResult[]>> = {};
  for (const r of RPC_RUNS) {
    const res = await alternate<RpcResult>(opts, r.label, opts.rounds, (side) =>
      rpc(server(run, side).url, box.token, r.method, r.c, r.k, opts.seconds, opts.warmup, { pid: server(run, side).pid }),
    );
    rpcDetails[r.key] = res;
    noteErrors(run, r.label, res);
    const pick = (side: Side, k: "rps" | "p50" | "p99" | "serverCpuPct" | "clientCpuPct") => median(res[side].map((x) => x[k]));
    const note = (side: Side) => {
      const cpu = pick(side, "serverCpuPct");
      return `p50 ${fmt(pick(side, "p50"), "ms")}` + (Number.isFinite(cpu) ? `, cpu ${Math.round(cpu)}%` : "");
    };
    run.metrics.push({
      key: r.key,
      label: r.label,
      unit: "req/s",
      gateway: pick("gateway", "rps"),
      bare: pick("bare", "rps"),
      goal: r.goal,
      note: { gateway: note("gateway"), bare: note("bare") },
    });
  }
  run.details.rpc = rpcDetails;
}

/** Expects the long-running servers to be stopped, so they do not compete for the CPU. */
export async function measureStartup(run: Run): Promise<void> {
  const { opts, box } = run;
  const commands: { key: string; label: string; template: string; goal?: Goal }[] = [
    { key: "bare", label: "bare", template: BARE_CMD },
    {
      key: "startupSrcMs",
      label: opts.gatewayCmdGiven ? "start → hello-ok (gateway cmd)" : "start → hello-ok (bun src/main.ts)",
      template: opts.gatewayCmd,
      goal: { text: "≤ 10× bare", pass: (g, b) => g <= 10 * b },
    },
  ];
  if (opts.compiledCmd !== undefined)
    commands.push({
      key: "startupCompiledMs",
      label: "start → hello-ok (compiled)",
      template: opts.compiledCmd,
      goal: { text: "≤ 150 ms", pass: (g) => g <= 150 },
    });
  const results = new Map<string, StartupResult[]>(commands.map((c) => [c.key, []]));
  const logOf = (c: (typeof commands)[number]) => join(box.dir, `startup-${c.key}.log`);
  const once = async (c: (typeof commands)[number]) => {
    const { cmd, url } = instantiate(c.template, box.token);
    return startup(box.prefix + cmd, url, box.token, { cwd: ROOT, env: box.env, intervalMs: 5, logFile: logOf(c) });
  };
  // One unmeasured start each first: warms the page cache and Bun's transpiler cache in the temp HOME.
  if (!opts.quick) for (const c of commands) await once(c);
  for (let r = 0; r < opts.startupRounds; r++) {
    const order = r % 2 === 0 ? commands : [...commands].reverse();
    for (const c of order) {
      progress(opts, `startup: ${c.label}${opts.startupRounds > 1 ? ` (round ${r + 1}/${opts.startupRounds})` : ""}`);
      const res = await once(c);
      if (res.error) run.problems.push(`startup ${c.label}: ${res.error}\n${logTail(logOf(c), 8)}`);
      results.get(c.key)!.push(res);
    }
  }
  run.details.startup = Object.fromEntries(results);
  const ms = (key: string, k: "ms" | "stopMs") => median(results.get(key)!.map((r) => r[k]));
  for (const c of commands.slice(1)) {
    run.metrics.push({ key: c.key, label: c.label, unit: "ms", gateway: ms(c.key, "ms"), bare: ms("bare", "ms"), goal: c.goal });
  }
  run.metrics.push({ key: "stopMs", label: "SIGTERM → exit", unit: "ms", gateway: ms("startupSrcMs", "stopMs"), bare: ms("bare", "stopMs") });
}

const ADDED_GOAL_MS = 2;
const addedGoal: Goal = { text: `added < ${ADDED_GOAL_MS} ms`, pass: (g, b) => g - b < ADDED_GOAL_MS };

/**
 * The gateway's overhead on POST /v1/chat/completions: the gateway (configured with the upstream
 * stub as its model provider) against the same stub called directly, which is the "bare" side here.
 * Both run in a sandbox of their own, so the other groups' gateway never sees this config. Every
 * gateway request creates a session and stores two messages durably: that is part of the figure.
 * Percentiles are taken over the samples of all rounds of a side, which alternate between sides.
 */
export async function measureHttp(run: Run): Promise<void> {
  const { opts, box } = run;
  const dir = join(box.dir, "http");
  const httpBox: Sandbox = { ...box, dir, env: isolatedEnv(join(dir, "home")) };
  let upstream: Upstream | undefined;
  let gateway: Server | undefined;
  const res: Record<"json" | "stream", Record<Side, ChatRound[]>> = {
    json: { gateway: [], bare: [] },
    stream: { gateway: [], bare: [] },
  };
  try {
    progress(opts, "http: starting upstream stub and gateway");
    upstream = await launchUpstream(httpBox);
    writeHttpGatewayConfig(httpBox.env.HOME!, box.token, upstream.url);
    gateway = await launch("gateway", opts.httpGatewayCmd, httpBox);
    const targets: Record<Side, ChatTarget> = {
      gateway: { url: `${gateway.url.replace(/^ws:/, "http:")}/v1/chat/completions`, model: "openclaw", token: box.token },
      bare: { url: `${upstream.url}/chat/completions`, model: "echo" },
    };
    const pids: Record<Side, number[]> = { gateway: [gateway.pid, upstream.pid], bare: [upstream.pid] };
    for (const kind of ["json", "stream"] as const) {
      const rounds: Record<Side, number> = { gateway: 0, bare: 0 };
      const label = kind === "json" ? "http chat.completions" : "http chat.completions stream";
      res[kind] = await alternate<ChatRound>(opts, label, opts.rounds, (side) =>
        chatRound(targets[side], {
          stream: kind === "stream",
          seconds: opts.httpSeconds,
          // The first round of a side warms up its JIT and connection; later ones only the connection.
          warmupSeconds: rounds[side]++ === 0 ? opts.warmup / 2 : 0.1,
          pids: pids[side],
        }),
      );
      noteErrors(run, label, res[kind]);
    }
  } catch (err) {
    run.problems.push(`http: ${(err as Error).message}`);
  } finally {
    if (gateway) await stop(gateway.proc);
    if (upstream) await stop(upstream.proc);
  }

  const pooled = (kind: "json" | "stream", side: Side, k: "total" | "ttfb") => summarize(res[kind][side].flatMap((r) => r[k]));
  const cpuNote = (kind: "json" | "stream", side: Side) => {
    const us = median(res[kind][side].map((r) => r.serverCpuUsPerReq));
    return Number.isFinite(us) ? `cpu ${Math.round(us)} µs/req` : "";
  };
  const notes = (kind: "json" | "stream") => ({ gateway: cpuNote(kind, "gateway"), bare: cpuNote(kind, "bare") });
  const json = { gateway: pooled("json", "gateway", "total"), bare: pooled("json", "bare", "total") };
  const ttfb = { gateway: pooled("stream", "gateway", "ttfb"), bare: pooled("stream", "bare", "ttfb") };
  const total = { gateway: pooled("stream", "gateway", "total"), bare: pooled("stream", "bare", "total") };
  run.details.http = {
    gatewayCmd: gateway?.cmd ?? null,
    upstream: upstream?.url ?? null,
    pooled: { json, streamTtfb: ttfb, streamTotal: total },
    // The gateway always asks its provider for a stream, so its non-stream figure includes the stub's
    // pacing (a 2 ms sleep after each word), which the direct non-stream call never waits for. This is
    // the gateway's non-stream p50 against the direct stream's total p50, which does wait for it.
    jsonAddedOverDirectStreamP50Ms: json.gateway.p50 - total.bare.p50,
    rounds: {
      json: { gateway: res.json.gateway.map(summarizeRound), bare: res.json.bare.map(summarizeRound) },
      stream: { gateway: res.stream.gateway.map(summarizeRound), bare: res.stream.bare.map(summarizeRound) },
    },
  };
  type Pair = Record<Side, { p50: number; p99: number }>;
  const metric = (key: string, label: string, pair: Pair, p: "p50" | "p99", extra: Partial<Metric> = {}): Metric => ({
    key,
    label,
    unit: "ms",
    gateway: pair.gateway[p],
    bare: pair.bare[p],
    added: true,
    ...extra,
  });
  run.metrics.push(
    // The goal is judged like for like: the gateway's non-stream answer costs the upstream one streamed
    // completion, so its baseline is the direct streamed call's total, not the direct non-stream call.
    metric("httpChatVsUpstreamStreamP50Ms", "chat.completions p50 (non-stream) vs same upstream work", { gateway: json.gateway, bare: total.bare }, "p50", { goal: addedGoal, note: notes("json") }),
    metric("httpChatP50Ms", "chat.completions p50 (non-stream) vs direct non-stream", json, "p50"),
    metric("httpChatP99Ms", "chat.completions p99", json, "p99"),
    metric("httpStreamTtfbP50Ms", "stream TTFB p50", ttfb, "p50", { goal: addedGoal, note: notes("stream") }),
    metric("httpStreamTotalP50Ms", "stream total p50", total, "p50"),
  );
}

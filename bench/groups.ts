// bench/groups.ts: the measurement groups of `--only`, each turning raw measurements of both sides
// into report metrics. The machine is noisy and shared with the client, so sides are measured
// alternately in the same run and only compared with each other.

import { join } from "node:path";
import { conns, type ConnsResult } from "./measure/conns.ts";
import { hello, type HelloResult } from "./measure/hello.ts";
import { idleRss } from "./measure/proc.ts";
import { rpc, type RpcResult } from "./measure/rpc.ts";
import { startup, type StartupResult } from "./measure/startup.ts";
import { median, type ErrorCounts } from "./measure/stats.ts";
import { BARE_CMD, ROOT, type Options } from "./options.ts";
import { fmt, type Goal, type Metric } from "./report.ts";
import { SIDES, instantiate, logTail, type Sandbox, type Server, type Side } from "./servers.ts";

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
async function alternate<T>(opts: Options, what: string, rounds: number, measure: (side: Side) => Promise<T>): Promise<Record<Side, T[]>> {
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

function noteErrors(run: Run, what: string, res: Record<Side, { errors: ErrorCounts }[]>): void {
  for (const side of SIDES)
    for (const r of res[side])
      for (const [message, count] of Object.entries(r.errors)) run.problems.push(`${side} ${what}: ${count}× ${message}`);
}

function server(run: Run, side: Side): Server {
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

// bench/run.ts: `bun run bench`. Starts the gateway and the bare anchor server (bench/bare.ts) side by
// side, measures both alternately in one run, and prints gateway / bare ratios against our goals.
// The machine is noisy and shared with the client, so only figures from the same run are compared.
//
//   bun run bench [--quick] [--json] [--only hello,rpc,rss,conns,startup] [--seconds N] [--rounds N]
//                 [--conns N] [--gateway-cmd '...'] [--compiled-cmd '...'|none] [--check]
//
//   --quick         short windows and fewer connections (smoke test; figures are rough)
//   --json          print one JSON object (also written to .bench/last.json on every run)
//   --out FILE      write the JSON there instead of .bench/last.json
//   --only G,...    measurement groups: hello, rpc, rss, conns, startup (default: all)
//   --seconds N     measuring window of each rpc run (default 4; quick 1)
//   --rounds N      alternating rounds per metric, median taken (default 2; quick 1)
//   --conns N       idle connections for the memory-per-connection figure (default 1000; quick 200)
//   --gateway-cmd   command template for the gateway; {port} and {token} are filled in.
//                   Default: bun src/main.ts gateway run --port {port} --token {token} --allow-unconfigured
//   --compiled-cmd  template for the compiled binary's startup figure, or "none". Default: dist/openclaw
//                   with the same arguments when that file exists and --gateway-cmd was not given.
//   --check         exit 1 when a goal is missed (default: exit 0 once the figures are in)
//   --no-pin        do not pin CPUs. By default (Linux, taskset, 2+ CPUs) this process runs on the first
//                   allowed CPU and every server on the others: unpinned, a 1×1 ping-pong swings 2× with
//                   where the scheduler happens to put client and server.
//
// The gateway runs with a private temporary HOME, OPENCLAW_STATE_DIR and OPENCLAW_LOG_DIR (never ~/.openclaw
// or /tmp/openclaw) and no inherited OPENCLAW_* variables; the bare server gets the same environment.
// Only 127.0.0.1 is used.

import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import type { Subprocess } from "bun";
import {
  closeSession,
  conns,
  handshake,
  hello,
  idleRss,
  rpc,
  startup,
  type ConnsResult,
  type HelloResult,
  type RpcResult,
  type StartupResult,
} from "./client.ts";

const ROOT = resolve(import.meta.dir, "..");
const GROUPS = ["rss", "conns", "hello", "rpc", "startup"] as const;
type Group = (typeof GROUPS)[number];
const SIDES = ["gateway", "bare"] as const;
type Side = (typeof SIDES)[number];

// ------------------------------------------------------------------ options

interface Options {
  quick: boolean;
  json: boolean;
  check: boolean;
  only: Set<Group>;
  seconds: number;
  warmup: number;
  rounds: number;
  idleConns: number;
  helloN: number;
  settleSeconds: number;
  startupRounds: number;
  gatewayCmd: string;
  gatewayCmdGiven: boolean;
  compiledCmd: string | undefined;
  pin: boolean;
  out: string;
}

function usage(message: string): never {
  console.error(`bench: ${message}`);
  console.error("usage: bun run bench [--quick] [--json] [--only hello,rpc,rss,conns,startup] [--seconds N] [--rounds N]");
  console.error("                     [--conns N] [--gateway-cmd '...'] [--compiled-cmd '...'|none] [--check]");
  process.exit(2);
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

const BUN = shellQuote(process.execPath);
const GATEWAY_ARGS = "gateway run --port {port} --token {token} --allow-unconfigured";
const BARE_CMD = `${BUN} bench/bare.ts --port {port} --token {token}`;
const COMPILED_BIN = join(ROOT, "dist", process.platform === "win32" ? "openclaw.exe" : "openclaw");

function parseOptions(argv: readonly string[]): Options {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const takesValue = new Set(["only", "seconds", "rounds", "conns", "gateway-cmd", "compiled-cmd", "out"]);
  const known = new Set([...takesValue, "quick", "json", "check", "no-pin", "help"]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) usage(`unexpected argument ${arg}`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    if (!known.has(name)) usage(`unknown option --${name}`);
    if (takesValue.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) usage(`--${name} needs a value`);
      values.set(name, value);
    } else switches.add(name);
  }
  if (switches.has("help")) usage("options are listed in the header of bench/run.ts");
  const quick = switches.has("quick");
  const num = (name: string, fallback: number, min: number, max: number): number => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max) usage(`--${name} must be a number in [${min}, ${max}]`);
    return v;
  };
  let only = new Set<Group>(GROUPS);
  const onlyRaw = values.get("only");
  if (onlyRaw !== undefined) {
    only = new Set();
    for (const g of onlyRaw.split(",").map((x) => x.trim()).filter(Boolean)) {
      if (!(GROUPS as readonly string[]).includes(g)) usage(`--only: unknown group "${g}" (groups: ${GROUPS.join(", ")})`);
      only.add(g as Group);
    }
  }
  const gatewayCmdGiven = values.has("gateway-cmd");
  const gatewayCmd = values.get("gateway-cmd") ?? `${BUN} src/main.ts ${GATEWAY_ARGS}`;
  let compiledCmd: string | undefined = values.get("compiled-cmd");
  if (compiledCmd === "none") compiledCmd = undefined;
  else if (compiledCmd === undefined && !gatewayCmdGiven && existsSync(COMPILED_BIN))
    compiledCmd = `${shellQuote(COMPILED_BIN)} ${GATEWAY_ARGS}`;
  return {
    quick,
    json: switches.has("json"),
    check: switches.has("check"),
    only,
    seconds: num("seconds", quick ? 1 : 4, 0.1, 60),
    warmup: quick ? 0.25 : 1,
    rounds: Math.round(num("rounds", quick ? 1 : 2, 1, 10)),
    idleConns: Math.round(num("conns", quick ? 200 : 1000, 1, 10_000)),
    helloN: quick ? 40 : 250,
    settleSeconds: quick ? 1 : 3,
    startupRounds: quick ? 1 : 3,
    gatewayCmd,
    gatewayCmdGiven,
    compiledCmd,
    pin: !switches.has("no-pin"),
    out: resolve(values.get("out") ?? join(ROOT, ".bench", "last.json")),
  };
}

// ------------------------------------------------------------------ CPU pinning

interface Pinning {
  client: string;
  servers: string;
}

/** CPUs this process may run on, from /proc/self/status (empty where unknown). */
function allowedCpus(): number[] {
  try {
    const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (!m) return [];
    const cpus: number[] = [];
    for (const part of m[1]!.split(",")) {
      const [a, b] = part.split("-").map(Number);
      for (let c = a!; c <= (b ?? a!) && cpus.length < 4096; c++) cpus.push(c);
    }
    return cpus;
  } catch {
    return [];
  }
}

/** Moves every thread of this process to the first allowed CPU; servers get the rest. */
function pinCpus(): Pinning | undefined {
  if (process.platform !== "linux" || Bun.which("taskset") === null) return undefined;
  const cpus = allowedCpus();
  if (cpus.length < 2) return undefined;
  const client = String(cpus[0]);
  const res = Bun.spawnSync(["taskset", "-a", "-p", "-c", client, String(process.pid)], { stdout: "ignore", stderr: "ignore" });
  if (res.exitCode !== 0) return undefined;
  return { client, servers: cpus.slice(1).join(",") };
}

let pinning: Pinning | undefined;

/** argv prefix that runs a command on the servers' CPUs (taskset execs, so the pid stays the server's). */
function serverPrefix(): string {
  return pinning ? `taskset -c ${pinning.servers} ` : "";
}

// ------------------------------------------------------------------ processes

interface Server {
  side: Side;
  cmd: string;
  url: string;
  pid: number;
  proc: Subprocess;
  log: string;
}

const live = new Set<Subprocess>();

function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

function fill(template: string, port: number, token: string): string {
  return template.replaceAll("{port}", String(port)).replaceAll("{token}", token);
}

function logTail(path: string, lines = 15): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}

/** Environment for every process we start: a private HOME and state dir, no inherited OPENCLAW_* settings. */
function isolatedEnv(home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("OPENCLAW_")) env[k] = v;
  const state = join(home, ".openclaw");
  mkdirSync(state, { recursive: true });
  Object.assign(env, {
    HOME: home,
    USERPROFILE: home,
    OPENCLAW_HOME: home,
    OPENCLAW_STATE_DIR: state,
    OPENCLAW_LOG_DIR: join(home, "logs"),
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_CACHE_HOME: join(home, ".cache"),
    NO_COLOR: "1",
  });
  return env;
}

async function launch(side: Side, template: string, token: string, env: Record<string, string>, dir: string): Promise<Server> {
  const port = freePort();
  const cmd = fill(template, port, token);
  const url = `ws://127.0.0.1:${port}`;
  const log = join(dir, `${side}.log`);
  const fd = openSync(log, "a");
  let proc: Subprocess;
  try {
    proc = Bun.spawn(["sh", "-c", `exec ${serverPrefix()}${cmd}`], { cwd: ROOT, env, stdin: "ignore", stdout: fd, stderr: fd });
  } finally {
    closeSync(fd);
  }
  live.add(proc);
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  const deadline = performance.now() + 60_000;
  let lastError = "";
  while (!exited && performance.now() < deadline) {
    try {
      const s = await handshake(url, token, 5_000);
      await closeSession(s);
      return { side, cmd, url, pid: proc.pid, proc, log };
    } catch (err) {
      lastError = (err as Error).message;
      await Bun.sleep(20);
    }
  }
  await stop(proc);
  throw new Error(
    `${side} did not answer a handshake (${exited ? `exited with code ${proc.exitCode}` : "timed out"}; last: ${lastError})\n` +
      `  command: ${cmd}\n  output:\n${logTail(log).replace(/^/gm, "    ")}`,
  );
}

async function stop(proc: Subprocess): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill("SIGTERM");
    const done = await Promise.race([proc.exited.then(() => true), Bun.sleep(5_000).then(() => false)]);
    if (!done) {
      proc.kill("SIGKILL");
      await proc.exited;
    }
  }
  live.delete(proc);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const p of live) p.kill("SIGKILL");
    process.exit(130);
  });
}

// ------------------------------------------------------------------ metrics

type Unit = "ms" | "req/s" | "MB" | "KiB";

interface Goal {
  text: string;
  pass(gateway: number, bare: number): boolean;
}

interface Metric {
  key: string;
  label: string;
  unit: Unit;
  gateway: number;
  bare: number;
  goal?: Goal;
  /** Extra text for the gateway / bare cells (e.g. latency next to throughput). */
  note?: Partial<Record<Side, string>>;
}

interface MetricJson {
  label: string;
  unit: Unit;
  gateway: number | null;
  bare: number | null;
  ratio: number | null;
  goal: string | null;
  pass: boolean | null;
}

const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

function progress(opts: Options, message: string): void {
  if (!opts.json) console.error(`  ${message}`);
}

/** Runs `measure` for both sides, `rounds` times, alternating which side goes first. */
async function alternate<T>(
  opts: Options,
  what: string,
  rounds: number,
  measure: (side: Side) => Promise<T>,
): Promise<Record<Side, T[]>> {
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

function fmt(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return "n/a";
  switch (unit) {
    case "ms":
      return value < 10 ? `${value.toFixed(2)} ms` : `${value.toFixed(1)} ms`;
    case "req/s":
      return `${Math.round(value).toLocaleString("en-US")}/s`;
    case "MB":
      return `${value.toFixed(1)} MB`;
    case "KiB":
      return `${value.toFixed(2)} KiB`;
  }
}

function fmtRatio(m: Metric): string {
  const r = m.gateway / m.bare;
  if (!Number.isFinite(r)) return "n/a";
  return m.unit === "req/s" ? `${(r * 100).toFixed(1)}%` : `${r.toFixed(2)}×`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join("\n");
}

// ------------------------------------------------------------------ main

async function main(): Promise<number> {
  const opts = parseOptions(Bun.argv.slice(2));
  const cpus = navigator.hardwareConcurrency;
  if (opts.pin) pinning = pinCpus();
  const token = crypto.randomUUID().replaceAll("-", "");
  const dir = mkdtempSync(join(tmpdir(), "openclaw-bench-"));
  const home = join(dir, "home");
  const env = isolatedEnv(home);
  const started = performance.now();
  const metrics: Metric[] = [];
  const details: Record<string, unknown> = {};
  const problems: string[] = [];
  const servers: Partial<Record<Side, Server>> = {};

  const noteErrors = (what: string, errors: Record<string, number>) => {
    for (const [message, count] of Object.entries(errors)) problems.push(`${what}: ${count}× ${message}`);
  };

  try {
    const longRunning = opts.only.has("rss") || opts.only.has("conns") || opts.only.has("hello") || opts.only.has("rpc");
    if (longRunning) {
      progress(opts, "starting gateway and bare server");
      servers.gateway = await launch("gateway", opts.gatewayCmd, token, env, dir);
      servers.bare = await launch("bare", BARE_CMD, token, env, dir);
    }
    const server = (side: Side): Server => servers[side]!;

    if (opts.only.has("rss")) {
      await Bun.sleep(opts.quick ? 500 : 2000);
      const rss = { gateway: idleRss(server("gateway").pid), bare: idleRss(server("bare").pid) };
      details.idleRss = rss;
      const mb = (kib: number) => (kib * 1024) / 1e6;
      metrics.push({
        key: "idleRssMB",
        label: "RSS idle (process tree)",
        unit: "MB",
        gateway: mb(rss.gateway.treeKiB),
        bare: mb(rss.bare.treeKiB),
        goal: { text: "≤ 60 MB", pass: (g) => g <= 60 },
      });
    }

    if (opts.only.has("conns")) {
      const res = await alternate<ConnsResult>(opts, `${opts.idleConns} idle connections`, 1, (side) =>
        conns(server(side).url, token, opts.idleConns, server(side).pid, opts.settleSeconds),
      );
      details.conns = res;
      for (const side of SIDES) for (const r of res[side]) noteErrors(`${side} conns`, r.errors);
      metrics.push({
        key: "perConnKiB",
        label: `RSS per idle conn (${opts.idleConns})`,
        unit: "KiB",
        gateway: median(res.gateway.map((r) => r.perConnKiB)),
        bare: median(res.bare.map((r) => r.perConnKiB)),
        goal: { text: "≤ 30 KiB", pass: (g) => g <= 30 },
      });
    }

    if (opts.only.has("hello")) {
      const res = await alternate<HelloResult>(opts, `hello ×${opts.helloN}`, opts.rounds, (side) =>
        hello(server(side).url, token, opts.helloN),
      );
      details.hello = res;
      for (const side of SIDES) for (const r of res[side]) noteErrors(`${side} hello`, r.errors);
      const p = (side: Side, k: "p50" | "p99") => median(res[side].map((r) => r[k]));
      metrics.push({
        key: "helloP50Ms",
        label: "hello p50",
        unit: "ms",
        gateway: p("gateway", "p50"),
        bare: p("bare", "p50"),
        goal: { text: "≤ 2× bare", pass: (g, b) => g <= 2 * b },
      });
      metrics.push({ key: "helloP99Ms", label: "hello p99", unit: "ms", gateway: p("gateway", "p99"), bare: p("bare", "p99") });
    }

    if (opts.only.has("rpc")) {
      const runs: { key: string; method: string; label: string; c: number; k: number; goal?: Goal }[] = [
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
      const rpcDetails: Record<string, Record<Side, RpcResult[]>> = {};
      for (const run of runs) {
        const res = await alternate<RpcResult>(opts, run.label, opts.rounds, (side) =>
          rpc(server(side).url, token, run.method, run.c, run.k, opts.seconds, opts.warmup, { pid: server(side).pid }),
        );
        rpcDetails[run.key] = res;
        for (const side of SIDES) for (const r of res[side]) noteErrors(`${side} ${run.label}`, r.errors);
        const pick = (side: Side, k: "rps" | "p50" | "p99" | "serverCpuPct" | "clientCpuPct") =>
          median(res[side].map((r) => r[k]));
        const note = (side: Side) => {
          const cpu = pick(side, "serverCpuPct");
          return `p50 ${fmt(pick(side, "p50"), "ms")}` + (Number.isFinite(cpu) ? `, cpu ${Math.round(cpu)}%` : "");
        };
        metrics.push({
          key: run.key,
          label: run.label,
          unit: "req/s",
          gateway: pick("gateway", "rps"),
          bare: pick("bare", "rps"),
          goal: run.goal,
          note: { gateway: note("gateway"), bare: note("bare") },
        });
      }
      details.rpc = rpcDetails;
    }

    // Startup runs with the long-running servers stopped, so they do not compete for the CPU.
    for (const side of SIDES) if (servers[side]) await stop(servers[side].proc);

    if (opts.only.has("startup")) {
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
      const once = async (c: (typeof commands)[number]) => {
        const port = freePort();
        return startup(serverPrefix() + fill(c.template, port, token), `ws://127.0.0.1:${port}`, token, {
          cwd: ROOT,
          env,
          intervalMs: 5,
          logFile: join(dir, `startup-${c.key}.log`),
        });
      };
      // One unmeasured start each first: warms the page cache and Bun's transpiler cache in the temp HOME.
      if (!opts.quick) for (const c of commands) await once(c);
      for (let r = 0; r < opts.startupRounds; r++) {
        const order = r % 2 === 0 ? commands : [...commands].reverse();
        for (const c of order) {
          progress(opts, `startup: ${c.label}${opts.startupRounds > 1 ? ` (round ${r + 1}/${opts.startupRounds})` : ""}`);
          const res = await once(c);
          if (res.error) problems.push(`startup ${c.label}: ${res.error}\n${logTail(join(dir, `startup-${c.key}.log`), 8)}`);
          results.get(c.key)!.push(res);
        }
      }
      details.startup = Object.fromEntries(results);
      const bareMs = median(results.get("bare")!.map((r) => r.ms));
      for (const c of commands.slice(1)) {
        metrics.push({
          key: c.key,
          label: c.label,
          unit: "ms",
          gateway: median(results.get(c.key)!.map((r) => r.ms)),
          bare: bareMs,
          goal: c.goal,
        });
      }
      metrics.push({
        key: "stopMs",
        label: "SIGTERM → exit",
        unit: "ms",
        gateway: median(results.get("startupSrcMs")!.map((r) => r.stopMs)),
        bare: median(results.get("bare")!.map((r) => r.stopMs)),
      });
    }
  } finally {
    for (const side of SIDES) if (servers[side]) await stop(servers[side].proc);
    rmSync(dir, { recursive: true, force: true });
  }

  // ---------------------------------------------------------------- report
  const wallSeconds = (performance.now() - started) / 1000;
  const json = {
    when: new Date().toISOString(),
    quick: opts.quick,
    wallSeconds,
    machine: { platform: process.platform, arch: process.arch, cpus, bun: Bun.version },
    pinning: pinning ?? null,
    settings: {
      seconds: opts.seconds,
      warmup: opts.warmup,
      rounds: opts.rounds,
      idleConns: opts.idleConns,
      helloN: opts.helloN,
      startupRounds: opts.startupRounds,
      only: [...opts.only],
    },
    commands: { gateway: opts.gatewayCmd, bare: BARE_CMD, compiled: opts.compiledCmd ?? null },
    metrics: Object.fromEntries(
      metrics.map((m): [string, MetricJson] => {
        const ratio = m.gateway / m.bare;
        const ok = Number.isFinite(m.gateway) && Number.isFinite(m.bare);
        return [
          m.key,
          {
            label: m.label,
            unit: m.unit,
            gateway: finiteOrNull(m.gateway),
            bare: finiteOrNull(m.bare),
            ratio: finiteOrNull(ratio),
            goal: m.goal?.text ?? null,
            pass: m.goal ? ok && m.goal.pass(m.gateway, m.bare) : null,
          },
        ];
      }),
    ),
    problems,
    details,
  };
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(json, null, 2)}\n`);

  const failed = Object.values(json.metrics).filter((m) => m.pass === false);
  if (opts.json) {
    console.log(JSON.stringify(json));
  } else {
    const rows = [["metric", "gateway", "bare", "ratio", "goal", "pass/fail"]];
    for (const m of metrics) {
      const cell = (side: Side) => fmt(m[side], m.unit) + (m.note?.[side] ? ` (${m.note[side]})` : "");
      const verdict = json.metrics[m.key]!.pass;
      rows.push([m.label, cell("gateway"), cell("bare"), fmtRatio(m), m.goal?.text ?? "", verdict === null ? "" : verdict ? "PASS" : "FAIL"]);
    }
    console.log("");
    console.log(table(rows));
    console.log("");
    console.log(
      `${cpus} CPUs (${pinning ? `client on CPU ${pinning.client}, servers on ${pinning.servers}` : "not pinned"}), bun ${Bun.version}, ` +
        `${opts.quick ? "quick, " : ""}rpc ${opts.seconds}s × ${opts.rounds} round(s), ` +
        `wall ${wallSeconds.toFixed(0)}s; ratio = gateway / bare (same run). Written to ${relative(process.cwd(), opts.out)}`,
    );
    if (opts.only.has("startup") && opts.compiledCmd === undefined)
      console.log(`compiled startup not measured (${opts.gatewayCmdGiven ? "--gateway-cmd given" : "no dist/openclaw; run `bun run build --single`"}).`);
    if (problems.length > 0) {
      console.log("problems:");
      for (const p of problems.slice(0, 30)) console.log(`  ${p}`);
    }
  }
  const missing = metrics.filter((m) => !Number.isFinite(m.gateway) || !Number.isFinite(m.bare));
  if (missing.length > 0) return 1;
  return opts.check && failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    for (const p of live) p.kill("SIGKILL");
    console.error(`bench: ${(err as Error).message}`);
    process.exit(1);
  },
);

// bench/report.ts: the figures of a run as a table for people and as JSON for tools (and for the
// next run to compare against). Ratios are always gateway / bare from the same run.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { BARE_CMD, type Options } from "./options.ts";
import type { Pinning } from "./pin.ts";
import type { Side } from "./servers.ts";

export type Unit = "ms" | "req/s" | "MB" | "KiB";

export interface Goal {
  text: string;
  pass(gateway: number, bare: number): boolean;
}

export interface Metric {
  key: string;
  label: string;
  unit: Unit;
  gateway: number;
  bare: number;
  goal?: Goal;
  /** Extra text for the gateway / bare cells (e.g. latency next to throughput). */
  note?: Partial<Record<Side, string>>;
  /** A cost in ms where the gateway's addition (gateway − bare) matters, not only the ratio. */
  added?: boolean;
}

interface MetricJson {
  label: string;
  unit: Unit;
  gateway: number | null;
  bare: number | null;
  ratio: number | null;
  /** gateway − bare, ms, for metrics marked `added` (null otherwise). */
  addedMs: number | null;
  goal: string | null;
  pass: boolean | null;
}

/** Everything a run found, for buildReport. */
export interface Findings {
  opts: Options;
  cpus: number;
  pinning: Pinning | undefined;
  wallSeconds: number;
  metrics: Metric[];
  problems: string[];
  details: Record<string, unknown>;
}

export type Report = ReturnType<typeof buildReport>;

/** JSON has no NaN or Infinity: a figure that could not be taken is null. */
const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function fmt(value: number, unit: Unit): string {
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

/** Throughput reads better as a share of bare; costs as a multiple of it. */
function fmtRatio(m: Metric): string {
  const r = m.gateway / m.bare;
  if (!Number.isFinite(r)) return "n/a";
  if (m.added) {
    const d = m.gateway - m.bare;
    return `${r.toFixed(2)}× (${d < 0 ? "−" : "+"}${fmt(Math.abs(d), m.unit)})`;
  }
  return m.unit === "req/s" ? `${(r * 100).toFixed(1)}%` : `${r.toFixed(2)}×`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)].join("\n");
}

export function buildReport(f: Findings) {
  const { opts } = f;
  return {
    when: new Date().toISOString(),
    quick: opts.quick,
    wallSeconds: f.wallSeconds,
    machine: { platform: process.platform, arch: process.arch, cpus: f.cpus, bun: Bun.version },
    pinning: f.pinning ?? null,
    settings: {
      seconds: opts.seconds,
      warmup: opts.warmup,
      rounds: opts.rounds,
      idleConns: opts.idleConns,
      helloN: opts.helloN,
      startupRounds: opts.startupRounds,
      httpSeconds: opts.httpSeconds,
      only: [...opts.only],
    },
    commands: { gateway: opts.gatewayCmd, bare: BARE_CMD, compiled: opts.compiledCmd ?? null, httpGateway: opts.httpGatewayCmd },
    metrics: Object.fromEntries(
      f.metrics.map((m): [string, MetricJson] => {
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
            addedMs: m.added ? finiteOrNull(m.gateway - m.bare) : null,
            goal: m.goal?.text ?? null,
            pass: m.goal ? ok && m.goal.pass(m.gateway, m.bare) : null,
          },
        ];
      }),
    ),
    problems: f.problems,
    details: f.details,
  };
}

export function writeReport(report: Report, out: string): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
}

export function printTable(f: Findings, report: Report): void {
  const { opts, pinning } = f;
  const rows = [["metric", "gateway", "bare", "ratio", "goal", "pass/fail"]];
  for (const m of f.metrics) {
    const cell = (side: Side) => fmt(m[side], m.unit) + (m.note?.[side] ? ` (${m.note[side]})` : "");
    const verdict = report.metrics[m.key]!.pass;
    rows.push([m.label, cell("gateway"), cell("bare"), fmtRatio(m), m.goal?.text ?? "", verdict === null ? "" : verdict ? "PASS" : "FAIL"]);
  }
  console.log("");
  console.log(table(rows));
  console.log("");
  console.log(
    `${f.cpus} CPUs (${pinning ? `client on CPU ${pinning.client}, servers on ${pinning.servers}` : "not pinned"}), bun ${Bun.version}, ` +
      `${opts.quick ? "quick, " : ""}rpc ${opts.seconds}s × ${opts.rounds} round(s), ` +
      `wall ${f.wallSeconds.toFixed(0)}s; ratio = gateway / bare (same run). Written to ${relative(process.cwd(), opts.out)}`,
  );
  if (opts.only.has("http")) {
    console.log(
      `http: bare = the upstream stub called directly; ${opts.httpSeconds}s × ${opts.rounds} round(s) per side and kind, 1 request in flight, ` +
        "percentiles over all rounds. Each gateway request creates a session and stores two messages (SQLite, synchronous=FULL).",
    );
    const overStream = (f.details.http as { jsonAddedOverDirectStreamP50Ms?: number } | undefined)?.jsonAddedOverDirectStreamP50Ms;
    if (overStream !== undefined && Number.isFinite(overStream))
      console.log(
        "      The gateway always streams from the upstream, so its non-stream figure includes the stub's 2 ms/word pacing; " +
          `against the direct stream total p50 it adds ${fmt(overStream, "ms")}.`,
      );
  }
  if (opts.only.has("startup") && opts.compiledCmd === undefined)
    console.log(`compiled startup not measured (${opts.gatewayCmdGiven ? "--gateway-cmd given" : "no dist/openclaw; run `bun run build --single`"}).`);
  if (f.problems.length > 0) {
    console.log("problems:");
    for (const p of f.problems.slice(0, 30)) console.log(`  ${p}`);
  }
}

// bench/report.ts: the figures of a run as a table for people and as JSON for tools (and for the
// next run to compare against). Ratios are always gateway / bare from the same run.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { BARE_CMD, type Options } from "./options.ts";
import type { Pinning } from "./pin.ts";
import type { Side } from "./servers.ts";

export type Unit = "ms" | "req/s" | "MB" | "KiB" | "count";

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
  /** Judged against an absolute goal only: the bare server is not measured (`bare` is NaN, shown as "—"). */
  noBare?: boolean;
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
    case "count":
      return Math.round(value).toLocaleString("en-US");
  }
}

/** Throughput reads better as a share of bare; costs as a multiple of it. */
function fmtRatio(m: Metric): string {
  if (m.noBare) return "—";
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
      burstConns: opts.burstConns,
      floodSockets: opts.floodSockets,
      floodHoldSeconds: opts.floodHoldSeconds,
      soakSeconds: opts.soakSeconds,
      soakConns: opts.soakConns,
      soakRps: opts.soakRps,
      soakSampleSeconds: opts.soakSampleSeconds,
      soakAgentEverySeconds: opts.soakAgentEverySeconds,
      nodesSeconds: opts.nodesSeconds,
      nodesHeld: opts.nodesHeld,
      nodeConnects: opts.nodeConnects,
      channelMessages: opts.channelMessages,
      channelChats: opts.channelChats,
      toolTurns: opts.toolTurns,
      toolWarmup: opts.toolWarmup,
      only: [...opts.only],
    },
    commands: { gateway: opts.gatewayCmd, bare: BARE_CMD, compiled: opts.compiledCmd ?? null, httpGateway: opts.httpGatewayCmd },
    metrics: Object.fromEntries(
      f.metrics.map((m): [string, MetricJson] => {
        const ratio = m.gateway / m.bare;
        const ok = Number.isFinite(m.gateway) && (m.noBare === true || Number.isFinite(m.bare));
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
    const cell = (side: Side) =>
      side === "bare" && m.noBare ? "—" : fmt(m[side], m.unit) + (m.note?.[side] ? ` (${m.note[side]})` : "");
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
  if (opts.only.has("nodes"))
    console.log(
      `nodes: a gateway of its own, bench nodes signing their connects (bench/node-client.ts); "bare" = the same gateway's baseline: ` +
        `health for node.invoke, an operator's token connect for the signed connect (gateway CPU from /proc schedstat, ${opts.nodeConnects} connects per round ` +
        `by a pool of already-paired devices). RSS per node: a quarter of ${opts.nodesHeld} new keys, then all, held at once on the fresh gateway, no operator connected.`,
    );
  if (opts.only.has("channels"))
    console.log(
      `channels: a gateway of its own long-polling the test suite's Telegram Bot API double (in the bench process), dmPolicy open, a session per chat, ` +
        `the echo stub as its model. ${opts.channelMessages} messages one at a time in one chat: push → the double receiving the reply; ` +
        `"bare" = the same text streamed straight from the stub (the model's own time), so the added figure is the gateway's share. ` +
        `Then ${opts.channelChats} chats at once, one message each, and at once a second round.`,
    );
  if (opts.only.has("tools"))
    console.log(
      `tools: a gateway of its own, the echo stub as its model, told [fast] (no pacing: its answers cost no time). ${opts.toolTurns} turns of each kind, ` +
        `each with a fresh session key: \`agent\` sent → final res, beside the same requests (read back from the stub) sent straight to it one by one; ` +
        `the share = turn − those calls. A tools turn is 3 rounds of agents_list then a one-word reply (4 model calls); a plain turn is the reply at once.`,
    );
  if (opts.only.has("ui")) printUiNotes(f.details.ui as any);
  if (opts.only.has("flood")) printFloodNotes(f.details.flood as any);
  if (opts.only.has("soak")) printSoakNotes(f.details.soak as any);
  if (opts.only.has("startup") && opts.compiledCmd === undefined)
    console.log(`compiled startup not measured (${opts.gatewayCmdGiven ? "--gateway-cmd given" : "no dist/openclaw; run `bun run build --single`"}).`);
  if (f.problems.length > 0) {
    console.log("problems:");
    for (const p of f.problems.slice(0, 30)) console.log(`  ${p}`);
  }
}

function printUiNotes(ui: any): void {
  if (!ui) return;
  if (ui.skipped) {
    console.log(`ui: skipped: ${ui.skipped}.`);
    return;
  }
  const phases = (p: Record<string, number>) => `challenge ${p.challenge} ms, connect sent ${p["connect-sent"]} ms, hello ${p.hello} ms, chat ready ${p["chat-ready"]} ms`;
  console.log(
    `ui: headless ${ui.chromium} against a gateway of its own; load = navigation start → the chat view's openclaw:chat-ready mark. ` +
      `${ui.loads.fresh} fresh profiles (a new device paired silently each time): ${phases(ui.freshP50Ms)} (p50s); ` +
      `${ui.loads.returning} reloads of a signed-in tab: ${phases(ui.returningP50Ms)}. First load: ${ui.firstLoad.httpRequests} HTTP responses, ` +
      `${ui.firstLoad.httpBytes} bytes (compressed, headers included) + ${ui.firstLoad.wsBytes} bytes of WebSocket frames.`,
  );
}

/** What the flood rows do not say: where the sockets went, the gateway's own counts, the no-flood reference. */
function printFloodNotes(flood: any): void {
  if (!flood) return;
  const side = (name: string) => {
    const r = flood[name];
    if (!r) return `${name}: not measured`;
    const closed = r.held.admittedClosed > 0 ? `, ${r.held.admittedClosed} closed by the server during the hold` : "";
    return (
      `${name}: ${r.opened.admitted} admitted (at most ${Math.max(r.opened.peakOpenAdmitted, r.held.peakOpenAdmitted)} at once), ${r.opened.refused} refused, ${r.opened.other + r.opened.failed} other/failed in ${fmt(r.opened.ms, "ms")}${closed}; ` +
      `RSS ${fmt((r.rss.beforeKiB * 1024) / 1e6, "MB")} → peak ${fmt((r.rss.peakKiB * 1024) / 1e6, "MB")} → ${fmt((r.rss.afterKiB * 1024) / 1e6, "MB")} after; ` +
      `good hello p99 ${fmt(r.good.before.p99, "ms")} before the flood, ${fmt(r.good.during.p99, "ms")} during (${r.good.during.ok} hellos, ${r.good.during.fail} failed)`
    );
  };
  console.log(
    `flood: ${flood.sockets} sockets from ${flood.from} (at most ${flood.window} awaiting an answer), never sending connect; budget ${flood.budget} per address;` +
      ` the good client pauses ${flood.goodPauseMs} ms between hellos.`,
  );
  console.log(`       ${side("gateway")}`);
  const gauge = flood.gateway?.gauge;
  if (gauge)
    console.log(
      `       /metrics: pending ${gauge.pendingDuringHold} during the hold, upgrades refused ${gauge.refusedTotal}, ` +
        `pending ${gauge.pendingAfterCleanup} ${Math.round(gauge.cleanupMs)} ms after the flood let go`,
    );
  console.log(`       ${side("bare")}`);
}

function printSoakNotes(soak: any): void {
  if (!soak) return;
  const mb = (kib: number) => ((kib * 1024) / 1e6).toFixed(1);
  const methods = Object.entries<any>(soak.methods)
    .map(([m, s]) => `${m} ${s.ok}${s.err ? ` (+${s.err} err)` : ""} p99 ${fmt(s.p99, "ms")}`)
    .join(", ");
  console.log(
    `soak: ${soak.conns.opened} connections (${soak.conns.failed} failed to open, ${soak.conns.dropped} dropped) for ${soak.seconds.toFixed(0)} s; ` +
      `${soak.sent} requests sent, ${soak.skipped} skipped, ${soak.unanswered} unanswered; agent turns ${soak.agent.ok}/${soak.agent.started} ` +
      `(p50 ${fmt(soak.agent.p50, "ms")}, p99 ${fmt(soak.agent.p99, "ms")}).`,
  );
  console.log(`      load connections: ${methods}`);
  const p = soak.probe;
  if (p)
    console.log(
      `      health probe (own process, no agent/chat events): ${p.n} answered, p50 ${fmt(p.p50, "ms")}, p99 ${fmt(p.p99, "ms")}, ` +
        `max ${fmt(p.max, "ms")}, ${p.over10ms} over 10 ms, ${p.err} errors, ${p.unanswered} unanswered`,
    );
  const le = Object.entries<number>(soak.serverP99LeMs ?? {}).filter(([, v]) => Number.isFinite(v));
  if (le.length > 0) console.log(`      gateway-side p99 (request histogram bucket): ${le.map(([m, v]) => `${m} ≤ ${fmt(v, "ms")}`).join(", ")}`);
  if (Number.isFinite(soak.eventsSent))
    console.log(
      `      gateway: ${soak.serverCpuSeconds.toFixed(1)} s CPU over the run; ${soak.eventsSent} event frames written` +
        (soak.agent.started > 0 ? ` (${Math.round(soak.eventsSent / soak.agent.started)} per agent turn started)` : ""),
    );
  console.log(`      RSS MB every sample: ${soak.samples.map((s: any) => mb(s.rssKiB)).join(" ")}`);
  const num = (x: number, digits = 0) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
  console.log(`      gateway CPU % per sample: ${soak.samples.slice(1).map((s: any) => num(s.cpuPct)).join(" ")}`);
  console.log(`      event-loop lag p99/max ms per sample: ${soak.samples.slice(1).map((s: any) => `${num(s.lagP99Ms, 1)}/${num(s.lagMaxMs, 1)}`).join(" ")}`);
  const d = soak.drift;
  const heap = Number.isFinite(d.heapMB) ? `, JS heap ${d.heapMB >= 0 ? "+" : ""}${d.heapMB.toFixed(1)} MB` : "";
  console.log(
    `      drift ${d.rssMB >= 0 ? "+" : ""}${d.rssMB.toFixed(1)} MB from ${d.fromT.toFixed(0)} s to ${d.toT.toFixed(0)} s${heap}; ` +
      `slope ${d.slopeMBPer10Min.toFixed(1)} MB per 10 min.` +
      (d.short
        ? " The run is under 2 minutes: the drift window is short (half the run), not the first minute onwards."
        : d.toT - d.fromT < 540
          ? ` The goal is stated over 10 minutes; this window is ${Math.round(d.toT - d.fromT)} s.`
          : ""),
  );
}

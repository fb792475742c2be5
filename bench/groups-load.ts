// bench/groups-load.ts: the groups about many connections at once — burst (simultaneous legitimate
// handshakes), flood (sockets that never authenticate) and soak (a long mixed load, only on request).
// Same conventions as groups.ts: figures of both sides come from the same run; where the issue
// states an absolute goal the row carries it, and the soak has no bare side at all.

import { join } from "node:path";
import { burst, type BurstResult } from "./measure/burst.ts";
import { flood, type FloodResult } from "./measure/flood.ts";
import { soak, type SoakResult } from "./measure/soak.ts";
import { median } from "./measure/stats.ts";
import { alternate, noteErrors, progress, server, type Run } from "./groups.ts";
import { BARE_CMD } from "./options.ts";
import { fmt } from "./report.ts";
import { SIDES, isolatedEnv, launch, launchUpstream, logTail, stop, writeHttpGatewayConfig, type Sandbox, type Server, type Side, type Upstream } from "./servers.ts";

/** The gateway's default gateway.handshake.maxPendingPerAddress: what one address may hold unauthenticated. */
export const FLOOD_BUDGET = 2048;
/** The flood comes from a loopback address of its own; the budget applies to loopback too. */
export const FLOOD_ADDRESS = "127.0.0.2";
/** Upgrades of the flood awaiting an answer at once (see bench/flood-client.ts). */
const FLOOD_WINDOW = 256;
/** The good client's pause between hellos, ms. */
const FLOOD_GOOD_PAUSE_MS = 5;
const FLOOD_RSS_GOAL_MB = 30;
const FLOOD_HELLO_P99_GOAL_MS = 50;
const SOAK_DRIFT_GOAL_MB = 5;
const SOAK_HEALTH_P99_GOAL_MS = 10;
const SOAK_AGENT_SESSIONS = 20;
/** bench/health-probe.ts sends `health` this often during the soak, ms. */
const SOAK_PROBE_EVERY_MS = 20;

/** n handshakes started at once on the shared servers, `rounds` times per side, alternating. */
export async function measureBurst(run: Run): Promise<void> {
  const { opts, box } = run;
  const n = opts.burstConns;
  const res = await alternate<BurstResult>(opts, `burst of ${n} handshakes`, opts.rounds, async (side) => {
    const r = await burst(server(run, side).url, box.token, n, server(run, side).pid);
    await Bun.sleep(opts.quick ? 250 : 1000); // let the server finish the closes before anything else is measured
    return r;
  });
  run.details.burst = res;
  noteErrors(run, "burst", res);
  const worst = (side: Side) => Math.min(...res[side].map((r) => r.ok));
  const p = (side: Side, k: "p50" | "p99") => median(res[side].map((r) => r[k]));
  const wall = (side: Side) =>
    `all in ${fmt(median(res[side].map((r) => r.wallMs)), "ms")}, server cpu ${fmt(median(res[side].map((r) => r.serverCpuMs)), "ms")}`;
  run.metrics.push(
    {
      key: "burstOk",
      label: `burst ${n}: hello-ok (worst round)`,
      unit: "count",
      gateway: worst("gateway"),
      bare: worst("bare"),
      goal: { text: `all ${n}`, pass: (g) => g >= n },
    },
    { key: "burstP50Ms", label: `burst ${n}: hello p50`, unit: "ms", gateway: p("gateway", "p50"), bare: p("bare", "p50") },
    {
      key: "burstP99Ms",
      label: `burst ${n}: hello p99`,
      unit: "ms",
      gateway: p("gateway", "p99"),
      bare: p("bare", "p99"),
      note: { gateway: wall("gateway"), bare: wall("bare") },
    },
  );
}

/**
 * A server of each kind started for the flood alone (its RSS before and after is the flood's), the
 * gateway with its default budget, the bare server with none. One round per side: each holds
 * thousands of sockets, which is what is measured, not a noise to average away.
 */
export async function measureFlood(run: Run): Promise<void> {
  const { opts, box } = run;
  const dir = join(box.dir, "flood");
  const floodBox: Sandbox = { ...box, dir, env: isolatedEnv(join(dir, "home")) };
  const res: Partial<Record<Side, FloodResult>> = {};
  for (const side of SIDES) {
    let srv: Server | undefined;
    try {
      progress(opts, `flood: ${side}: ${opts.floodSockets} sockets from ${FLOOD_ADDRESS} that never send connect, hellos from 127.0.0.1`);
      srv = await launch(side, side === "gateway" ? opts.gatewayCmd : BARE_CMD, floodBox);
      res[side] = await flood({
        url: srv.url,
        token: box.token,
        pid: srv.pid,
        sockets: opts.floodSockets,
        localAddress: FLOOD_ADDRESS,
        window: FLOOD_WINDOW,
        holdSeconds: opts.floodHoldSeconds,
        goodPauseMs: FLOOD_GOOD_PAUSE_MS,
        baselineHellos: opts.quick ? 20 : 100,
        scrape: side === "gateway",
      });
    } catch (err) {
      run.problems.push(`flood ${side}: ${(err as Error).message}`);
    } finally {
      if (srv) await stop(srv.proc);
    }
  }
  run.details.flood = {
    sockets: opts.floodSockets,
    from: FLOOD_ADDRESS,
    budget: FLOOD_BUDGET,
    window: FLOOD_WINDOW,
    goodPauseMs: FLOOD_GOOD_PAUSE_MS,
    ...res,
  };
  const g = res.gateway;
  const b = res.bare;
  for (const side of SIDES) {
    const r = res[side];
    if (!r) continue;
    for (const [message, count] of Object.entries({ ...r.good.during.errors, ...r.opened.errors }))
      run.problems.push(`${side} flood: ${count}× ${message}`);
    if (r.error) run.problems.push(`${side} flood: ${r.error}`);
    if (r.opened.errors.EADDRINUSE)
      run.problems.push(`${side} flood: EADDRINUSE is the client running out of local ports on ${FLOOD_ADDRESS} (an earlier run's TIME_WAIT); wait a minute`);
  }
  if (g?.gauge) {
    const expected = g.held.admitted - g.held.admittedClosed;
    if (g.gauge.pendingDuringHold !== expected)
      run.problems.push(`flood: /metrics pending gauge ${g.gauge.pendingDuringHold} ≠ ${expected} flood sockets held open`);
    if (g.gauge.refusedTotal !== g.opened.refused)
      run.problems.push(`flood: /metrics upgrades refused ${g.gauge.refusedTotal} ≠ ${g.opened.refused} refusals the flood saw`);
    if (g.gauge.pendingAfterCleanup !== 0)
      run.problems.push(`flood: pending gauge still ${g.gauge.pendingAfterCleanup} ${Math.round(g.gauge.cleanupMs)} ms after the flood let go`);
  }
  const num = (r: FloodResult | undefined, f: (r: FloodResult) => number) => (r ? f(r) : Number.NaN);
  const admitted = num(g, (r) => r.opened.admitted);
  const peak = (r: FloodResult) => Math.max(r.opened.peakOpenAdmitted, r.held.peakOpenAdmitted);
  const gaugeNote = g?.gauge ? `gauge ${g.gauge.pendingDuringHold}` : "no gauge";
  run.metrics.push(
    {
      key: "floodAdmitted",
      label: `flood ${opts.floodSockets}: admitted, held at once`,
      unit: "count",
      gateway: num(g, peak),
      bare: num(b, peak),
      goal: { text: `≤ ${FLOOD_BUDGET} (budget)`, pass: (x) => x <= FLOOD_BUDGET },
      note: { gateway: gaugeNote },
    },
    {
      key: "floodRefused",
      label: `flood ${opts.floodSockets}: refused 503`,
      unit: "count",
      gateway: num(g, (r) => r.opened.refused),
      bare: num(b, (r) => r.opened.refused),
      goal: { text: "every other socket", pass: (x) => x + admitted === opts.floodSockets },
    },
    {
      key: "floodRssGrowthMB",
      label: "flood: RSS growth (peak)",
      unit: "MB",
      gateway: num(g, (r) => r.rss.growthMB),
      bare: num(b, (r) => r.rss.growthMB),
      goal: { text: `< ${FLOOD_RSS_GOAL_MB} MB`, pass: (x) => x < FLOOD_RSS_GOAL_MB },
    },
    {
      key: "floodGoodHelloP99Ms",
      label: "flood: good client hello p99",
      unit: "ms",
      gateway: num(g, (r) => r.good.during.p99),
      bare: num(b, (r) => r.good.during.p99),
      goal: { text: `< ${FLOOD_HELLO_P99_GOAL_MS} ms`, pass: (x) => x < FLOOD_HELLO_P99_GOAL_MS },
      note: {
        gateway: g ? `p50 ${fmt(g.good.during.p50, "ms")}, n ${g.good.during.ok}` : "",
        bare: b ? `p50 ${fmt(b.good.during.p50, "ms")}, n ${b.good.during.ok}` : "",
      },
    },
  );
}

/**
 * The soak: the http group's setup (upstream stub, gateway whose default agent's model is the stub)
 * in a sandbox of its own, opts.soakConns connections with a mixed read load and agent turns over the
 * WebSocket. No bare side: its goals are absolute.
 */
export async function measureSoak(run: Run): Promise<void> {
  const { opts, box } = run;
  const dir = join(box.dir, "soak");
  const soakBox: Sandbox = { ...box, dir, env: isolatedEnv(join(dir, "home")) };
  let upstream: Upstream | undefined;
  let gateway: Server | undefined;
  let res: SoakResult | undefined;
  try {
    progress(opts, "soak: starting upstream stub and gateway");
    upstream = await launchUpstream(soakBox);
    writeHttpGatewayConfig(soakBox.env.HOME!, box.token, upstream.url);
    gateway = await launch("gateway", opts.httpGatewayCmd, soakBox);
    progress(opts, `soak: ${opts.soakConns} connections, ${opts.soakRps} req/s, ${opts.soakAgentEverySeconds > 0 ? `an agent turn every ${opts.soakAgentEverySeconds} s` : "no agent turns"}, for ${opts.soakSeconds} s`);
    res = await soak({
      url: gateway.url,
      token: box.token,
      pid: gateway.pid,
      conns: opts.soakConns,
      seconds: opts.soakSeconds,
      rps: opts.soakRps,
      agentEverySeconds: opts.soakAgentEverySeconds,
      agentSessions: SOAK_AGENT_SESSIONS,
      sampleEverySeconds: opts.soakSampleSeconds,
      scrape: true,
      probeEveryMs: SOAK_PROBE_EVERY_MS,
    });
  } catch (err) {
    run.problems.push(`soak: ${(err as Error).message}`);
  } finally {
    for (const p of [upstream, gateway])
      if (p && (p.proc.exitCode !== null || p.proc.signalCode !== null))
        run.problems.push(
          `soak: ${p === upstream ? "upstream stub" : "gateway"} exited during the soak (code ${p.proc.exitCode}, signal ${p.proc.signalCode})\n${logTail(p.log, 10)}`,
        );
    if (gateway) await stop(gateway.proc);
    if (upstream) await stop(upstream.proc);
  }
  run.details.soak = res ? { agentEverySeconds: opts.soakAgentEverySeconds, agentSessions: SOAK_AGENT_SESSIONS, ...res } : null;
  if (res) for (const [message, count] of Object.entries(res.errors)) run.problems.push(`soak: ${count}× ${message}`);
  const d = res?.drift;
  const window = d ? `${Math.round(d.fromT)}→${Math.round(d.toT)} s` : "";
  const probe = res?.probe ?? undefined;
  const loaded = res?.methods.health;
  const serverLe = res?.serverP99LeMs.health;
  run.metrics.push(
    {
      key: "soakDriftMB",
      label: `soak: RSS drift ${window}`.trim(),
      unit: "MB",
      gateway: d?.rssMB ?? Number.NaN,
      bare: Number.NaN,
      noBare: true,
      goal: { text: `< ${SOAK_DRIFT_GOAL_MB} MB / 10 min`, pass: (x) => x < SOAK_DRIFT_GOAL_MB },
      note: d ? { gateway: `slope ${d.slopeMBPer10Min.toFixed(1)} MB/10 min${d.short ? ", short window" : ""}` } : undefined,
    },
    {
      key: "soakHealthP99Ms",
      label: "soak: health p99 (probe)",
      unit: "ms",
      gateway: probe?.p99 ?? Number.NaN,
      bare: Number.NaN,
      noBare: true,
      goal: { text: `< ${SOAK_HEALTH_P99_GOAL_MS} ms`, pass: (x) => x < SOAK_HEALTH_P99_GOAL_MS },
      note: probe
        ? { gateway: `p50 ${fmt(probe.p50, "ms")}, n ${probe.n}${Number.isFinite(serverLe) ? `, gateway-side p99 ≤ ${fmt(serverLe!, "ms")}` : ""}` }
        : undefined,
    },
    {
      key: "soakHealthLoadedP99Ms",
      label: "soak: health p99 (load connections)",
      unit: "ms",
      gateway: loaded?.p99 ?? Number.NaN,
      bare: Number.NaN,
      noBare: true,
      note: loaded ? { gateway: `p50 ${fmt(loaded.p50, "ms")}, n ${loaded.ok}` } : undefined,
    },
    {
      key: "soakAgentTurns",
      label: "soak: agent turns completed",
      unit: "count",
      gateway: res?.agent.ok ?? Number.NaN,
      bare: Number.NaN,
      noBare: true,
      goal: res && res.agent.started > 0 ? { text: "every turn started", pass: (x) => x >= res!.agent.started } : undefined,
      note: res ? { gateway: `of ${res.agent.started}, p50 ${fmt(res.agent.p50, "ms")}` } : undefined,
    },
  );
}

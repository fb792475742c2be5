// bench/groups-tools.ts: the tools group. A gateway of its own, started like the http group's (the
// upstream stub as the default agent's model, configured by a file in its private HOME). An operator
// (operator.write) sends `agent` turns whose message scripts the stub (bench/measure/tools.ts):
//
//   tools  three rounds of one call to the built-in `agents_list` tool, then a one-word text: four
//          model calls, three tool runs, every round stored before its tools run and after;
//   plain  the one-word text at once: one model call, no tool run (the baseline a tool round adds to).
//
// The stub is told [fast], so its answers cost no time (no pacing between words). Beside each turn, the
// exact bodies the gateway sent for it (read back from the stub) are sent straight to the stub one after
// another on a keep-alive connection; the gateway's share of a turn = its time − those direct calls.
// Which side goes first alternates from turn to turn, to cancel drift. Every turn gets a fresh session
// key: in one session the history (and so every request) would grow from turn to turn.
// There is no bare server here: the "bare" column of the first rows is the model's own time.

import { join } from "node:path";
import { progress, type Run } from "./groups.ts";
import { handshake, closeSession, type Session } from "./measure/session.ts";
import { summarize, type ErrorCounts } from "./measure/stats.ts";
import { runPair, StubRecord, TurnClient, turnKind, type LastBodies, type Pair } from "./measure/tools.ts";
import { fmt, type Metric } from "./report.ts";
import { isolatedEnv, launch, launchUpstream, stop, writeHttpGatewayConfig, type Sandbox, type Server, type Upstream } from "./servers.ts";

/** Issue 11's goal: what a turn with three tool rounds may add to its model calls, p50, ms. */
const SHARE_GOAL_MS = 3;
const TOOL_ROUNDS = 3;
const TOOL = "agents_list";
const REPLY = "done";

const KINDS = {
  tools: turnKind("tools", [...Array.from({ length: TOOL_ROUNDS }, () => ({ calls: [{ name: TOOL }] })), { text: REPLY }]),
  plain: turnKind("plain", [{ text: REPLY }]),
};
type KindName = keyof typeof KINDS;

interface Findings {
  pairs: Pair[];
  errors: ErrorCounts;
}

export async function measureTools(run: Run): Promise<void> {
  const { opts, box } = run;
  const dir = join(box.dir, "tools");
  const tBox: Sandbox = { ...box, dir, env: isolatedEnv(join(dir, "home")) };
  let upstream: Upstream | undefined;
  let gateway: Server | undefined;
  let session: Session | undefined;
  const found: Findings = { pairs: [], errors: {} };
  try {
    progress(opts, "tools: starting the upstream stub and a gateway using it");
    upstream = await launchUpstream(tBox);
    writeHttpGatewayConfig(tBox.env.HOME!, box.token, upstream.url);
    gateway = await launch("gateway", opts.httpGatewayCmd, tBox);
    session = await handshake(gateway.url, box.token, 10_000, ["operator.read", "operator.write"]);
    const pairOpts = {
      client: new TurnClient(session),
      record: new StubRecord(upstream.url.replace(/\/v1$/, "")),
      stubUrl: `${upstream.url}/chat/completions`,
      pid: gateway.pid,
      errors: found.errors,
    };
    const last: LastBodies = new Map();
    const { toolTurns: n, toolWarmup: warmup } = opts;
    progress(opts, `tools: ${n} turns of each kind (after ${warmup} unmeasured), each beside its model calls made directly`);
    for (let i = 0; i < warmup + n; i++) {
      // Kinds alternate too, so both see the same drift; each pair flips which side goes first.
      for (const name of (i % 2 === 0 ? ["tools", "plain"] : ["plain", "tools"]) as KindName[]) {
        const pair = await runPair(pairOpts, KINDS[name], last, i % 2 === 1, i >= warmup);
        if (pair?.measured) found.pairs.push(pair);
      }
    }
  } catch (err) {
    run.problems.push(`tools: ${(err as Error).message}`);
  } finally {
    if (session) await closeSession(session);
    if (gateway) await stop(gateway.proc);
    if (upstream) await stop(upstream.proc);
  }
  for (const [message, count] of Object.entries(found.errors)) run.problems.push(`tools: ${count}× ${message}`);
  pushMetrics(run, found);
}

function kindStats(pairs: Pair[], name: KindName) {
  const mine = pairs.filter((p) => p.kind === name);
  const cpu = mine.map((p) => p.cpuMs).filter(Number.isFinite);
  return {
    n: mine.length,
    turn: summarize(mine.map((p) => p.turnMs)),
    direct: summarize(mine.map((p) => p.directMs)),
    share: summarize(mine.map((p) => p.turnMs - p.directMs)),
    accepted: summarize(mine.map((p) => p.acceptedMs)),
    directCallP50Ms: Array.from({ length: KINDS[name].modelCalls }, (_, i) => summarize(mine.map((p) => p.directCallsMs[i]!)).p50),
    gatewayCpuMs: summarize(cpu),
    requestBytes: mine[0]?.requestBytes ?? Number.NaN,
  };
}

function pushMetrics(run: Run, { pairs }: Findings): void {
  const tools = kindStats(pairs, "tools");
  const plain = kindStats(pairs, "plain");
  const added = tools.share.p50 - plain.share.p50;
  run.details.tools = {
    settings: { turns: run.opts.toolTurns, warmup: run.opts.toolWarmup, toolRounds: TOOL_ROUNDS, tool: TOOL, sessionKey: "fresh per turn", stub: "[fast]" },
    tools,
    plain,
    toolRoundsAddedP50Ms: added,
  };
  const cpu = (s: ReturnType<typeof kindStats>) => `gateway cpu ${fmt(s.gatewayCpuMs.p50, "ms")}/turn`;
  const label = `agent turn, ${TOOL_ROUNDS} tool rounds`;
  const metrics: Metric[] = [
    {
      key: "toolsTurnP50Ms",
      label: `${label}: p50 vs its ${KINDS.tools.modelCalls} model calls alone`,
      unit: "ms",
      gateway: tools.turn.p50,
      bare: tools.direct.p50,
      added: true,
      note: { gateway: `${tools.n} turns, ${cpu(tools)}`, bare: "the same requests straight to the stub" },
    },
    { key: "toolsTurnP99Ms", label: `${label}: p99 vs its model calls alone`, unit: "ms", gateway: tools.turn.p99, bare: tools.direct.p99, added: true },
    {
      key: "toolsShareP50Ms",
      label: `${label}: gateway's share p50 (turn − its model calls)`,
      unit: "ms",
      gateway: tools.share.p50,
      bare: Number.NaN,
      noBare: true,
      goal: { text: `< ${SHARE_GOAL_MS} ms`, pass: (g) => g < SHARE_GOAL_MS },
      note: { gateway: `p99 ${fmt(tools.share.p99, "ms")}` },
    },
    {
      key: "toolsPlainShareP50Ms",
      label: "plain agent turn (1 model call, no tools): gateway's share p50",
      unit: "ms",
      gateway: plain.share.p50,
      bare: Number.NaN,
      noBare: true,
      note: { gateway: `p99 ${fmt(plain.share.p99, "ms")}; turn p50 ${fmt(plain.turn.p50, "ms")}, model ${fmt(plain.direct.p50, "ms")}, ${cpu(plain)}` },
    },
    {
      key: "toolsRoundsAddedP50Ms",
      label: `what ${TOOL_ROUNDS} tool rounds add to a plain turn's share, p50`,
      unit: "ms",
      gateway: added,
      bare: Number.NaN,
      noBare: true,
      note: { gateway: `${fmt(added / TOOL_ROUNDS, "ms")} per round` },
    },
  ];
  run.metrics.push(...metrics);
}

// bench/groups-nodes.ts: the nodes group. A gateway of its own (started like the shared one, with the
// token, in a sandbox of its own) and bench nodes (bench/node-client.ts): signed connects as role
// node from 127.0.0.1, so the gateway pairs each device silently; the invoke node's command surface
// is then approved by an operator (node.pair.list → node.pair.approve), as a person would.
//
// In order: RSS per node with a quarter of opts.nodesHeld, then all of them connected at once (each its
// own key, paired silently on its first connect), node.invoke against health at 1×1 and 50×4 (one
// node answering everything), then the gateway CPU of connects of already-paired devices against
// operators' token connects.
// No operator is connected meanwhile (set-up closes its own session): every operator would get a
// presence frame with the whole list on each node connect and close, which is not what is measured.
//
// There is no bare server here: a bare server has no nodes. The "bare" column is the same gateway's
// baseline, measured in the same run: `health` for node.invoke, an operator's token connect for the
// signed connect; the memory row has none (the conns group's operator figure is in its note).

import { join } from "node:path";
import { connectCpu, heldRssLevels, type ConnectCpuResult, type HeldRssResult } from "./measure/nodes.ts";
import { promValue, scrapeMetrics } from "./measure/prom.ts";
import { rpc, type RpcResult } from "./measure/rpc.ts";
import { closeAll, closeSession, handshake, type Session } from "./measure/session.ts";
import { median, type ErrorCounts } from "./measure/stats.ts";
import { progress, type Run } from "./groups.ts";
import { BENCH_COMMAND, approveSurface, call, connectNode, newDevice, type BenchDevice } from "./node-client.ts";
import { fmt } from "./report.ts";
import { isolatedEnv, launch, stop, type Sandbox, type Server } from "./servers.ts";

/** node.invoke may add this much to health's p50, ms. */
const INVOKE_ADDED_GOAL_MS = 0.3;
/** Gateway CPU per signed node connect, ms. */
const CONNECT_CPU_GOAL_MS = 0.5;
/** RSS per connected paired node, KiB. */
const NODE_RSS_GOAL_KIB = 15;
/** Handshakes in flight at once while nodes pile up: far below the per-address pending budget (2,048). */
const OPEN_CONCURRENCY = 16;
const WRITE_SCOPES = ["operator.write"] as const;
const ADMIN_SCOPES = ["operator.pairing", "operator.admin"] as const;

/** Distinct paired devices the connect figure cycles through (each connects several times). */
const CONNECT_POOL = 200;

type Kind = "invoke" | "health";
type ConnectKind = "signed" | "token";

/** What the group found (also its JSON details). */
interface Findings {
  lat: Record<Kind, RpcResult[]>;
  tput: Record<Kind, RpcResult[]>;
  cpu: Record<ConnectKind, ConnectCpuResult[]>;
  held?: HeldRssResult;
}

/** Runs `measure` for both kinds `rounds` times, alternating which goes first (as `alternate` does for sides). */
async function alternateKinds<K extends string, T>(run: Run, what: string, kinds: readonly [K, K], measure: (kind: K) => Promise<T>): Promise<Record<K, T[]>> {
  const rounds = run.opts.rounds;
  const out = { [kinds[0]]: [], [kinds[1]]: [] } as unknown as Record<K, T[]>;
  for (let r = 0; r < rounds; r++) {
    for (const kind of r % 2 === 0 ? kinds : [kinds[1], kinds[0]]) {
      progress(run.opts, `${what}: ${kind}${rounds > 1 ? ` (round ${r + 1}/${rounds})` : ""}`);
      out[kind].push(await measure(kind));
    }
  }
  return out;
}

export async function measureNodes(run: Run): Promise<void> {
  const { opts, box } = run;
  const dir = join(box.dir, "nodes");
  const nodesBox: Sandbox = { ...box, dir, env: isolatedEnv(join(dir, "home")) };
  let gateway: Server | undefined;
  const sessions: Session[] = [];
  const found: Findings = { lat: { invoke: [], health: [] }, tput: { invoke: [], health: [] }, cpu: { signed: [], token: [] } };
  run.details.nodes = found;
  try {
    progress(opts, "nodes: starting gateway, connecting and approving the invoke node");
    gateway = await launch("gateway", opts.gatewayCmd, nodesBox);
    const { url, pid } = gateway;
    const admin = await handshake(url, box.token, 10_000, ADMIN_SCOPES);
    sessions.push(admin);
    const node = await connectNode(url, box.token, newDevice(), { answer: true });
    sessions.push(node.session);
    await approveSurface(admin, node.device.id);
    const invokeParams = { nodeId: node.device.id, command: BENCH_COMMAND, params: { bins: ["ls"] }, idempotencyKey: "bench" };
    const first = await call(admin, "node.invoke", invokeParams);
    if (first?.ok !== true) throw new Error(`node.invoke: unexpected answer ${JSON.stringify(first).slice(0, 200)}`);
    // No operator watches from here on: each node connect and close broadcasts presence (the whole
    // list) to every operator, which is not what the figures below are about.
    await closeSession(admin);

    // First, while the gateway is fresh: nodes with keys it has never seen, each paired silently on
    // its first connect, a quarter of them held, then all. Quarter → all is what a node costs once
    // the first ones have paid for what is paid once (compiled code, caches, allocator arenas).
    const openNode = (pool: BenchDevice[]) => (i: number) => connectNode(url, box.token, pool[i % pool.length]!).then((n) => n.session);
    const devices = Array.from({ length: opts.nodesHeld }, newDevice);
    const levels = [Math.ceil(devices.length / 4), devices.length];
    progress(opts, `nodes: ${levels.join(", then ")} nodes connected at once (each its own key, paired silently)`);
    const heap = async () => promValue(await scrapeMetrics(url, box.token), "openclaw_js_heap_used_bytes");
    found.held = await heldRssLevels(openNode(devices), levels, pid, { concurrency: OPEN_CONCURRENCY, settleSeconds: opts.settleSeconds, heap });
    noteErrors(run, "held", { nodes: [found.held] });

    const load = (kind: Kind, c: number, k: number) =>
      kind === "invoke"
        ? rpc(url, box.token, "node.invoke", c, k, opts.nodesSeconds, opts.warmup / 2, { pid, scopes: WRITE_SCOPES, params: invokeParams })
        : rpc(url, box.token, "health", c, k, opts.nodesSeconds, opts.warmup / 2, { pid });
    found.lat = await alternateKinds<Kind, RpcResult>(run, "nodes: 1×1", ["invoke", "health"], (kind) => load(kind, 1, 1));
    noteErrors(run, "1×1", found.lat);
    found.tput = await alternateKinds<Kind, RpcResult>(run, "nodes: 50×4, one node", ["invoke", "health"], (kind) => load(kind, 50, 4));
    noteErrors(run, "50×4", found.tput);
    for (const [message, count] of Object.entries(node.errors)) run.problems.push(`nodes: invoke node: ${count}× ${message}`);
    if (node.session.closed) run.problems.push("nodes: the invoke node was disconnected");

    // Already-paired devices (a pool, each connecting several times) against an operator's token connect.
    const pool = Array.from({ length: CONNECT_POOL }, newDevice);
    const open: Record<ConnectKind, (i: number) => Promise<Session>> = { signed: openNode(pool), token: () => handshake(url, box.token) };
    progress(opts, `nodes: pairing ${CONNECT_POOL} devices, connect warm-up`);
    // The first pass pairs the pool; the second and the token pass warm the paths measured.
    for (const kind of ["signed", "signed", "token"] as const) await connectCpu(open[kind], CONNECT_POOL, pid);
    found.cpu = await alternateKinds<ConnectKind, ConnectCpuResult>(run, `nodes: ${opts.nodeConnects} connects`, ["signed", "token"], (kind) =>
      connectCpu(open[kind], opts.nodeConnects, pid),
    );
    noteErrors(run, "connect", found.cpu);
  } catch (err) {
    run.problems.push(`nodes: ${(err as Error).message}`);
  } finally {
    await closeAll(sessions);
    if (gateway) await stop(gateway.proc);
  }
  pushMetrics(run, found);
}

function noteErrors(run: Run, what: string, res: Record<string, { errors: ErrorCounts }[]>): void {
  for (const [kind, results] of Object.entries(res))
    for (const r of results) for (const [message, count] of Object.entries(r.errors)) run.problems.push(`nodes ${what} ${kind}: ${count}× ${message}`);
}

function pushMetrics(run: Run, { lat, tput, cpu, held }: Findings): void {
  const pick = (res: Record<Kind, RpcResult[]>, kind: Kind, k: "p50" | "p99" | "rps" | "serverCpuUsPerReq") => median(res[kind].map((r) => r[k]));
  const perConnect = (kind: ConnectKind) => median(cpu[kind].map((r) => r.perConnectMs));
  const cpuNote = (kind: Kind) => `p50 ${fmt(pick(tput, kind, "p50"), "ms")}, cpu ${Math.round(pick(tput, kind, "serverCpuUsPerReq"))} µs/req`;
  const closeNote = (kind: ConnectKind) => `close ${fmt(median(cpu[kind].map((r) => r.perCloseMs)), "ms")}`;
  const opConn = (run.details.conns as { gateway?: { perConnKiB: number }[] } | undefined)?.gateway?.[0]?.perConnKiB;
  const last = held?.levels.at(-1);
  const heapKiB = held && last ? (last.heapBytes - held.before.heapBytes) / 1024 / last.alive : Number.NaN;
  const heldNote = held && last
    ? `${last.alive} alive, opened in ${held.openSeconds.toFixed(1)} s` +
      (Number.isFinite(heapKiB) ? `; JS heap ${fmt(heapKiB, "KiB")} of it` : "") +
      (opConn !== undefined && Number.isFinite(opConn) ? `; operator conn ${fmt(opConn, "KiB")}` : "")
    : "";
  run.metrics.push(
    {
      key: "nodeInvokeP50Ms",
      label: "node.invoke 1×1 p50 vs health",
      unit: "ms",
      gateway: pick(lat, "invoke", "p50"),
      bare: pick(lat, "health", "p50"),
      added: true,
      goal: { text: `added ≤ ${INVOKE_ADDED_GOAL_MS} ms`, pass: (g, b) => g - b <= INVOKE_ADDED_GOAL_MS },
    },
    { key: "nodeInvokeP99Ms", label: "node.invoke 1×1 p99 vs health", unit: "ms", gateway: pick(lat, "invoke", "p99"), bare: pick(lat, "health", "p99"), added: true },
    {
      key: "nodeInvoke50x4Rps",
      label: "node.invoke 50×4, one node vs health",
      unit: "req/s",
      gateway: pick(tput, "invoke", "rps"),
      bare: pick(tput, "health", "rps"),
      note: { gateway: cpuNote("invoke"), bare: cpuNote("health") },
    },
    {
      key: "nodeConnectCpuMs",
      label: "gateway CPU per signed node connect vs token connect",
      unit: "ms",
      gateway: perConnect("signed"),
      bare: perConnect("token"),
      added: true,
      goal: { text: `≤ ${CONNECT_CPU_GOAL_MS} ms`, pass: (g) => g <= CONNECT_CPU_GOAL_MS },
      note: { gateway: closeNote("signed"), bare: closeNote("token") },
    },
    {
      key: "nodeRssPerNodeKiB",
      label: `RSS per connected node (${run.opts.nodesHeld}, fresh gateway)`,
      unit: "KiB",
      gateway: held?.perConnKiB ?? Number.NaN,
      bare: Number.NaN,
      noBare: true,
      goal: { text: `≤ ${NODE_RSS_GOAL_KIB} KiB`, pass: (g) => g <= NODE_RSS_GOAL_KIB },
      note: { gateway: heldNote },
    },
    {
      key: "nodeRssMarginalKiB",
      label: `RSS per further node, ${held?.levels[0]?.alive ?? "¼"} → ${last?.alive ?? run.opts.nodesHeld} connected`,
      unit: "KiB",
      gateway: held?.marginalKiB ?? Number.NaN,
      bare: Number.NaN,
      noBare: true,
      note: { gateway: "without the one-time costs the first nodes pay" },
    },
  );
}

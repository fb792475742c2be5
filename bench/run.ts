// bench/run.ts: `bun run bench`. Starts the gateway and the bare anchor server (bench/bare.ts) side by
// side, measures both alternately in one run, and prints gateway / bare ratios against our goals.
// The machine is noisy and shared with the client, so only figures from the same run are compared.
//
//   bun run bench [--quick] [--json] [--only hello,rpc,rss,conns,startup,http,burst,flood,nodes,channels,tools,ui,soak] [--seconds N]
//                 [--rounds N] [--conns N] [--http-seconds N] [--burst N] [--flood N] [--nodes N] [--messages N] [--chats N]
//                 [--turns N] [--soak SECONDS] [--soak-agent-every S]
//                 [--gateway-cmd '...'] [--compiled-cmd '...'|none] [--check]
//
//   --quick         short windows and fewer connections (smoke test; figures are rough)
//   --json          print one JSON object (also written to .bench/last.json on every run)
//   --out FILE      write the JSON there instead of .bench/last.json
//   --only G,...    measurement groups: hello, rpc, rss, conns, startup, http, burst, flood, nodes, channels, tools, ui, soak
//                   (default: all but soak)
//   --seconds N     measuring window of each rpc run (default 4; quick 1; the nodes group's runs: half)
//   --rounds N      alternating rounds per metric, median taken (default 2; quick 1); the http group
//                   takes its percentiles over the samples of all its rounds instead
//   --conns N       idle connections for the memory-per-connection figure (default 1000; quick 200)
//   --http-seconds N  measuring window of each http round (default 2.5; quick 0.75)
//   --burst N       simultaneous handshakes of the burst group (default 1000; quick 200)
//   --flood N       sockets of the flood group that never send connect (default 5000; quick 2500)
//   --nodes N       nodes the nodes group holds connected at once for RSS per node (default 1000; quick 200)
//   --messages N    messages the channels group sends one at a time in one chat (default 200; quick 40)
//   --chats N       chats of the channels group sending at once, two rounds (default 100)
//   --turns N       agent turns of each kind the tools group measures (default 200; quick 40)
//   --soak SECONDS  run the soak group for that long (alone, unless --only names other groups too;
//                   `--only soak` without it: 600 s, quick 20 s)
//   --soak-agent-every S  an agent turn every S seconds during the soak (default 2; 0: none)
//   --gateway-cmd   command template for the gateway; {port} and {token} are filled in.
//                   Default: bun src/main.ts gateway run --port {port} --token {token} --allow-unconfigured
//                   (for the http group: bun src/main.ts gateway run --port {port}, its config sets the rest)
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
//
// The http group (run last, once the other servers are stopped) measures POST /v1/chat/completions:
// the project's upstream stub test/fixtures/openai-stub.ts is started, and a gateway of its own, in a
// second private HOME whose ~/.openclaw/openclaw.json enables the endpoint and makes the stub the
// default agent's model. Its "bare" side is the same request sent straight to the stub. Requests are
// sequential on a keep-alive connection; streams are timed to the first chunk with text (TTFB) and to
// the end. Every gateway request creates a session and commits two messages (SQLite, synchronous=FULL):
// that is part of the figure. Rows with an "added" figure also carry addedMs (gateway − bare) in JSON.
//
// burst (on the shared gateway and bare server): --burst sockets created in one loop, each completing
// connect; how many reach hello-ok and the p50/p99 of new WebSocket → hello-ok.
// flood (a fresh gateway and bare server of its own): bench/flood-client.ts, a child process, opens
// --flood raw upgrades from 127.0.0.2 (at most 256 awaiting an answer) and never sends connect, while
// a good client on 127.0.0.1 handshakes in a loop. Admitted (101) and refused (503) counts, the peak
// RSS growth of the server, the good client's hello p99; for the gateway /metrics must agree (pending
// gauge = sockets held, upgrades refused = 503s seen, the gauge back to 0 once the flood lets go).
// nodes (a gateway of its own, started like the shared one; bench/groups-nodes.ts, bench/node-client.ts):
// bench nodes, each an Ed25519 key signing its connect as role node (client node-host/node, declaring
// system.which), are paired silently (loopback); an operator approves the invoke node's command
// surface (node.pair.list → node.pair.approve), then leaves. node.invoke (operator → gateway → node →
// gateway → operator; the node answers at once) against `health` on the same gateway: p50/p99 at
// 1×1 and throughput at 50×4 with one node. Gateway CPU (all threads, /proc schedstat) per connect
// of an already-paired node against an operator's token connect, in batches of 20 connected then
// closed. RSS per node with --nodes of them (new keys, each paired on its first connect) held at once.
// channels (a gateway of its own, configured like the http group's, plus channels.telegram with
// dmPolicy "open" and session.dmScope "per-channel-peer"; bench/groups-channels.ts,
// bench/measure/channels.ts): the gateway long-polls the test suite's Bot API double
// (test/fixtures/telegram-double.ts) running in this process. --messages messages one at a time in
// one chat, push → the double receiving the sendMessage, each beside the same text streamed straight
// from the stub (the model's own time); the gateway's share = total − model. Then --chats chats
// send one message each at once, and at once a second round: all answered, each chat's replies in
// order, wall time and push → reply p50/p99.
// tools (a gateway of its own, configured like the http group's; bench/groups-tools.ts,
// bench/measure/tools.ts): an operator.write connection sends `agent` turns whose message scripts the
// stub ([script:…] from test/fixtures/model-script.ts, plus [fast]: no pacing, so the stub's answers
// cost no time): three rounds of one call to the built-in agents_list tool, then a one-word text (four
// model calls), and, for comparison, a plain turn answered with that word at once (one call). After
// 20 unmeasured turns of each kind (quick 5), --turns of each are timed `agent` sent → final res, each
// beside the exact bodies the gateway sent for it (GET /_requests?from=N on the stub; when the direct
// side goes first, those of the previous turn of its kind) sent straight to the stub one by one on a
// keep-alive connection, each timed to the end of its stream. The gateway's share = turn − the sum of
// those calls; the goal (issue 11) is its p50 under 3 ms. Which side goes first flips every turn.
// Every turn gets a fresh session key, so every turn's requests are the same (one session's history
// would grow). Each turn creates its session and commits the user message, each assistant round
// before its tools run, their results after, and the reply (SQLite, synchronous=FULL): all part of it.
// ui (a gateway of its own, configured like the http group's; bench/groups-ui.ts): headless Chromium
// (/usr/bin/chromium or OPENCLAW_BENCH_CHROMIUM, driven by playwright-core; skipped with the reason
// printed when there is none) loads the Control UI with #token=: 15 fresh profiles (quick 5), each a
// new device key paired silently over loopback, after one unmeasured load, then 15 reloads of one
// signed-in tab. Load = navigation start → the chat view's openclaw:chat-ready mark; bytes = what the
// first fresh load fetched over HTTP until then (compressed, headers included). Goals (issue 12):
// under 100 KiB, load p50 under 300 ms. Neither the browser nor this gateway is pinned: the browser is
// the client, several processes wide, and shares the machine with the gateway as on a laptop.
// soak (only on request; the http group's stub-backed gateway, in a sandbox of its own): 1000
// connections (quick 100) sending health/status/system-presence/chat.history/sessions.list at 500 req/s
// in total (open loop), an agent turn every 2 s on a write-scoped connection (each turn's agent and
// chat events are broadcast to all 1000), and bench/health-probe.ts, a process whose scope-less socket
// gets none of those events, timing `health` every 20 ms: its p99 is the one judged. RSS every 10 s
// (quick 2 s); drift = last sample − the one at 60 s (half the run when it is under 2 minutes).
//
// Layout: options.ts (this command line), servers.ts and pin.ts (processes under test), groups.ts,
// groups-load.ts, groups-nodes.ts, groups-channels.ts, groups-tools.ts and groups-ui.ts (what is measured),
// report.ts (table and JSON), measure/ (the client side: protocol, load, /proc and /metrics readers,
// the Telegram double's timing, agent turns beside their model calls), node-client.ts (a bench node),
// flood-client.ts and health-probe.ts (helper processes).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureBurst, measureFlood, measureSoak } from "./groups-load.ts";
import { measureChannels } from "./groups-channels.ts";
import { measureNodes } from "./groups-nodes.ts";
import { measureTools } from "./groups-tools.ts";
import { measureUi } from "./groups-ui.ts";
import { measureConns, measureHello, measureHttp, measureRpc, measureRss, measureStartup, progress, type Run } from "./groups.ts";
import { BARE_CMD, parseOptions } from "./options.ts";
import { pinCpus, serverPrefix } from "./pin.ts";
import { buildReport, printTable, writeReport } from "./report.ts";
import { SIDES, isolatedEnv, killLive, launch, stop } from "./servers.ts";

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killLive();
    process.exit(130);
  });
}

async function main(): Promise<number> {
  const opts = parseOptions(Bun.argv.slice(2));
  const cpus = navigator.hardwareConcurrency;
  const pinning = opts.pin ? pinCpus() : undefined;
  const token = crypto.randomUUID().replaceAll("-", "");
  const dir = mkdtempSync(join(tmpdir(), "openclaw-bench-"));
  const box = { token, dir, env: isolatedEnv(join(dir, "home")), prefix: serverPrefix(pinning) };
  const started = performance.now();
  const run: Run = { opts, box, servers: {}, metrics: [], details: {}, problems: [] };
  const { only } = opts;

  try {
    if (only.has("rss") || only.has("conns") || only.has("hello") || only.has("rpc") || only.has("burst")) {
      progress(opts, "starting gateway and bare server");
      run.servers.gateway = await launch("gateway", opts.gatewayCmd, box);
      run.servers.bare = await launch("bare", BARE_CMD, box);
    }
    if (only.has("rss")) await measureRss(run);
    if (only.has("conns")) await measureConns(run);
    if (only.has("hello")) await measureHello(run);
    if (only.has("rpc")) await measureRpc(run);
    if (only.has("burst")) await measureBurst(run);
    for (const side of SIDES) if (run.servers[side]) await stop(run.servers[side].proc);
    if (only.has("startup")) await measureStartup(run);
    if (only.has("nodes")) await measureNodes(run);
    if (only.has("channels")) await measureChannels(run);
    if (only.has("tools")) await measureTools(run);
    if (only.has("ui")) await measureUi(run, pinning);
    if (only.has("http")) await measureHttp(run);
    if (only.has("flood")) await measureFlood(run);
    if (only.has("soak")) await measureSoak(run);
  } finally {
    for (const side of SIDES) if (run.servers[side]) await stop(run.servers[side].proc);
    rmSync(dir, { recursive: true, force: true });
  }

  const findings = { ...run, cpus, pinning, wallSeconds: (performance.now() - started) / 1000 };
  const report = buildReport(findings);
  writeReport(report, opts.out);
  if (opts.json) console.log(JSON.stringify(report));
  else printTable(findings, report);
  const missing = run.metrics.filter((m) => !Number.isFinite(m.gateway) || (!m.noBare && !Number.isFinite(m.bare)));
  if (missing.length > 0) return 1;
  const failed = Object.values(report.metrics).filter((m) => m.pass === false);
  return opts.check && failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    killLive();
    console.error(`bench: ${(err as Error).message}`);
    process.exit(1);
  },
);

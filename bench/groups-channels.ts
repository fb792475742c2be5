// bench/groups-channels.ts: the channels group. A gateway of its own, started like the http group's
// (the upstream stub as the default agent's model, configured by a file in its private HOME), with
// `channels.telegram` polling the test suite's Bot API double in this process (bench/measure/channels.ts)
// and `dmPolicy: "open"`, so every private chat is answered without pairing. Each chat gets a session
// of its own (`session.dmScope: "per-channel-peer"`): with the default ("main"), every direct message
// joins the agent's one main session, whose turns run one after another.
//
// 1. Messages one at a time in one chat: push → the double receiving the reply, against the model's
//    own time (the same text streamed straight from the stub, alternately before and after each
//    message). The gateway's share = total − model.
// 2. `--chats` chats at once, one message each, then at once a second round: all answered, each
//    chat's replies in order, wall time and push → reply per message.
// There is no bare server here: a bare server has no channels. The "bare" column of the first rows is
// the model alone; the others are judged against absolute goals.

import { join } from "node:path";
import { concurrent, sequential, startBenchDouble, type BenchDouble, type ConcurrentResult, type SequentialResult } from "./measure/channels.ts";
import { summarize, type ErrorCounts } from "./measure/stats.ts";
import { progress, type Run } from "./groups.ts";
import { fmt, type Metric } from "./report.ts";
import { isolatedEnv, launch, launchUpstream, stop, writeHttpGatewayConfig, type Sandbox, type Server, type Upstream } from "./servers.ts";

/** What the gateway may add to the model's time for one message, p50, ms. */
const SHARE_GOAL_MS = 5;
/** Messages sent first, unmeasured: JIT, the first session, connections to the stub and the double. */
const WARMUP_MESSAGES = 20;
/** The chat of the one-at-a-time messages, and the first of the chats sending at once. */
const SEQUENTIAL_CHAT = 424242;
const FIRST_CONCURRENT_CHAT = 900_001;
const ROUNDS = 2;
const READY_TIMEOUT_MS = 30_000;

interface Findings {
  sequential?: SequentialResult;
  concurrent?: ConcurrentResult;
}

export async function measureChannels(run: Run): Promise<void> {
  const { opts, box } = run;
  const dir = join(box.dir, "channels");
  const chBox: Sandbox = { ...box, dir, env: isolatedEnv(join(dir, "home")) };
  let upstream: Upstream | undefined;
  let gateway: Server | undefined;
  let double: BenchDouble | undefined;
  const found: Findings = {};
  try {
    progress(opts, "channels: starting the upstream stub, the Telegram double and a gateway polling it");
    upstream = await launchUpstream(chBox);
    double = await startBenchDouble();
    writeHttpGatewayConfig(chBox.env.HOME!, box.token, upstream.url, {
      channels: { telegram: { botToken: "bench:token", apiRoot: double.url, dmPolicy: "open" } },
      session: { dmScope: "per-channel-peer" },
    });
    gateway = await launch("gateway", opts.httpGatewayCmd, chBox);
    const ready = performance.now() + READY_TIMEOUT_MS;
    while (!double.polling() && performance.now() < ready && gateway.proc.exitCode === null) await Bun.sleep(10);
    if (!double.polling()) throw new Error(`the gateway did not long-poll the double within ${READY_TIMEOUT_MS} ms`);

    const n = opts.channelMessages;
    progress(opts, `channels: ${n} messages one at a time in one chat (after ${WARMUP_MESSAGES} unmeasured), each beside a direct stub call`);
    found.sequential = await sequential(double, upstream.url, SEQUENTIAL_CHAT, n, WARMUP_MESSAGES, gateway.pid);
    noteErrors(run, "one at a time", found.sequential.errors);

    progress(opts, `channels: ${opts.channelChats} chats at once, ${ROUNDS} rounds`);
    found.concurrent = await concurrent(double, opts.channelChats, ROUNDS, FIRST_CONCURRENT_CHAT);
    noteErrors(run, `${opts.channelChats} chats`, found.concurrent.errors);
  } catch (err) {
    run.problems.push(`channels: ${(err as Error).message}`);
  } finally {
    if (gateway) await stop(gateway.proc);
    if (upstream) await stop(upstream.proc);
    await double?.stop();
  }
  pushMetrics(run, found);
}

function noteErrors(run: Run, what: string, errors: ErrorCounts): void {
  for (const [message, count] of Object.entries(errors)) run.problems.push(`channels ${what}: ${count}× ${message}`);
}

function pushMetrics(run: Run, { sequential: seq, concurrent: conc }: Findings): void {
  const total = summarize(seq?.total ?? []);
  const model = summarize(seq?.model ?? []);
  const seqNote = seq
    ? `${total.n} messages${seq.lost ? `, ${seq.lost} lost` : ""}; gateway cpu ${fmt(seq.gatewayCpuMs, "ms")}/msg, ` +
      `${seq.chatActionsPerMessage.toFixed(1)} typing + ${seq.pollsPerMessage.toFixed(1)} getUpdates/msg`
    : "";
  const chats = conc?.chats ?? run.opts.channelChats;
  const expected = conc?.expected ?? chats * ROUNDS;
  const lat = summarize(conc?.latency ?? []);
  const rounds = conc ? conc.roundWallMs.map((ms) => fmt(ms, "ms")).join(" / ") : "";
  const nan = Number.NaN;
  run.details.channels = {
    settings: { messages: run.opts.channelMessages, warmup: WARMUP_MESSAGES, chats, rounds: ROUNDS, dmScope: "per-channel-peer" },
    sequential: seq ? { total, model, shareP50Ms: total.p50 - model.p50, lost: seq.lost, gatewayCpuMs: seq.gatewayCpuMs, chatActionsPerMessage: seq.chatActionsPerMessage, pollsPerMessage: seq.pollsPerMessage } : null,
    concurrent: conc ? { ...conc, latency: lat } : null,
  };
  const metrics: Metric[] = [
    {
      key: "channelReplyP50Ms",
      label: "Telegram update → reply p50 vs the model alone",
      unit: "ms",
      gateway: total.p50,
      bare: model.p50,
      added: true,
      goal: { text: `gateway's share < ${SHARE_GOAL_MS} ms`, pass: (g, b) => g - b < SHARE_GOAL_MS },
      note: { gateway: seqNote, bare: "streamed straight from the stub" },
    },
    { key: "channelReplyP99Ms", label: "Telegram update → reply p99 vs the model alone", unit: "ms", gateway: total.p99, bare: model.p99, added: true },
    {
      key: "channelChatsAnswered",
      label: `${chats} chats × ${ROUNDS} at once: answered`,
      unit: "count",
      gateway: conc?.answered ?? nan,
      bare: nan,
      noBare: true,
      goal: { text: `all ${expected}`, pass: (g) => g >= expected },
      note: { gateway: conc?.extra ? `${conc.extra} answered twice` : "" },
    },
    {
      key: "channelChatsInOrder",
      label: `${chats} chats × ${ROUNDS} at once: chats with replies in order`,
      unit: "count",
      gateway: conc?.inOrder ?? nan,
      bare: nan,
      noBare: true,
      goal: { text: `all ${chats}`, pass: (g) => g >= chats },
    },
    {
      key: "channelChatsWallMs",
      label: `${chats} chats × ${ROUNDS} at once: first push → last reply`,
      unit: "ms",
      gateway: conc?.wallMs ?? nan,
      bare: nan,
      noBare: true,
      note: { gateway: rounds ? `per round ${rounds}` : "" },
    },
    { key: "channelChatsP50Ms", label: `${chats} chats × ${ROUNDS} at once: push → reply p50`, unit: "ms", gateway: lat.p50, bare: nan, noBare: true },
    { key: "channelChatsP99Ms", label: `${chats} chats × ${ROUNDS} at once: push → reply p99`, unit: "ms", gateway: lat.p99, bare: nan, noBare: true },
  ];
  run.metrics.push(...metrics);
}

// bench/health-probe.ts: times `health` from a process of its own, for the soak. The soak's load
// connections receive every broadcast of every agent turn (a thousand frames per event), and the
// client's event loop working through those would be timed too; this probe connects with no scopes,
// so the gateway sends it no agent or chat events, and its event loop waits on nothing but answers.
//
//   PROBE_TOKEN=… bun bench/health-probe.ts --url ws://127.0.0.1:P [--every-ms 20]
//
// Prints {"event":"ready"} after hello-ok, sends `health` every --every-ms (open loop, at most 100
// unanswered), and on "stop" (or the end of stdin) prints {"event":"result", n, p50, p99, mean, max,
// over10ms, err, unanswered, errors} and exits.

import { handshake } from "./measure/session.ts";
import { readRes } from "./measure/rpc.ts";
import { countError, summarize, type ErrorCounts } from "./measure/stats.ts";

function flag(name: string, fallback: string): string {
  const i = Bun.argv.indexOf(`--${name}`);
  return i >= 0 && Bun.argv[i + 1] !== undefined ? Bun.argv[i + 1]! : fallback;
}

const url = flag("url", "");
const everyMs = Number(flag("every-ms", "20"));
const token = process.env.PROBE_TOKEN ?? "";
const MAX_UNANSWERED = 100;

if (!url.startsWith("ws://") || !(everyMs > 0)) {
  console.error("health-probe: --url ws://… and a positive --every-ms are required");
  process.exit(2);
}

const say = (msg: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(msg)}\n`);
const errors: ErrorCounts = {};
const latencies: number[] = [];
const sentAt = new Map<number, number>();
let err = 0;
let seq = 0;

const session = await handshake(url, token, 10_000, []).catch((e: Error) => {
  say({ event: "error", message: e.message });
  process.exit(1);
});
session.onFrame = (text) => {
  const res = readRes(text);
  if (res === undefined) return;
  const t0 = sentAt.get(res.id);
  if (t0 === undefined) return;
  sentAt.delete(res.id);
  if (res.ok) latencies.push(performance.now() - t0);
  else {
    err++;
    countError(errors, text.slice(0, 160));
  }
};
session.onClose = (code, reason) => countError(errors, `closed ${code} ${reason}`.trim());

const timer = setInterval(() => {
  if (session.closed || sentAt.size >= MAX_UNANSWERED) return;
  const id = ++seq;
  sentAt.set(id, performance.now());
  session.ws.send(`{"type":"req","id":"${id}","method":"health","params":{}}`);
}, everyMs);
say({ event: "ready" });

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  const until = performance.now() + 2_000;
  while (sentAt.size > 0 && performance.now() < until) await Bun.sleep(5);
  const over10ms = latencies.filter((x) => x > 10).length;
  say({ event: "result", ...summarize(latencies), over10ms, err, unanswered: sentAt.size, errors });
  session.ws.close(1000);
  process.exit(0);
}

let input = "";
process.stdin.on("data", (chunk: Buffer) => {
  input += chunk.toString("utf8");
  if (input.includes("stop")) void stop();
});
process.stdin.on("end", () => void stop());

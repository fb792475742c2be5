// bench/flood-client.ts: the hostile side of the flood group, in a process of its own (an attacker
// is not in the measuring client's event loop). Opens raw TCP connections from one local address,
// sends a WebSocket upgrade on each and never sends `connect`: sockets that are upgraded (101) are
// held, refused ones (503 …) are held too, as idle HTTP connections, until told to let go.
//
//   bun bench/flood-client.ts --port P --count N [--host 127.0.0.1] [--local 127.0.0.2] [--window 256]
//
// --window bounds the upgrades awaiting an answer, so the listen queue does not overflow and the
// kernel's SYN retransmits (1 s, then 3 s …) do not decide the figures; the flood still goes as fast
// as the server answers. Talks JSON lines on stdout:
//   {"event":"opened", admitted, refused, other, failed, peakOpenAdmitted, statuses, ms}   once every attempt is answered
//   {"event":"status", …counts, admittedClosed, refusedClosed}             after each "status" line on stdin
//   {"event":"closed", …}                                                  after "close" on stdin (then it exits)
// stdin ending counts as "close", and the sockets are let go with a TCP reset. Every wait is
// bounded; nothing but --host is ever connected to.

import { connect, type Socket } from "node:net";
import { upgradeRequest } from "../test/fixtures/raw-upgrade.ts";

function flag(name: string, fallback: string): string {
  const i = Bun.argv.indexOf(`--${name}`);
  return i >= 0 && Bun.argv[i + 1] !== undefined ? Bun.argv[i + 1]! : fallback;
}

const port = Number(flag("port", "0"));
const count = Number(flag("count", "5000"));
const host = flag("host", "127.0.0.1");
const localAddress = flag("local", "127.0.0.2");
const window = Number(flag("window", "256"));
const ANSWER_TIMEOUT_MS = 10_000;

if (!Number.isInteger(port) || port <= 0 || !Number.isInteger(count) || count < 0 || !(window >= 1)) {
  console.error("flood-client: bad --port/--count/--window");
  process.exit(2);
}

type Kind = "admitted" | "refused" | "other";
interface Held {
  socket: Socket;
  kind: Kind;
  closedByServer: boolean;
}

const held: Held[] = [];
const statuses: Record<string, number> = {};
const errors: Record<string, number> = {};
let failed = 0;
let letGo = false;
/** Upgraded sockets open right now, and the most there ever were at once (the server may time some out). */
let openAdmitted = 0;
let peakOpenAdmitted = 0;

function note(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}

/** One upgrade attempt; resolves once it is answered, refused or has failed (never rejects). */
function attempt(): Promise<void> {
  return new Promise((done) => {
    const socket = connect({ host, port, localAddress });
    let buf = "";
    let answered = false;
    let entry: Held | undefined;
    const timer = setTimeout(() => fail("no answer in time"), ANSWER_TIMEOUT_MS);
    function fail(why: string) {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      failed++;
      note(errors, why);
      socket.destroy();
      done();
    }
    socket.on("error", (err) => fail((err as NodeJS.ErrnoException).code ?? err.message));
    socket.on("close", () => {
      if (!answered) fail("closed before an answer");
      else if (entry && !letGo) {
        entry.closedByServer = true;
        if (entry.kind === "admitted") openAdmitted--;
      }
    });
    socket.on("data", (chunk) => {
      if (answered) return; // frames after the upgrade (connect.challenge) are left unread
      buf += chunk.toString("latin1");
      if (buf.indexOf("\r\n\r\n") < 0) return;
      answered = true;
      clearTimeout(timer);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] ?? 0);
      note(statuses, String(status));
      entry = { socket, kind: status === 101 ? "admitted" : status === 503 ? "refused" : "other", closedByServer: false };
      held.push(entry);
      if (entry.kind === "admitted") peakOpenAdmitted = Math.max(peakOpenAdmitted, ++openAdmitted);
      done();
    });
    socket.write(upgradeRequest(host, port));
  });
}

function counts() {
  const c = { admitted: 0, refused: 0, other: 0, failed, admittedClosed: 0, refusedClosed: 0, peakOpenAdmitted, statuses, errors };
  for (const h of held) {
    c[h.kind]++;
    if (h.closedByServer && h.kind === "admitted") c.admittedClosed++;
    if (h.closedByServer && h.kind === "refused") c.refusedClosed++;
  }
  return c;
}

function say(event: string, extra: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, ...counts(), ...extra })}\n`);
}

async function closeAll(): Promise<void> {
  if (letGo) return;
  letGo = true;
  // A reset, not a FIN: a closing side that sends FIN keeps each local port in TIME_WAIT for a
  // minute, and ports bound to an explicit address are then refused to every other connect too.
  for (const h of held) h.socket.resetAndDestroy();
  say("closed");
  process.exit(0);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  let started = 0;
  const worker = async () => {
    while (started < count && !letGo) {
      started++;
      await attempt();
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, count) }, worker));
  say("opened", { ms: performance.now() - t0 });
}

let pendingInput = "";
process.stdin.on("data", (chunk: Buffer) => {
  pendingInput += chunk.toString("utf8");
  for (let nl = pendingInput.indexOf("\n"); nl >= 0; nl = pendingInput.indexOf("\n")) {
    const line = pendingInput.slice(0, nl).trim();
    pendingInput = pendingInput.slice(nl + 1);
    if (line === "status") say("status");
    else if (line === "close") void closeAll();
  }
});
process.stdin.on("end", () => void closeAll());
void main();

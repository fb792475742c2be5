// bench/profile-tools.ts: drives agent turns (the tools group's kinds, against the same upstream stub
// and config) through a gateway started with extra bun flags, to profile the gateway's own work per
// turn. Not part of `bun run bench`; its figures are for comparing a change, the bench's are the record.
//
//   bun bench/profile-tools.ts [--turns N] [--kind tools|plain] [--out DIR] [--pause S] [--log FILE] [-- <bun flags>]
//
//   --turns N   turns to run (default 300), each beside its model calls made directly, as in the bench
//   --kind      tools (3 rounds of agents_list, then text; the default) or plain (text at once)
//   --out DIR   where the profile goes (default .bench/profile)
//   --pause S   wait S seconds after the gateway is up, before the turns (time to attach perf/strace)
//   --log FILE  keep the gateway's output there (e.g. with BUN_JSC_* diagnostics in the environment)
//   -- FLAGS    bun flags for the gateway instead of the default
//               --cpu-prof --cpu-prof-md --cpu-prof-dir=<out> (written when the gateway exits)
//
// Prints the gateway's user and system CPU per turn (all threads) and the share p50/p90 of the turns.

import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { closeSession, handshake } from "./measure/session.ts";
import { runPair, StubRecord, TurnClient, turnKind } from "./measure/tools.ts";
import { shellQuote } from "./options.ts";
import { isolatedEnv, launch, launchUpstream, stop, writeHttpGatewayConfig, type Sandbox } from "./servers.ts";

const args = process.argv.slice(2);
const dash = args.indexOf("--");
const own = dash < 0 ? args : args.slice(0, dash);
const opt = (name: string, fallback: string) => {
  const i = own.indexOf(`--${name}`);
  return i >= 0 && own[i + 1] !== undefined ? own[i + 1]! : fallback;
};
const turns = Number(opt("turns", "300"));
const kindName = opt("kind", "tools");
const out = resolve(opt("out", ".bench/profile"));
const pause = Number(opt("pause", "0"));
const keepLog = own.includes("--log") ? resolve(opt("log", "")) : undefined;
const flags = dash < 0 ? `--cpu-prof --cpu-prof-md --cpu-prof-dir=${shellQuote(out)}` : args.slice(dash + 1).join(" ");
if (!(turns >= 1) || !(pause >= 0) || (kindName !== "tools" && kindName !== "plain")) {
  console.error("usage: bun bench/profile-tools.ts [--turns N] [--kind tools|plain] [--out DIR] [--pause S] [--log FILE] [-- <bun flags>]");
  process.exit(2);
}

const kind = kindName === "plain"
  ? turnKind("plain", [{ text: "done" }])
  : turnKind("tools", [...Array.from({ length: 3 }, () => ({ calls: [{ name: "agents_list" }] })), { text: "done" }]);

/** User and system CPU ms of a process (all its threads), from /proc (Linux; NaN elsewhere). */
function userSystemMs(pid: number): [number, number] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return [Number(f[11]) * 10, Number(f[12]) * 10]; // USER_HZ 100
  } catch {
    return [Number.NaN, Number.NaN];
  }
}

const dir = mkdtempSync(join(tmpdir(), "oc-profile-"));
const box: Sandbox = { token: crypto.randomUUID(), dir, env: isolatedEnv(join(dir, "home")), prefix: "" };
const upstream = await launchUpstream(box);
try {
  writeHttpGatewayConfig(box.env.HOME!, box.token, upstream.url);
  const gateway = await launch("gateway", `${shellQuote(process.execPath)} ${flags} src/main.ts gateway run --port {port}`, box);
  try {
    const session = await handshake(gateway.url, box.token, 10_000, ["operator.read", "operator.write"]);
    const errors: Record<string, number> = {};
    const pairOpts = { client: new TurnClient(session), record: new StubRecord(upstream.url.replace(/\/v1$/, "")), stubUrl: `${upstream.url}/chat/completions`, pid: gateway.pid, errors };
    if (pause > 0) {
      console.log(`gateway pid ${gateway.pid}; turns start in ${pause} s`);
      await Bun.sleep(pause * 1000);
    }
    const [user0, sys0] = userSystemMs(gateway.pid);
    const t0 = performance.now();
    const shares: number[] = [];
    for (let i = 0; i < turns; i++) {
      const pair = await runPair(pairOpts, kind, new Map(), false, true);
      if (pair) shares.push(pair.turnMs - pair.directMs);
    }
    const [user1, sys1] = userSystemMs(gateway.pid);
    shares.sort((a, b) => a - b);
    const at = (q: number) => shares[Math.min(shares.length - 1, Math.floor(shares.length * q))]?.toFixed(2);
    console.log(`${turns} ${kind.name} turns in ${((performance.now() - t0) / 1000).toFixed(1)} s (pid ${gateway.pid}); errors ${JSON.stringify(errors)}`);
    console.log(`gateway cpu: user ${((user1 - user0) / turns).toFixed(2)} ms/turn, system ${((sys1 - sys0) / turns).toFixed(2)} ms/turn`);
    console.log(`share p50 ${at(0.5)} ms, p90 ${at(0.9)} ms`);
    await closeSession(session);
  } finally {
    await stop(gateway.proc);
    if (keepLog) copyFileSync(gateway.log, keepLog);
  }
} finally {
  await stop(upstream.proc);
  rmSync(dir, { recursive: true, force: true });
}
if (dash < 0) console.log(`profile: ${out}`);

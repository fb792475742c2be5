// bench/options.ts: the command line of `bun run bench` (documented in the header of bench/run.ts)
// and the command templates it implies.

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "..");
export const GROUPS = ["rss", "conns", "hello", "rpc", "startup", "http", "burst", "flood", "nodes", "channels", "tools", "ui", "soak"] as const;
/** What runs without --only: everything but the soak, which runs only when asked (--soak N or --only soak). */
export const DEFAULT_GROUPS = GROUPS.filter((g) => g !== "soak");
/** The scripted OpenAI-compatible upstream the http group puts behind the gateway. */
export const STUB_SCRIPT = join(ROOT, "test/fixtures/openai-stub.ts");
export type Group = (typeof GROUPS)[number];

export interface Options {
  quick: boolean;
  json: boolean;
  check: boolean;
  only: Set<Group>;
  seconds: number;
  warmup: number;
  rounds: number;
  idleConns: number;
  helloN: number;
  settleSeconds: number;
  startupRounds: number;
  /** Measured window of each http round, s. */
  httpSeconds: number;
  /** Simultaneous handshakes of the burst group. */
  burstConns: number;
  /** Sockets the flood group opens from FLOOD_ADDRESS without ever sending connect. */
  floodSockets: number;
  /** How long the flood is held once every socket is answered, s. */
  floodHoldSeconds: number;
  /** Length of the soak, s (--soak N). */
  soakSeconds: number;
  /** Connections the soak holds. */
  soakConns: number;
  /** Read RPCs per second over all soak connections. */
  soakRps: number;
  /** RSS sample interval of the soak, s. */
  soakSampleSeconds: number;
  /** An agent turn every this many seconds during the soak (0: none). */
  soakAgentEverySeconds: number;
  /** Measured window of each node.invoke / health run of the nodes group, s. */
  nodesSeconds: number;
  /** Nodes held connected at once for the memory-per-node figure (each its own key). */
  nodesHeld: number;
  /** Connect + close cycles per kind and round for the connect-CPU figure. */
  nodeConnects: number;
  /** Messages the channels group sends one after another in one Telegram chat (after its warm-up). */
  channelMessages: number;
  /** Chats of the channels group that send at once, each one message per round (two rounds). */
  channelChats: number;
  /** Measured agent turns of each kind (tool rounds, plain) in the tools group. */
  toolTurns: number;
  /** Unmeasured turns of each kind first (JIT, the workspace's first run, connections). */
  toolWarmup: number;
  gatewayCmd: string;
  /** Template for the http group's gateway, which is configured by a file in its HOME. */
  httpGatewayCmd: string;
  gatewayCmdGiven: boolean;
  compiledCmd: string | undefined;
  pin: boolean;
  out: string;
}

function usage(message: string): never {
  console.error(`bench: ${message}`);
  console.error("usage: bun run bench [--quick] [--json] [--only hello,rpc,rss,conns,startup,http,burst,flood,nodes,channels,tools,ui,soak] [--seconds N] [--rounds N]");
  console.error("                     [--conns N] [--http-seconds N] [--burst N] [--flood N] [--nodes N] [--messages N] [--chats N] [--turns N]");
  console.error("                     [--soak SECONDS] [--soak-agent-every S]");
  console.error("                     [--gateway-cmd '...'] [--compiled-cmd '...'|none] [--check]");
  process.exit(2);
}

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

const BUN = shellQuote(process.execPath);
const GATEWAY_ARGS = "gateway run --port {port} --token {token} --allow-unconfigured";
/** The http group's config file sets gateway.mode and the token, so neither flag is needed. */
const HTTP_GATEWAY_ARGS = "gateway run --port {port}";
export const BARE_CMD = `${BUN} bench/bare.ts --port {port} --token {token}`;
const COMPILED_BIN = join(ROOT, "dist", process.platform === "win32" ? "openclaw.exe" : "openclaw");

export function parseOptions(argv: readonly string[]): Options {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const takesValue = new Set(["only", "seconds", "rounds", "conns", "gateway-cmd", "compiled-cmd", "out", "http-seconds", "burst", "flood", "nodes", "messages", "chats", "turns", "soak", "soak-agent-every"]);
  const known = new Set([...takesValue, "quick", "json", "check", "no-pin", "help"]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) usage(`unexpected argument ${arg}`);
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    if (!known.has(name)) usage(`unknown option --${name}`);
    if (takesValue.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) usage(`--${name} needs a value`);
      values.set(name, value);
    } else switches.add(name);
  }
  if (switches.has("help")) usage("options are listed in the header of bench/run.ts");
  const quick = switches.has("quick");
  const num = (name: string, fallback: number, min: number, max: number): number => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max) usage(`--${name} must be a number in [${min}, ${max}]`);
    return v;
  };
  let only = new Set<Group>(values.has("soak") ? [] : DEFAULT_GROUPS);
  const onlyRaw = values.get("only");
  if (onlyRaw !== undefined) {
    only = new Set();
    for (const g of onlyRaw.split(",").map((x) => x.trim()).filter(Boolean)) {
      if (!(GROUPS as readonly string[]).includes(g)) usage(`--only: unknown group "${g}" (groups: ${GROUPS.join(", ")})`);
      only.add(g as Group);
    }
  }
  if (values.has("soak")) only.add("soak");
  const gatewayCmdGiven = values.has("gateway-cmd");
  const gatewayCmd = values.get("gateway-cmd") ?? `${BUN} src/main.ts ${GATEWAY_ARGS}`;
  let compiledCmd: string | undefined = values.get("compiled-cmd");
  if (compiledCmd === "none") compiledCmd = undefined;
  else if (compiledCmd === undefined && !gatewayCmdGiven && existsSync(COMPILED_BIN))
    compiledCmd = `${shellQuote(COMPILED_BIN)} ${GATEWAY_ARGS}`;
  return {
    quick,
    json: switches.has("json"),
    check: switches.has("check"),
    only,
    seconds: num("seconds", quick ? 1 : 4, 0.1, 60),
    warmup: quick ? 0.25 : 1,
    rounds: Math.round(num("rounds", quick ? 1 : 2, 1, 10)),
    idleConns: Math.round(num("conns", quick ? 200 : 1000, 1, 10_000)),
    helloN: quick ? 40 : 250,
    settleSeconds: quick ? 1 : 3,
    startupRounds: quick ? 1 : 3,
    httpSeconds: num("http-seconds", quick ? 0.75 : 2.5, 0.1, 60),
    burstConns: Math.round(num("burst", quick ? 200 : 1000, 1, 10_000)),
    floodSockets: Math.round(num("flood", quick ? 2500 : 5000, 1, 20_000)),
    floodHoldSeconds: quick ? 1 : 3,
    soakSeconds: num("soak", quick ? 20 : 600, 1, 86_400),
    soakConns: quick ? 100 : 1000,
    soakRps: quick ? 100 : 500,
    soakSampleSeconds: quick ? 2 : 10,
    soakAgentEverySeconds: num("soak-agent-every", 2, 0, 3600),
    nodesSeconds: num("seconds", quick ? 1 : 4, 0.1, 60) / 2,
    nodesHeld: Math.round(num("nodes", quick ? 200 : 1000, 1, 5_000)),
    nodeConnects: quick ? 200 : 1000,
    channelMessages: Math.round(num("messages", quick ? 40 : 200, 1, 100_000)),
    channelChats: Math.round(num("chats", 100, 1, 5_000)),
    toolTurns: Math.round(num("turns", quick ? 40 : 200, 1, 100_000)),
    toolWarmup: quick ? 5 : 20,
    gatewayCmd,
    httpGatewayCmd: values.get("gateway-cmd") ?? `${BUN} src/main.ts ${HTTP_GATEWAY_ARGS}`,
    gatewayCmdGiven,
    compiledCmd,
    pin: !switches.has("no-pin"),
    out: resolve(values.get("out") ?? join(ROOT, ".bench", "last.json")),
  };
}

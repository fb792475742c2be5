// Bonjour across a virtual LAN: two network namespaces this test creates, joined by a veth pair
// (A = 10.77.0.1, B = 10.77.0.2), so nothing reaches a real network. A gateway bound beyond
// loopback in A is discovered from B (our `gateway discover` and python-zeroconf) and reachable
// there at the advertised address; a loopback-bound gateway is found inside A but never heard in B.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { openNetnsPair, type LanHost, type NetnsPair } from "../fixtures/netns.ts";
import { CLI, makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { startZeroconfBrowser, zeroconfPython, type ZeroconfBrowser } from "../fixtures/zeroconf.ts";

const opened = await openNetnsPair();
const skipReason = "skip" in opened ? opened.skip : undefined;
if (skipReason) console.warn(`[discovery-lan e2e] skipped: ${skipReason}`);
const pair = opened as NetnsPair;
afterAll(() => pair.close?.());

const python = skipReason ? undefined : zeroconfPython();
if (!skipReason && !python) console.warn("[discovery-lan e2e] independent-browser checks skipped: python3-zeroconf is not installed");

const TOKEN = "discovery-lan-e2e-token-0123456789";
const HOST_LABEL = "gwlan";
const running: Spawned[] = [];
const browsers: ZeroconfBrowser[] = [];

afterEach(async () => {
  for (const b of browsers.splice(0)) await b.stop();
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

const logs = (s: Spawned) => s.stdout() + s.stderr();
const waitForLog = (s: Spawned, re: RegExp, timeoutMs = 20_000) =>
  waitUntil(() => re.exec(logs(s)), `log line ${re}`, { timeoutMs, detail: () => logs(s) });

async function startGateway(port: number, bind: string[], config: Record<string, unknown> = {}): Promise<Spawned> {
  const home = makeHome({ gateway: { mode: "local", auth: { token: TOKEN }, ...config } });
  const s = spawnCli(["gateway", "run", "--port", String(port), ...bind], {
    home,
    prefix: pair.a.prefix,
    env: { OPENCLAW_DISABLE_BONJOUR: "0", OPENCLAW_MDNS_HOSTNAME: HOST_LABEL },
  });
  running.push(s);
  await s.ready;
  await waitForLog(s, /bonjour: advertised gateway .* port=\d+/);
  return s;
}

/** Runs the CLI inside one side of the LAN. */
async function cliIn(side: LanHost, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([...side.prefix, ...CLI, ...args], {
    env: { PATH: process.env.PATH!, HOME: makeHome(), NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

type Beacon = { instanceName: string; host: string; port: number; txt: Record<string, string>; wsUrl: string; addresses: string[] };
async function discoverIn(side: LanHost, timeoutMs = 1500): Promise<{ count: number; beacons: Beacon[] }> {
  const r = await cliIn(side, ["gateway", "discover", "--json", "--timeout", String(timeoutMs)]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** Discovers until a beacon for `port` shows up (multicast is lossy; the responder may still be announcing). */
function discoverPort(side: LanHost, port: number, detail: () => string): Promise<Beacon> {
  return waitUntil(async () => (await discoverIn(side)).beacons.find((b) => b.port === port), `discover in ${side.address} to find port ${port}`, { timeoutMs: 25_000, detail });
}

/** python-zeroconf browsing on one side's interface address; its events as parsed JSON lines. */
async function zeroconfIn(side: LanHost, address: string): Promise<Record<string, unknown>[]> {
  const browser = await startZeroconfBrowser(python!, side.prefix, 50, address);
  browsers.push(browser);
  return browser.events;
}

/** The beacon's ws:// URL with its .local host replaced by an advertised address (no mDNS resolver in the namespace). */
function urlVia(beacon: Beacon, address: string): string {
  const url = new URL(beacon.wsUrl);
  expect(url.hostname).toBe(beacon.host);
  url.hostname = address;
  return url.toString().replace(/\/$/, "");
}

describe.skipIf(!!skipReason)("Bonjour on a virtual LAN (two namespaces joined by a veth pair)", () => {
  test("--bind lan: B discovers it with gatewayDirectReachable=1 at 10.77.0.1 and connects through the advertised address", async () => {
    const s = await startGateway(18941, ["--bind", "lan"]);
    const beacon = await discoverPort(pair.b, 18941, () => logs(s));
    expect(beacon.host).toBe(`${HOST_LABEL}.local`);
    expect(beacon.wsUrl).toBe(`ws://${HOST_LABEL}.local:18941`);
    expect(beacon.txt.gatewayDirectReachable).toBe("1");
    // What B hears on the LAN is A's LAN address, never A's loopback.
    expect(beacon.addresses).toEqual([pair.a.address]);

    const url = urlVia(beacon, pair.a.address);
    expect(url).toBe("ws://10.77.0.1:18941");
    const call = await cliIn(pair.b, ["gateway", "call", "health", "--json", "--url", url, "--token", TOKEN]);
    expect(call.code, call.stderr + logs(s)).toBe(0);
    expect(JSON.parse(call.stdout)).toMatchObject({ ok: true });
  }, 60_000);

  test.skipIf(!python)("--bind lan: python-zeroconf in B resolves the gateway to 10.77.0.1 with the LAN TXT", async () => {
    const events = await zeroconfIn(pair.b, pair.b.address);
    const s = await startGateway(18942, ["--bind", "lan"]);
    const added = await waitUntil(() => events.find((e) => e.event === "added"), "zeroconf in B to resolve the gateway", {
      timeoutMs: 25_000,
      detail: () => JSON.stringify(events) + logs(s),
    });
    expect(added.server).toBe(`${HOST_LABEL}.local.`);
    expect(added.port).toBe(18942);
    expect(added.addresses).toEqual([pair.a.address]);
    expect(added.txt).toMatchObject({ role: "gateway", gatewayPort: "18942", lanHost: `${HOST_LABEL}.local`, gatewayDirectReachable: "1", transport: "gateway" });
  }, 60_000);

  test("gateway.bind custom 10.77.0.1: B discovers it at that address only", async () => {
    const s = await startGateway(18943, [], { bind: "custom", customBindHost: pair.a.address });
    const beacon = await discoverPort(pair.b, 18943, () => logs(s));
    expect(beacon.txt.gatewayDirectReachable).toBe("1");
    expect(beacon.addresses).toEqual([pair.a.address]);
    const call = await cliIn(pair.b, ["gateway", "call", "health", "--json", "--url", urlVia(beacon, pair.a.address), "--token", TOKEN]);
    expect(call.code, call.stderr).toBe(0);
  }, 60_000);

  test("loopback bind: discover inside A finds it; B, on the LAN, hears nothing", async () => {
    const heardInB = python ? await zeroconfIn(pair.b, pair.b.address) : undefined;
    const s = await startGateway(18944, ["--bind", "loopback"]);
    // Found where it is reachable (A's loopback), so it is advertising and answering.
    const local = await discoverPort(pair.a, 18944, () => logs(s));
    expect(local.txt.gatewayDirectReachable).toBeUndefined();
    expect(local.addresses).not.toContain(pair.a.address);

    const remote = await discoverIn(pair.b, 3000);
    expect(remote).toMatchObject({ count: 0, beacons: [] });
    // The independent browser in B has been listening since before the gateway started: no
    // announcement or answer crossed the link either.
    if (heardInB) expect(heardInB.filter((e) => e.event !== "ready")).toEqual([]);
    // And the gateway is indeed unreachable from B.
    const call = await cliIn(pair.b, ["gateway", "call", "health", "--json", "--url", `ws://${pair.a.address}:18944`, "--token", TOKEN, "--timeout", "3000"]);
    expect(call.code).not.toBe(0);
  }, 60_000);
});

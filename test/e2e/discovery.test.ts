// Bonjour advertising and `gateway discover`, on the wire, inside a network namespace this test
// creates (only loopback, multicast routed to lo), so nothing reaches a real network. Checks our
// advertisement with an independent implementation (python-zeroconf), a name conflict between
// two gateways, goodbyes on stop, the TXT of minimal/full modes and hot-applied mode changes.
import { afterAll, afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { fakeSshDir } from "../fixtures/fake-ssh.ts";
import { openNetns, type Netns } from "../fixtures/netns.ts";
import { CLI, makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { startZeroconfBrowser, zeroconfPython } from "../fixtures/zeroconf.ts";

setDefaultTimeout(60_000);

const opened = await openNetns();
const skipReason = "skip" in opened ? opened.skip : undefined;
if (skipReason) console.warn(`[discovery e2e] skipped: ${skipReason}`);
const ns = opened as Netns;
afterAll(() => ns.close?.());

const python = skipReason ? undefined : zeroconfPython();
if (!skipReason && !python) console.warn("[discovery e2e] independent-browser test skipped: python3-zeroconf is not installed (apt-get install python3-zeroconf)");

const TOKEN = "discovery-e2e-token-0123456789";
const HOST_LABEL = "gwtest";
const display = hostname().trim().replace(/\.local\.?$/i, "") || "openclaw";
const INSTANCE = /openclaw/i.test(display) ? display : `${display} (OpenClaw)`;
const running: Spawned[] = [];

afterEach(async () => {
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

function gatewayConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { gateway: { mode: "local", auth: { token: TOKEN } }, ...extra };
}

async function startGateway(port: number, opts: { config?: Record<string, unknown>; env?: Record<string, string> } = {}) {
  const home = makeHome(opts.config ?? gatewayConfig());
  const s = spawnCli(["gateway", "run", "--port", String(port)], {
    home,
    prefix: ns.prefix,
    env: { OPENCLAW_DISABLE_BONJOUR: "0", OPENCLAW_MDNS_HOSTNAME: HOST_LABEL, ...opts.env },
  });
  running.push(s);
  await s.ready;
  return { s, file: join(home, ".openclaw/openclaw.json") };
}

const logs = (s: Spawned) => s.stdout() + s.stderr();
const waitForLog = (s: Spawned, re: RegExp, timeoutMs = 20_000) =>
  waitUntil(() => re.exec(logs(s)), `log line ${re}`, { timeoutMs, detail: () => logs(s) });

async function discover(args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([...ns.prefix, ...CLI, "gateway", "discover", "--timeout", "1500", ...args], {
    env: { PATH: process.env.PATH!, HOME: makeHome(), NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

type Beacon = { instanceName: string; displayName: string; domain: string; host: string; port: number; txt: Record<string, string>; wsUrl: string; addresses: string[] };
async function discoverJson(): Promise<{ timeoutMs: number; domains: string[]; count: number; beacons: Beacon[] }> {
  const r = await discover(["--json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function gatewayStatusRun(port: number, json: boolean): Promise<string> {
  const proc = Bun.spawn([...ns.prefix, ...CLI, "gateway", "status", "--url", `ws://127.0.0.1:${port}`, "--token", TOKEN, ...(json ? ["--json"] : [])], {
    env: { PATH: process.env.PATH!, HOME: makeHome(), NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect(code, stderr).toBe(0);
  return stdout;
}
const gatewayStatus = async (port: number) => JSON.parse(await gatewayStatusRun(port, true));
const gatewayStatusHuman = (port: number) => gatewayStatusRun(port, false);

function save(file: string, config: object): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(config, null, 2));
  renameSync(tmp, file);
}

describe.skipIf(!!skipReason)("Bonjour in a private network namespace", () => {
  test.skipIf(!python)("python-zeroconf finds our advertisement with the minimal TXT, and sees it removed on stop (goodbye)", async () => {
    const browser = await startZeroconfBrowser(python!, ns.prefix, 40);
    const events = browser.events;
    try {
      const { s } = await startGateway(18931);
      const added = await waitUntil(() => events.find((e) => e.event === "added"), "zeroconf to resolve the gateway", { timeoutMs: 20_000, detail: () => JSON.stringify(events) + logs(s) });
      expect(added.name).toBe(`${INSTANCE}._openclaw-gw._tcp.local.`);
      expect(added.server).toBe(`${HOST_LABEL}.local.`);
      expect(added.port).toBe(18931);
      // Loopback bind: loopback addresses only, nothing from another interface.
      expect((added.addresses as string[]).sort()).toEqual(["127.0.0.1", "::1"]);
      expect(added.txt).toEqual({ role: "gateway", gatewayPort: "18931", lanHost: `${HOST_LABEL}.local`, displayName: display.replace(/ \(OpenClaw\)$/, ""), transport: "gateway" });
      await waitForLog(s, /bonjour: advertised gateway fqdn=.*_openclaw-gw\._tcp\.local\. host=gwtest\.local\. port=18931/);

      s.proc.kill("SIGTERM");
      expect(await s.exited).toBe(0);
      const removed = await waitUntil(() => events.find((e) => e.event === "removed"), "the goodbye to reach zeroconf", { timeoutMs: 10_000, detail: () => JSON.stringify(events) });
      expect(removed.name).toBe(added.name);
      expect(logs(s)).toContain("bonjour: stopped advertising");
    } finally {
      await browser.stop();
    }
  });

  test("two gateways with one name: the second is renamed by probing, discover lists both with wsUrl from SRV", async () => {
    const a = await startGateway(18932);
    await waitForLog(a.s, /bonjour: advertised gateway/);
    const b = await startGateway(18933);
    await waitForLog(b.s, /bonjour: name conflict resolved; newName=.* \(2\)/);
    await waitForLog(b.s, /bonjour: advertised gateway/);

    const doc = await discoverJson();
    expect(doc.timeoutMs).toBe(1500);
    expect(doc.domains).toEqual(["local."]);
    expect(doc.count).toBe(2);
    const byPort = Object.fromEntries(doc.beacons.map((x) => [x.port, x]));
    expect(byPort[18932]!.instanceName).toBe(INSTANCE);
    expect(byPort[18933]!.instanceName).toBe(`${INSTANCE} (2)`);
    for (const [port, beacon] of Object.entries(byPort)) {
      expect(Object.keys(beacon)).toEqual(["instanceName", "displayName", "domain", "host", "port", "txt", "lanHost", "role", "transport", "gatewayPort", "addresses", "wsUrl"]);
      expect(beacon.domain).toBe("local.");
      expect(beacon.wsUrl).toBe(`ws://${beacon.host}:${port}`);
      expect(beacon.addresses).toContain("127.0.0.1");
    }
    // The first keeps its host label; the second's host name was taken as well.
    expect(byPort[18932]!.host).toBe(`${HOST_LABEL}.local`);
    expect(byPort[18933]!.host).not.toBe(`${HOST_LABEL}.local`);

    // Each gateway reports its own advertisement, with the name it ended up with.
    const st = await gatewayStatus(18933);
    expect(st.rpc.discovery.mdns).toMatchObject({ mode: "minimal", advertising: true, instanceName: `${INSTANCE} (2)`, interfaces: ["lo"], reason: "OPENCLAW_DISABLE_BONJOUR=0" });
    expect(st.rpc.discovery.mdns.hostname).toBe(byPort[18933]!.host);
    const human0 = await gatewayStatusHuman(18932);
    expect(human0).toContain(`Bonjour: advertising "${INSTANCE}" (minimal, announced) as ${HOST_LABEL}.local on lo`);

    const human = await discover();
    expect(human.stdout).toContain("Gateway Discovery");
    expect(human.stdout).toContain("Found 2 gateway(s) · domains: local.");
    expect(human.stdout).toContain(`ws: ws://${HOST_LABEL}.local:18932`);
  });

  test("full mode TXT (tailnetDns, cliPath, sshPort in order); hot reload to minimal re-announces, to off sends goodbyes", async () => {
    const full = gatewayConfig({ discovery: { mdns: { mode: "full" } } });
    const { s, file } = await startGateway(18934, {
      config: full,
      env: { OPENCLAW_SSH_PORT: "2222", OPENCLAW_CLI_PATH: "/opt/openclaw/bin/openclaw", OPENCLAW_TAILNET_DNS: "gw.tail1234.ts.net." },
    });
    await waitForLog(s, /bonjour: advertised gateway/);
    let doc = await discoverJson();
    expect(doc.count).toBe(1);
    const beacon = doc.beacons[0]!;
    expect(Object.entries(beacon.txt)).toEqual([
      ["role", "gateway"],
      ["gatewayPort", "18934"],
      ["lanHost", `${HOST_LABEL}.local`],
      ["displayName", display.replace(/ \(OpenClaw\)$/, "")],
      ["tailnetDns", "gw.tail1234.ts.net"],
      ["cliPath", "/opt/openclaw/bin/openclaw"],
      ["transport", "gateway"],
      ["sshPort", "2222"],
    ]);
    expect(beacon).toMatchObject({ tailnetDns: "gw.tail1234.ts.net", cliPath: "/opt/openclaw/bin/openclaw", sshPort: 2222, gatewayPort: 18934 });

    save(file, gatewayConfig({ discovery: { mdns: { mode: "minimal" } } }));
    await waitForLog(s, /bonjour: TXT updated \(mode=minimal\)/);
    doc = await waitUntil(async () => {
      const d = await discoverJson();
      return d.count === 1 && !("sshPort" in d.beacons[0]!.txt) ? d : undefined;
    }, "the minimal TXT on the wire");
    expect(Object.keys(doc.beacons[0]!.txt)).toEqual(["role", "gatewayPort", "lanHost", "displayName", "transport"]);

    save(file, gatewayConfig({ discovery: { mdns: { mode: "off" } } }));
    await waitForLog(s, /bonjour: stopped advertising .*discovery\.mdns\.mode is off/);
    doc = await discoverJson();
    expect(doc).toEqual({ timeoutMs: 1500, domains: ["local."], count: 0, beacons: [] });
    expect(logs(s)).not.toContain("restarting");
    expect((await gatewayStatus(18934)).rpc.discovery.mdns).toMatchObject({ mode: "off", advertising: false, instanceName: null, reason: "discovery.mdns.mode is off" });
  });

  test("gateway probe --ssh-auto tunnels to the host discovery found, probes through it, and closes the tunnel", async () => {
    const { s } = await startGateway(18936);
    await waitForLog(s, /bonjour: advertised gateway/);
    const tmp = makeHome();
    const log = join(tmp, "ssh-argv.log");
    const proc = Bun.spawn([...ns.prefix, ...CLI, "gateway", "probe", "--ssh-auto", "--port", "18936", "--token", TOKEN, "--json"], {
      env: { PATH: `${fakeSshDir(tmp)}:${process.env.PATH}`, HOME: makeHome(), NO_COLOR: "1", FAKE_SSH_LOG: log },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect(code, stderr).toBe(0);
    const d = JSON.parse(stdout);
    expect(d.discovery.count).toBe(1);
    expect(d.discovery.beacons[0]).toMatchObject({ host: `${HOST_LABEL}.local`, port: 18936 });
    const tunnel = d.targets.find((t: { id: string }) => t.id === "sshTunnel");
    // The SRV host, not a TXT hint; the remote port is the probed gateway port.
    expect(tunnel.tunnel).toMatchObject({ kind: "ssh", target: `${HOST_LABEL}.local`, remotePort: 18936 });
    expect(tunnel.connect).toMatchObject({ ok: true, scopeLimited: true });
    const argv = JSON.parse(readFileSync(log, "utf8").trim()) as string[];
    expect(argv.slice(0, 3)).toEqual(["-N", "-L", `${tunnel.tunnel.localPort}:127.0.0.1:18936`]);
    expect(argv.at(-1)).toBe(`${HOST_LABEL}.local`);
    // Through the tunnel and on loopback it is one gateway.
    expect(d.warnings.map((w: { code: string }) => w.code)).not.toContain("multiple_gateways");
  });

  test("OPENCLAW_DISABLE_BONJOUR=1 advertises nothing, even with the bonjour plugin enabled", async () => {
    const { s } = await startGateway(18935, {
      config: gatewayConfig({ plugins: { entries: { bonjour: { enabled: true } } } }),
      env: { OPENCLAW_DISABLE_BONJOUR: "1" },
    });
    const doc = await discoverJson();
    expect(doc.count).toBe(0);
    expect(logs(s)).not.toContain("bonjour: advertised");
  });
});

// `openclaw gateway probe` (the real CLI, spawned) against gateways in this process: the JSON shape,
// a dead port, two gateways at once, a refused token, and SSH tunnels through a fake `ssh`.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startTestGateway, tempDir, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { fakeSshDir } from "../fixtures/fake-ssh.ts";

setDefaultTimeout(60_000);

const ROOT = resolve(import.meta.dir, "../..");
let a: TestGateway;
let b: TestGateway;
let deadPort: number;

function freePort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

beforeAll(async () => {
  a = await startTestGateway();
  b = await startTestGateway();
  deadPort = freePort();
});
afterAll(async () => {
  await a.stop();
  await b.stop();
});

/** A HOME whose config puts the local gateway on `port` with the test token. */
function home(port: number): string {
  const h = tempDir("probe-home-");
  mkdirSync(join(h, ".openclaw"), { recursive: true });
  writeFileSync(join(h, ".openclaw", "openclaw.json"), JSON.stringify({ gateway: { port, auth: { mode: "token", token: TEST_TOKEN } } }));
  return h;
}

async function probe(args: string[], opts: { home: string; PATH?: string; env?: Record<string, string> }) {
  const proc = Bun.spawn([process.execPath, join(ROOT, "src/main.ts"), "gateway", "probe", ...args], {
    cwd: ROOT,
    // No Bonjour pass: tests stay off the machine's real network (the netns discovery test covers it).
    env: { PATH: opts.PATH ?? process.env.PATH ?? "", HOME: opts.home, NO_COLOR: "1", OPENCLAW_DISABLE_BONJOUR: "1", ...opts.env }, stdout: "pipe", stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

const TOP_KEYS = ["ok", "degraded", "capability", "ts", "durationMs", "timeoutMs", "primaryTargetId", "warnings", "network", "discovery", "targets"];
const TARGET_KEYS = ["id", "kind", "url", "active", "tunnel", "connect", "auth", "server", "self", "config", "health", "summary", "presence"];

describe("gateway probe --json", () => {
  test("explicit URL with a token: reachable, connect-only, scope-limited, no device identity made; loopback refused", async () => {
    const h = home(deadPort);
    const r = await probe(["--url", a.url, "--token", TEST_TOKEN, "--json"], { home: h });
    expect(r.code).toBe(0);
    const d = r.json();
    expect(Object.keys(d)).toEqual(TOP_KEYS);
    expect(d).toMatchObject({ ok: true, degraded: true, capability: "connected_no_operator_scope", timeoutMs: 3000, primaryTargetId: "explicit" });
    expect(d.network).toEqual({ localLoopbackUrl: `ws://127.0.0.1:${deadPort}`, localTailnetUrl: null, tailnetIPv4: null });
    expect(d.discovery).toMatchObject({ timeoutMs: 1200 });
    expect(d.warnings.map((w: { code: string }) => w.code)).toEqual(["probe_scope_limited"]);
    expect(d.warnings[0].targetIds).toEqual(["explicit"]);
    expect(d.targets.map((t: { id: string }) => t.id)).toEqual(["explicit", "localLoopback"]);
    const [explicit, loop] = d.targets;
    expect(Object.keys(explicit)).toEqual(TARGET_KEYS);
    expect(explicit).toMatchObject({
      kind: "explicit", url: a.url, active: true, tunnel: null,
      connect: { ok: true, rpcOk: false, scopeLimited: true, error: "missing scope: operator.read", close: null },
      auth: { role: "operator", scopes: [], capability: "connected_no_operator_scope" },
      server: { version: expect.any(String), connId: expect.any(String) },
      summary: null, presence: null, config: null,
    });
    expect(explicit.connect.latencyMs).toBeGreaterThanOrEqual(0);
    // health is always allowed, so even a connect-only probe has it.
    expect(explicit.health.ok).toBe(true);
    expect(loop.connect).toEqual({
      ok: false, rpcOk: false, scopeLimited: false, latencyMs: null, error: `connect ECONNREFUSED 127.0.0.1:${deadPort}`, close: { code: 1006, reason: "" },
    });
    expect(loop.auth).toEqual({ role: null, scopes: [], capability: "unknown" });
    // A probe never creates a device identity.
    const made = readdirSync(join(h, ".openclaw"), { recursive: true }).map(String);
    expect(made.filter((p) => /identity|device/i.test(p))).toEqual([]);
  });

  test("nothing listening: ok false, no_gateway_reachable, exit 1", async () => {
    const r = await probe(["--port", String(deadPort), "--json"], { home: home(deadPort) });
    expect(r.code).toBe(1);
    const d = r.json();
    expect(d).toMatchObject({ ok: false, degraded: false, capability: "unknown", primaryTargetId: null });
    expect(d.warnings.map((w: { code: string }) => w.code)).toEqual(["no_gateway_reachable"]);
    expect(d.targets).toHaveLength(1);
  });

  test("two gateways answering: multiple_gateways with the clean-up hints", async () => {
    const r = await probe(["--url", a.url, "--token", TEST_TOKEN, "--json"], { home: home(b.port) });
    expect(r.code).toBe(0);
    const d = r.json();
    const w = d.warnings.find((x: { code: string }) => x.code === "multiple_gateways");
    expect(w.targetIds).toEqual(["explicit", "localLoopback"]);
    expect(w.message).toContain("openclaw gateway status --deep");
    expect(d.targets.every((t: { connect: { ok: boolean } }) => t.connect.ok)).toBe(true);
  });

  test("the same gateway by two URLs is one gateway", async () => {
    const r = await probe(["--url", `ws://localhost:${a.port}`, "--token", TEST_TOKEN, "--json"], { home: home(a.port) });
    const d = r.json();
    expect(d.targets).toHaveLength(2);
    expect(d.warnings.map((w: { code: string }) => w.code)).not.toContain("multiple_gateways");
  });

  test("a wrong token: reachable but refused, probe_detail_failed with the close, exit 0", async () => {
    const r = await probe(["--url", a.url, "--token", "wrong-token-value", "--port", String(deadPort), "--json"], { home: home(deadPort) });
    expect(r.code).toBe(0);
    const d = r.json();
    expect(d).toMatchObject({ ok: true, degraded: true, capability: "unknown", primaryTargetId: "explicit" });
    expect(d.targets[0].connect).toMatchObject({ ok: false, close: { code: 1008 } });
    expect(d.warnings.map((w: { code: string }) => w.code)).toContain("probe_detail_failed");
  });

  test("human output: verdict, capability label, one block per target", async () => {
    const r = await probe(["--url", a.url, "--token", TEST_TOKEN], { home: home(deadPort) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Reachable: yes\nCapability: connect-only\nProbe budget: 3000ms");
    expect(r.stdout).toMatch(/Explicit URL ws:\/\/127\.0\.0\.1:\d+\n {2}Connect: ok \(\d+ms\) · Capability: connect-only · Read probe: limited - missing scope: operator\.read/);
    expect(r.stdout).toContain(`Local loopback ws://127.0.0.1:${deadPort}\n  Connect: failed - connect ECONNREFUSED`);
  });
});

describe("gateway probe --ssh", () => {
  test("opens the tunnel with ssh -N -L, probes through it, and closes it", async () => {
    const tmp = tempDir("probe-ssh-");
    const log = join(tmp, "argv.log");
    const PATH = fakeSshDir(tmp);
    const r = await probe(["--ssh", "me@box:2222", "--ssh-identity", "/keys/id", "--port", String(a.port), "--token", TEST_TOKEN, "--json"], {
      home: home(deadPort), PATH, env: { FAKE_SSH_LOG: log },
    });
    expect(r.code).toBe(0);
    const d = r.json();
    const tunnel = d.targets.find((t: { id: string }) => t.id === "sshTunnel");
    expect(tunnel.tunnel).toMatchObject({ kind: "ssh", target: "me@box:2222", remotePort: a.port });
    expect(tunnel.connect).toMatchObject({ ok: true, scopeLimited: true });
    const argv = JSON.parse(readFileSync(log, "utf8").trim()) as string[];
    expect(argv.slice(0, 3)).toEqual(["-N", "-L", `${tunnel.tunnel.localPort}:127.0.0.1:${a.port}`]);
    expect(argv).toContain("BatchMode=yes");
    expect(argv.slice(-5)).toEqual(["-i", "/keys/id", "-p", "2222", "me@box"]);
    // The tunnel is gone once the probe has exited.
    await expect(Bun.connect({ hostname: "127.0.0.1", port: tunnel.tunnel.localPort, socket: { data() {} } })).rejects.toThrow();
    // Through the tunnel and on loopback it is one gateway.
    expect(d.warnings.map((w: { code: string }) => w.code)).not.toContain("multiple_gateways");
  });

  test("a failing ssh: ssh_tunnel_failed with its error, the other targets still probed", async () => {
    const tmp = tempDir("probe-ssh-");
    const r = await probe(["--ssh", "me@box", "--port", String(a.port), "--token", TEST_TOKEN, "--json"], {
      home: home(deadPort), PATH: fakeSshDir(tmp), env: { FAKE_SSH_FAIL: "1" },
    });
    expect(r.code).toBe(0);
    const d = r.json();
    const w = d.warnings.find((x: { code: string }) => x.code === "ssh_tunnel_failed");
    expect(w.message).toContain("Connection refused");
    expect(d.targets.map((t: { id: string }) => t.id)).toEqual(["localLoopback"]);
  });

  test("no ssh on PATH: a clear ssh_tunnel_failed; nothing else answering exits 1", async () => {
    const empty = tempDir("no-ssh-");
    expect(existsSync(join(empty, "ssh"))).toBe(false);
    const r = await probe(["--ssh", "me@box", "--port", String(deadPort), "--json"], { home: home(deadPort), PATH: empty });
    expect(r.code).toBe(1);
    const w = r.json().warnings.find((x: { code: string }) => x.code === "ssh_tunnel_failed");
    expect(w.message).toContain("ssh not found on PATH");
  });

  test("--ssh-auto with Bonjour off: says why no tunnel was opened; loopback still probed", async () => {
    const tmp = tempDir("probe-ssh-");
    const log = join(tmp, "argv.log");
    const r = await probe(["--ssh-auto", "--port", String(a.port), "--token", TEST_TOKEN, "--json"], {
      home: home(deadPort), PATH: `${fakeSshDir(tmp)}:${process.env.PATH}`, env: { FAKE_SSH_LOG: log },
    });
    expect(r.code).toBe(0);
    const d = r.json();
    expect(d.discovery).toEqual({ timeoutMs: 1200, count: 0, beacons: [], skipped: "OPENCLAW_DISABLE_BONJOUR is set" });
    expect(d.warnings.find((x: { code: string }) => x.code === "ssh_tunnel_failed").message).toBe("--ssh-auto: discovery is off (OPENCLAW_DISABLE_BONJOUR is set).");
    expect(d.targets.map((t: { id: string }) => t.id)).toEqual(["localLoopback"]);
    expect(existsSync(log)).toBe(false);
  });

  test("a bad --ssh target is a usage error", async () => {
    const r = await probe(["--ssh", "me@bad host", "--json"], { home: home(deadPort) });
    expect(r.code).toBe(2);
    expect(r.json().error.message).toContain("invalid --ssh target");
  });
});

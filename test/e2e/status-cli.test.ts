// `openclaw status` (the real CLI, spawned): from a running gateway, with --deep, and from config
// alone when the gateway is down.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { TEST_TOKEN } from "../fixtures/gateway.ts";
import { runStatus, statusHome } from "../fixtures/status-cli.ts";

setDefaultTimeout(60_000);

let gw: AgentTestGateway;

beforeAll(async () => {
  gw = await startAgentGateway();
  gw.store.ensureSession("agent:main:main", "main");
});
afterAll(async () => {
  await gw.stop();
});

const KEYS = [
  "runtimeVersion", "cliVersion", "pid", "os", "dashboard", "tailscale", "discovery", "update", "telemetry", "gateway", "gatewayService", "agents", "heartbeat",
  "channelSummary", "channels", "nodes", "sessions", "tasks", "eventLoop", "processMemory", "memoryPlugin", "collection",
];
const GATEWAY_KEYS = ["mode", "url", "urlSource", "misconfigured", "reachable", "connectLatencyMs", "self", "error", "authWarning", "authMode"];

describe("openclaw status", () => {
  test("--json from a running gateway: the pinned keys, agents with their sessions, collected from the gateway", async () => {
    const r = await runStatus(["--json"], statusHome(gw.port, { gateway: { port: gw.port, auth: { mode: "token", token: TEST_TOKEN }, tailscale: { mode: "serve" } } }));
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(Object.keys(d)).toEqual(KEYS);
    expect(Object.keys(d.gateway)).toEqual(GATEWAY_KEYS);
    expect(d.gateway).toMatchObject({ mode: "local", url: `ws://127.0.0.1:${gw.port}`, urlSource: "local loopback", reachable: true, error: null, authMode: "token" });
    expect(d.gateway.connectLatencyMs).toBeGreaterThanOrEqual(0);
    expect(d.runtimeVersion).toBe(d.cliVersion);
    expect(d.pid).toBe(process.pid);
    expect(d.dashboard).toBe(`http://127.0.0.1:${gw.port}/`);
    // The running gateway's own state wins over this CLI's config (which says serve).
    expect(d.tailscale).toEqual({ mode: "off", url: null });
    expect(d.discovery.mdns).toMatchObject({ mode: "minimal", advertising: false, instanceName: null });
    expect(d.discovery.mdns.reason).toContain("plugins.entries.bonjour.enabled");
    expect(d.discovery.wideArea).toEqual({ domain: null, zoneFile: null });
    // Tests run from source.
    expect(d.update).toEqual({ channel: "stable", current: d.cliVersion, installKind: "source", command: "git pull && bun install" });
    expect(d.telemetry.enabled).toBe(false);
    // A read-only caller gets counts, not session keys or ages (the gateway redacts them).
    expect(d.agents).toEqual({ defaultId: "main", agents: [{ id: "main", sessionsCount: 1, lastActiveAgeMs: null }], totalSessions: 1 });
    expect(d.heartbeat.agents[0]).toMatchObject({ agentId: "main", enabled: false });
    expect(d.nodes).toEqual({ count: 0, connected: 0 });
    expect(d.channels).toBeNull();
    expect(d.collection).toEqual({ source: "gateway", notCollected: [{ fields: ["channels"], reason: "Live channel probes run with --deep." }] });
  });

  test("--deep adds the live channel probe result", async () => {
    const r = await runStatus(["--json", "--deep"], statusHome(gw.port));
    const d = JSON.parse(r.stdout);
    expect(d.channels).toMatchObject({ channelOrder: [], channels: {} });
    expect(d.collection.notCollected).toEqual([]);
  });

  test("human output: the overview table, sections and next steps", async () => {
    const r = await runStatus([], statusHome(gw.port));
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("OpenClaw status\n\nOverview\n┌");
    expect(r.stdout).toMatch(new RegExp(`│ Gateway +│ local · ws://127\\.0\\.0\\.1:${gw.port} \\(local loopback\\) · reachable \\d+ms · auth token +│`));
    expect(r.stdout).toMatch(/│ Sessions +│ 1 stored +│/);
    expect(r.stdout).toMatch(/│ Discovery +│ not advertising \(the bonjour plugin is off by default/);
    expect(r.stdout).toMatch(/│ Update +│ \S+ · source · update: git pull && bun install +│/);
    expect(r.stdout).toMatch(/│ Telemetry +│ off \(none sent/);
    expect(r.stdout).toContain("\nChannels\nNo channels configured\n");
    expect(r.stdout).toContain("\nSessions\n1 stored (keys need operator.admin)\n");
    expect(r.stdout).toContain("Next steps:");
  });

  test("gateway down: exit 0, reachable false, agents from config, and it says so", async () => {
    const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const dead = l.port;
    l.stop(true);
    const h = statusHome(dead, {
      gateway: { port: dead, auth: { mode: "token", token: TEST_TOKEN }, tailscale: { mode: "serve" } },
      agents: { entries: { ops: { default: true, name: "Ops" }, home: {} } },
    });
    const j = await runStatus(["--json"], h);
    expect(j.code).toBe(0);
    const d = JSON.parse(j.stdout);
    expect(Object.keys(d)).toEqual(KEYS);
    expect(d.gateway).toMatchObject({ reachable: false, connectLatencyMs: null, self: null });
    expect(d.gateway.error).toContain(`127.0.0.1:${dead}`);
    expect(d.runtimeVersion).toBeNull();
    expect(d.tailscale).toEqual({ mode: "serve", url: null });
    expect(d.discovery).toBeNull();
    expect(d.agents.defaultId).toBe("ops");
    expect(d.agents.agents.map((a: { id: string; name?: string }) => [a.id, a.name ?? null]).sort()).toEqual([["home", null], ["ops", "Ops"]]);
    expect(d.collection.source).toBe("config");
    expect(d.collection.notCollected[0].reason).toStartWith("Gateway not reachable");
    const human = await runStatus([], h);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("Gateway not reachable: shown from the local config and service manager only.");
    expect(human.stdout).toContain("openclaw gateway run");
  });
});

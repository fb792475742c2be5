// status and health take the params the published CLI sends and carry the fields it reads.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { METHOD_SPECS } from "../../src/protocol/index.ts";
import { startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { TEST_TOKEN } from "../fixtures/gateway.ts";
import { RawClient } from "../fixtures/ws-client.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { VERSION } from "../../src/version.ts";

let gw: AgentTestGateway;
let admin: RawClient & { hello: any };
let reader: RawClient & { hello: any };

beforeAll(async () => {
  gw = await startAgentGateway();
  gw.store.ensureSession("agent:main:main", "main");
  gw.store.ensureSession("agent:main:other", "main");
  admin = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
  reader = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
});
afterAll(async () => {
  admin.close();
  reader.close();
  await gw.stop();
});

function valid(method: "status" | "health", payload: unknown): void {
  const parsed = METHOD_SPECS[method].result.safeParse(payload);
  if (!parsed.success) throw new Error(`${method}: ${parsed.error.message}`);
}

describe("status", () => {
  test("accepts the published CLI's params and adds cliProjection on request", async () => {
    const res = await admin.request("status", { includeChannelSummary: false, includeCliProjection: true });
    expect(res.error).toBeUndefined();
    valid("status", res.payload);
    const p = res.payload;
    expect(p.runtimeVersion).toBe(VERSION);
    expect(p.cliProjection.agents).toEqual({ defaultId: "main", ownership: "sole", selectionRequired: false, rows: [{ id: "main" }] });
    expect(p.cliProjection.updateChannel).toBeNull();
    expect(p.cliProjection.memoryPlugin.enabled).toBe(false);
    expect(p.heartbeat).toEqual({ defaultAgentId: "main", agents: [{ agentId: "main", enabled: false, every: "disabled", everyMs: null, waitingForRoute: false }] });
    expect(p.channelSummary).toEqual([]);
    expect(p.tasks.total).toBe(0);
    expect(Object.keys(p.taskAudit.byCode)).toContain("stale_running");
  });

  test("without includeCliProjection there is no projection", async () => {
    const p = (await admin.request("status", {})).payload;
    expect("cliProjection" in p).toBe(false);
  });

  test("sessions per agent: admins see paths and keys, readers only counts", async () => {
    const a = (await admin.request("status", {})).payload.sessions;
    expect(a.count).toBe(2);
    expect(a.paths).toEqual([gw.storePath]);
    expect(a.byAgent).toHaveLength(1);
    expect(a.byAgent[0]).toMatchObject({ agentId: "main", path: gw.storePath, count: 2 });
    expect(a.byAgent[0].recent.map((r: { key: string }) => r.key).sort()).toEqual(["agent:main:main", "agent:main:other"]);
    expect(a.recent[0]).toHaveProperty("age");
    const r = (await reader.request("status", { includeCliProjection: true })).payload.sessions;
    expect(r).toEqual({ paths: [], count: 2, defaults: { model: null, contextTokens: null }, recent: [], byAgent: [{ agentId: "main", path: "[redacted]", count: 2, recent: [] }] });
  });

  test("discovery and tailscale: what this gateway exposes, and why not; zone paths redacted for readers", async () => {
    const p = (await admin.request("status", {})).payload;
    expect(p.tailscale).toEqual({ mode: "off", url: null });
    expect(p.discovery.mdns).toMatchObject({ mode: "minimal", advertising: false, instanceName: null, hostname: null, state: null, interfaces: null });
    // Linux default: the bonjour plugin is off unless enabled (or forced with OPENCLAW_DISABLE_BONJOUR=0).
    if (process.platform === "linux" && !process.env.OPENCLAW_DISABLE_BONJOUR) expect(p.discovery.mdns.reason).toContain("plugins.entries.bonjour.enabled");
    expect(p.discovery.wideArea).toEqual({ domain: null, zoneFile: null });
  });

  test("other keys are still refused", async () => {
    const res = await admin.request("status", { includeEverything: true });
    expect(res.ok).toBe(false);
    expect(res.error!.code).toBe("INVALID_REQUEST");
  });
});

describe("health", () => {
  test("each agent has its heartbeat settings and its session store; the loop has reasons and CPU share", async () => {
    for (const params of [undefined, {}, { probe: true }]) {
      const res = await admin.request("health", params);
      expect(res.ok).toBe(true);
      valid("health", res.payload);
    }
    // health serves a snapshot up to a second old: wait for one taken after the sessions were made.
    const h = await waitUntil(async () => {
      const p = (await reader.request("health", {})).payload;
      return p.sessions.count === 2 ? p : undefined;
    }, "a health snapshot with both sessions");
    expect(h.agents).toEqual([
      expect.objectContaining({
        agentId: "main", isDefault: true,
        heartbeat: { enabled: false, every: "disabled", everyMs: null, target: "owner", ackMaxChars: 300 },
        sessions: expect.objectContaining({ path: gw.storePath, count: 2 }),
      }),
    ]);
    expect(h.eventLoop.reasons).toEqual([]);
    expect(h.eventLoop.degradedSinceMs).toBeNull();
    expect(typeof h.eventLoop.cpuCoreRatio).toBe("number");
  });
});

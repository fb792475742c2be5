// Our node host against our gateway, in one process: pairing, approval, invokes, cancel, token
// reuse and loss, fatal refusals, and a gateway that goes silent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NodeHost, type NodeHostOptions } from "../../../src/nodes/host/host.ts";
import { DeviceTokens, loadOrCreateIdentity } from "../../../src/nodes/host/state.ts";
import { SYSTEM_COMMANDS } from "../../../src/nodes/host/system.ts";
import { startTestGateway, tempDir, TEST_TOKEN, type TestGateway } from "../../fixtures/gateway.ts";
import { waitUntil } from "../../fixtures/wait.ts";
import { RawClient } from "../../fixtures/ws-client.ts";

interface Harness {
  host: NodeHost;
  lines: string[];
  deviceId: string;
  dir: string;
}

const hosts: NodeHost[] = [];

function startHost(url: string, over: Partial<NodeHostOptions> & { dir?: string } = {}): Harness {
  const dir = over.dir ?? tempDir("node-");
  const identity = loadOrCreateIdentity(dir);
  const lines: string[] = [];
  const log = (level: string) => (l: string) => lines.push(`${level} ${l}`);
  const host = new NodeHost({
    url, token: TEST_TOKEN, identity, tokens: new DeviceTokens(dir), displayName: "test node", instanceId: "inst-1",
    commands: [...SYSTEM_COMMANDS], hostEnv: { PATH: process.env.PATH, HOME: dir }, statsPath: dir,
    log: { info: log("info"), warn: log("warn"), error: log("error"), debug: log("debug") },
    approvalPollMs: 100,
    ...over,
  });
  hosts.push(host);
  return { host, lines, deviceId: identity.deviceId, dir };
}

afterAll(async () => {
  for (const h of hosts) h.stop();
  await Promise.all(hosts.map((h) => h.done));
});

async function approveSurface(admin: RawClient, nodeId: string): Promise<void> {
  const req = await waitUntil(async () => {
    const list = (await admin.request("node.pair.list", {})).payload;
    return list.pending.find((p: { nodeId: string }) => p.nodeId === nodeId);
  }, "the node's surface request");
  expect((await admin.request("node.pair.approve", { requestId: req.requestId })).ok).toBe(true);
}

describe("against our gateway", () => {
  let g: TestGateway;
  let admin: RawClient;
  let h: Harness;
  const invoke = (command: string, params?: unknown, timeoutMs?: number) =>
    admin.request("node.invoke", { nodeId: h.deviceId, command, params, idempotencyKey: crypto.randomUUID(), ...(timeoutMs ? { timeoutMs } : {}) });

  beforeAll(async () => {
    g = await startTestGateway();
    admin = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.pairing", "operator.write"] });
    h = startHost(g.url);
    await waitUntil(() => h.host.connected, "the node to connect");
    await approveSurface(admin, h.deviceId);
    await waitUntil(() => h.lines.some((l) => l.includes("approved this node's commands")), "the node to hear of the approval");
  });
  afterAll(async () => {
    admin.close();
    await g.stop();
  });

  test("paired silently on loopback; the device token it was given is kept", async () => {
    const nodes = (await admin.request("node.list", {})).payload.nodes;
    expect(nodes.find((n: { nodeId: string }) => n.nodeId === h.deviceId)).toMatchObject({
      displayName: "test node", clientId: "node-host", connected: true, approvalState: "approved",
      commands: [...SYSTEM_COMMANDS].sort(), caps: ["system"],
    });
    expect(new DeviceTokens(h.dir).get(g.url)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test("host stats reach the gateway", async () => {
    // The first report was refused while the surface was pending; approval triggers the next one.
    const stats = await waitUntil(async () => (await admin.request("node.describe", { nodeId: h.deviceId })).payload.hostStats, "host stats");
    expect(stats.cpuCount).toBeGreaterThan(0);
    expect(stats.memoryTotalBytes).toBeGreaterThan(0);
  });

  test("system.which and system.run through node.invoke", async () => {
    expect((await invoke("system.which", { bins: ["sh", "nope-xyz"] })).payload).toMatchObject({ ok: true, payload: { bins: { sh: Bun.which("sh") } } });
    const run = await invoke("system.run", { command: ["sh", "-c", "echo out; exit 2"] });
    expect(run.payload.payload).toEqual({ exitCode: 2, timedOut: false, success: false, stdout: "out\n", stderr: "", error: null });
  });

  test("a node-side refusal comes back as the node's error", async () => {
    const res = await invoke("system.run", { command: [] });
    expect(res.error).toMatchObject({ code: "UNAVAILABLE", message: "INVALID_REQUEST: command required", details: { nodeError: { code: "INVALID_REQUEST" } } });
  });

  test("a deadline cancels the run on the node: the command is killed", async () => {
    const pidFile = join(h.dir, "pid");
    const res = await invoke("system.run", { command: ["sh", "-c", `echo $$ > ${pidFile}; exec sleep 30`] }, 500);
    expect(res.error).toMatchObject({ code: "UNAVAILABLE", message: "TIMEOUT: node invoke timed out" });
    const pid = Number(await waitUntil(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim(), "the pid file"));
    await waitUntil(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, "the cancelled command to be killed");
  });

  test("a second run with only the stored device token connects with it", async () => {
    const again = startHost(g.url, { dir: h.dir });
    // Same key, no shared secret: the token saved by the first connection is the only credential.
    const tokenOnly = startHost(g.url, { dir: h.dir, token: undefined });
    again.host.stop();
    await waitUntil(() => tokenOnly.host.connected, "the token-only node to connect");
    expect(tokenOnly.lines.join("\n")).toContain("auth device-token");
    tokenOnly.host.stop();
    expect(await tokenOnly.host.done).toBe(0);
  });
});

describe("pairing and refusals", () => {
  let g: TestGateway;
  let admin: RawClient;
  beforeAll(async () => {
    g = await startTestGateway({ config: { gateway: { mode: "local", nodes: { pairing: { autoApproveLocal: false } } } } });
    admin = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.pairing"] });
  });
  afterAll(async () => {
    admin.close();
    await g.stop();
  });

  test("not yet paired: it says what to run and connects once approved", async () => {
    const h = startHost(g.url);
    const line = await waitUntil(() => h.lines.find((l) => l.includes("waiting for approval")), "the waiting line");
    const requestId = /devices approve ([0-9a-f-]+)/.exec(line)![1];
    const pending = (await admin.request("device.pair.list", {})).payload.pending;
    expect(pending.map((p: { requestId: string }) => p.requestId)).toContain(requestId);
    expect((await admin.request("device.pair.approve", { requestId })).ok).toBe(true);
    await waitUntil(() => h.host.connected, "the node to connect after approval");
    // Polling reused one request rather than filing a new one each time.
    expect(h.lines.filter((l) => l.includes("waiting for approval"))).toHaveLength(1);
  });

  test("revoked: closed 4001, the dead token is forgotten and it asks to be paired again", async () => {
    const h = startHost(g.url);
    const first = await waitUntil(() => h.lines.find((l) => l.includes("waiting for approval")), "the waiting line");
    await admin.request("device.pair.approve", { requestId: /devices approve ([0-9a-f-]+)/.exec(first)![1] });
    await waitUntil(() => h.host.connected && new DeviceTokens(h.dir).get(g.url), "connected with a token");
    expect((await admin.request("device.token.revoke", { deviceId: h.deviceId, role: "node" })).ok).toBe(true);
    await waitUntil(() => h.lines.filter((l) => l.includes("waiting for approval")).length >= 2, "a new pairing request", { timeoutMs: 15_000 });
    expect(h.lines.join("\n")).toContain("gateway closed (4001): device removed");
    expect(new DeviceTokens(h.dir).get(g.url)).toBeUndefined();
  }, 30_000);

  test("a wrong shared token ends the run with exit code 1 and the reason", async () => {
    const h = startHost(g.url, { token: "wrong-token" });
    expect(await h.host.done).toBe(1);
    expect(h.lines.join("\n")).toContain("AUTH_TOKEN_MISMATCH");
    expect(h.lines.join("\n")).toContain("OPENCLAW_GATEWAY_TOKEN does not match");
  });

  test("stop while waiting for a gateway that is not there ends with 0", async () => {
    const h = startHost("ws://127.0.0.1:9");
    await waitUntil(() => h.lines.some((l) => l.includes("retrying in")), "a retry");
    h.host.stop();
    expect(await h.host.done).toBe(0);
  });
});

describe("a gateway that goes silent", () => {
  test("no tick for two intervals: the node closes and connects again", async () => {
    let connects = 0;
    const server = Bun.serve({
      port: 0, hostname: "127.0.0.1",
      fetch: (req, srv) => (srv.upgrade(req) ? undefined : new Response("no", { status: 400 })),
      websocket: {
        open: (ws) => {
          ws.send(JSON.stringify({ type: "event", event: "connect.challenge", payload: { nonce: "n", ts: Date.now() } }));
        },
        message: (ws, data) => {
          const frame = JSON.parse(String(data));
          if (frame.method !== "connect") return; // Everything else goes unanswered: the gateway is stuck.
          connects++;
          ws.send(JSON.stringify({ type: "res", id: frame.id, ok: true, payload: { type: "hello-ok", protocol: 4, auth: { role: "node", scopes: [] }, policy: { tickIntervalMs: 100 } } }));
        },
      },
    });
    try {
      const h = startHost(`ws://127.0.0.1:${server.port}`, { statsIntervalMs: 60_000 });
      await waitUntil(() => connects >= 2, "a reconnect after the silence", { timeoutMs: 15_000 });
      expect(h.lines.join("\n")).toMatch(/no tick from the gateway for \d+s/);
      h.host.stop();
      expect(await h.host.done).toBe(0);
    } finally {
      server.stop(true);
    }
  }, 30_000);
});

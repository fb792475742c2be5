// The gateway's tool services over a real gateway: our node host paired and serving (nodes tool,
// exec host=node through system.run.prepare + system.run, a node dropping mid-run) and a scripted
// channel behind the message tool (sends keyed so a replay sends nothing).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execTool } from "../../src/agents/tools/exec/index.ts";
import { messageTool } from "../../src/agents/tools/message-tool.ts";
import { nodesTool } from "../../src/agents/tools/nodes-tool.ts";
import { ToolInputError, type ToolContext, type ToolResult, type ToolServices } from "../../src/agents/tools/types.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { createToolServices } from "../../src/gateway/tool-services.ts";
import { NodeHost } from "../../src/nodes/host/host.ts";
import { DeviceTokens, loadOrCreateIdentity } from "../../src/nodes/host/state.ts";
import { SYSTEM_COMMANDS } from "../../src/nodes/host/system.ts";
import { fakeChannel, type FakeChannel } from "../fixtures/fake-channel.ts";
import { startTestGateway, tempDir, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { fakeApprovals, toolContext } from "../fixtures/tool-fakes.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

interface Node {
  host: NodeHost;
  id: string;
  dir: string;
}

let g: TestGateway;
let fake: FakeChannel;
let admin: RawClient;
let services: ToolServices;
let main: Node;
const hosts: NodeHost[] = [];
const config: OpenClawConfig = { gateway: { mode: "local" }, channels: { telegram: { botToken: "t" } } };

async function startNode(name: string): Promise<Node> {
  const dir = tempDir("node-");
  const identity = loadOrCreateIdentity(dir);
  const quiet = () => {};
  const host = new NodeHost({
    url: g.url, token: TEST_TOKEN, identity, tokens: new DeviceTokens(dir), displayName: name, instanceId: name,
    commands: [...SYSTEM_COMMANDS], hostEnv: { PATH: process.env.PATH, HOME: dir }, statsPath: dir,
    log: { info: quiet, warn: quiet, error: quiet, debug: quiet }, approvalPollMs: 100,
  });
  hosts.push(host);
  const req = await waitUntil(async () => {
    const list = (await admin.request("node.pair.list", {})).payload;
    return list.pending.find((p: { nodeId: string }) => p.nodeId === identity.deviceId);
  }, `${name}'s surface request`);
  expect((await admin.request("node.pair.approve", { requestId: req.requestId })).ok).toBe(true);
  await waitUntil(async () => (await admin.request("node.describe", { nodeId: identity.deviceId })).payload?.commands?.includes("system.run"), `${name} to be approved`);
  return { host, id: identity.deviceId, dir };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const ctx = (over: Partial<ToolContext> = {}) => toolContext({ services, ...over });
const text = (r: ToolResult) => r.content[0]!.text;

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolInputError);
  return (err as Error).message;
}

beforeAll(async () => {
  fake = fakeChannel();
  g = await startTestGateway({ config, channelAdapters: async () => fake });
  admin = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.pairing", "operator.write", "operator.read"] });
  services = createToolServices(g.runtime);
  main = await startNode("build box");
  await waitUntil(() => fake.runs.has("default"), "the telegram account to run");
}, 30_000);

afterAll(async () => {
  for (const h of hosts) h.stop();
  await Promise.all(hosts.map((h) => h.done));
  admin.close();
  await g.stop();
});

describe("nodes", () => {
  test("list and describe are node.list and node.describe (without pairing details)", async () => {
    const rpc = (await admin.request("node.list", {})).payload.nodes;
    const mine = services.nodes!.list();
    expect(mine.map((n) => n.nodeId)).toEqual(rpc.map((n: { nodeId: string }) => n.nodeId));
    expect(mine.find((n) => n.nodeId === main.id)).toMatchObject({ displayName: "build box", connected: true, approvalState: "approved", commands: [...SYSTEM_COMMANDS].sort() });
    const { ts: _a, ...described } = services.nodes!.describe(main.id);
    const { ts: _b, ...viaRpc } = (await admin.request("node.describe", { nodeId: main.id })).payload;
    expect(described).toEqual(viaRpc);
    expect(() => services.nodes!.describe("nope")).toThrow(new ToolInputError("unknown nodeId"));
  });

  test("resolve: exact id, display name, id prefix; unknown is an input error", () => {
    expect(services.nodes!.resolve(main.id)).toBe(main.id);
    expect(services.nodes!.resolve("Build-Box")).toBe(main.id);
    expect(services.nodes!.resolve(main.id.slice(0, 8))).toBe(main.id);
    expect(() => services.nodes!.resolve("no such node")).toThrow(ToolInputError);
  });

  test("the nodes tool reaches the real node: which, invoke; system.run and admin-only commands stay out", async () => {
    const which = await nodesTool.execute({ action: "which", bins: ["sh", "nope-xyz"] }, ctx());
    expect(which.details).toEqual({ nodeId: main.id, bins: { sh: Bun.which("sh") } });
    const inv = await nodesTool.execute({ action: "invoke", node: "build box", invokeCommand: "system.which", invokeParamsJson: '{"bins":["sh"]}' }, ctx());
    expect(inv.details).toMatchObject({ ok: true, nodeId: main.id, command: "system.which", payload: { bins: { sh: Bun.which("sh") } }, payloadJSON: expect.any(String) });
    expect(await refusal(nodesTool.execute({ action: "invoke", node: main.id, invokeCommand: "system.run" }, ctx()))).toContain("use exec with host=node instead");
    expect(await refusal(nodesTool.execute({ action: "invoke", node: main.id, invokeCommand: "fs.listDir", invokeParamsJson: "{}" }, ctx()))).toBe(
      "nodes action=invoke: fs.listDir failed: missing scope: operator.admin",
    );
    expect(await refusal(nodesTool.execute({ action: "invoke", node: main.id, invokeCommand: "system.execApprovals.get" }, ctx()))).toBe(
      "nodes action=invoke: system.execApprovals.get failed: node.invoke does not allow system.execApprovals.*; use exec.approvals.node.*",
    );
  });
});

describe("exec host=node through our node host", () => {
  test("prepare, then system.run of the plan: the node's output", async () => {
    const r = await execTool.execute({ command: "echo hi-from-node; echo oops >&2; exit 3", host: "node" }, ctx());
    expect(text(r)).toBe(`Node: ${main.id}\n\nhi-from-node\noops\n\n(Command exited with code 3)`);
    expect(r.details).toMatchObject({ status: "failed", exitCode: 3, host: "node", nodeId: main.id });
  });

  test("an approval sees host=node, the node and its plan, and allow-once runs it", async () => {
    const approvals = fakeApprovals({ answer: { decision: "allow-once" } });
    const withApprovals = createToolServices(g.runtime, { approvals });
    const r = await execTool.execute({ command: "echo approved-on-node", host: "node", node: "build box" }, toolContext({ services: withApprovals, config: { tools: { exec: { mode: "ask" } } } }));
    expect(text(r)).toBe(`Node: ${main.id}\n\napproved-on-node`);
    expect(approvals.requests[0]).toMatchObject({
      host: "node", nodeId: main.id, command: "echo approved-on-node",
      systemRunPlan: { argv: ["/bin/sh", "-lc", "echo approved-on-node"], commandPreview: "echo approved-on-node", agentId: "main", sessionKey: "agent:main:main" },
    });
    expect(withApprovals.approvals).toBe(approvals);
  });

  test("an abort cancels the command on the node: it is killed", async () => {
    const pidFile = join(main.dir, "abort-pid");
    const ac = new AbortController();
    const pending = execTool.execute({ command: `echo $$ > ${pidFile}; exec sleep 30`, host: "node" }, ctx({ signal: ac.signal }));
    const pid = Number(await waitUntil(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim(), "the command to start on the node"));
    ac.abort();
    await expect(pending).rejects.toThrow("Aborted");
    await waitUntil(() => !alive(pid), "the aborted command to be killed on the node");
    // The node is still usable afterwards.
    expect(text(await execTool.execute({ command: "echo still-here", host: "node" }, ctx()))).toBe(`Node: ${main.id}\n\nstill-here`);
  }, 20_000);

  test("two nodes: one must be named; a node that disconnects mid-run is a tool error, not a crash", async () => {
    const flaky = await startNode("flaky box");
    expect(await refusal(execTool.execute({ command: "true", host: "node" }, ctx()))).toStartWith("exec host=node: several nodes can run commands (");
    const marker = join(flaky.dir, "started");
    const pending = execTool.execute({ command: `touch ${marker}; sleep 30`, host: "node", node: "flaky box" }, ctx());
    await waitUntil(() => existsSync(marker), "the command to start on the flaky node");
    flaky.host.stop();
    expect(await refusal(pending)).toBe(`exec host=node: system.run on node ${flaky.id} failed: DISCONNECTED: node disconnected (system.run)`);
    // The gateway carries on, and with the flaky node gone the remaining one is chosen again.
    await waitUntil(() => !services.nodes!.list().find((n) => n.nodeId === flaky.id)?.connected, "the flaky node to show as disconnected");
    expect(text(await execTool.execute({ command: "echo after", host: "node" }, ctx()))).toBe(`Node: ${main.id}\n\nafter`);
  }, 30_000);
});

describe("exec with the gateway's own approvals service", () => {
  const askMode: OpenClawConfig = { tools: { exec: { mode: "ask" } } };
  const withApprovals = () => createToolServices(g.runtime, { approvals: g.runtime.approvals });


  test("no approval client connected: denied at once with the headless text", async () => {
    const c = toolContext({ services: withApprovals(), config: askMode });
    expect(await refusal(execTool.execute({ command: "echo nobody-asked" }, c))).toStartWith(
      "exec denied: Headless runs cannot wait for interactive exec approval.\nEffective host exec policy: security=allowlist ask=on-miss askFallback=deny\n",
    );
  });

  test("an operator allows once over the wire: the command runs; a denial is the plain-text result", async () => {
    const approver = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.approvals"], extra: { caps: ["exec-approvals"] } });
    try {
      for (const [decision, expected] of [["allow-once", "approved-over-the-wire"], ["deny", undefined]] as const) {
        const c = toolContext({ services: withApprovals(), config: askMode, workspaceDir: main.dir, toolCallId: `call_${decision}` });
        const pending = execTool.execute({ command: "echo approved-over-the-wire" }, c);
        const ev = await approver.waitFor((f) => f.event === "exec.approval.requested" && f.payload.request.toolCallId === `call_${decision}`);
        expect(ev.payload.request).toMatchObject({ command: "echo approved-over-the-wire", host: "gateway", security: "allowlist", ask: "on-miss", cwd: main.dir });
        expect((await approver.request("exec.approval.resolve", { id: ev.payload.id, decision })).ok).toBe(true);
        const r = await pending;
        if (expected) expect(text(r)).toBe(expected);
        else expect(text(r)).toBe(`Exec denied (gateway id=${ev.payload.id}, user-denied): echo approved-over-the-wire`);
        expect(c.progress.filter((p) => p.kind !== "output")).toEqual([
          { kind: "waiting-approval", approvalId: ev.payload.id },
          { kind: "approval-resolved", approvalId: ev.payload.id, decision },
        ]);
      }
    } finally {
      approver.close();
    }
  });

  test("node exec through the real approvals: the operator sees host=node with the node's plan, allow-once runs it on the node", async () => {
    const approver = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin"], extra: { caps: ["approvals"] } });
    try {
      const c = toolContext({ services: withApprovals(), config: askMode, toolCallId: "call_node_wire" });
      const pending = execTool.execute({ command: "echo ran-on-node-after-approval", host: "node", node: "build box" }, c);
      const ev = await approver.waitFor((f) => f.event === "exec.approval.requested" && f.payload.request.toolCallId === "call_node_wire");
      expect(ev.payload.request).toMatchObject({ host: "node", nodeId: main.id, command: "echo ran-on-node-after-approval" });
      expect(ev.payload.request.systemRunPlan.argv).toEqual(["/bin/sh", "-lc", "echo ran-on-node-after-approval"]);
      expect((await approver.request("exec.approval.resolve", { id: ev.payload.id, decision: "allow-once" })).ok).toBe(true);
      expect(text(await pending)).toBe(`Node: ${main.id}\n\nran-on-node-after-approval`);
    } finally {
      approver.close();
    }
  }, 20_000);
});

describe("channels", () => {
  test("configured channels come from the running channel service", () => {
    expect(services.channels!.configuredChannels()).toEqual(["telegram"]);
  });

  test("message send reaches the channel once, even when the call is replayed", async () => {
    const before = fake.sent.length;
    const c = ctx({ runId: "run-msg", toolCallId: "call_send" });
    const first = await messageTool.execute({ action: "send", target: "424242", message: "from the agent" }, c);
    expect(first.details).toMatchObject({ ok: true, action: "send", to: "424242", channel: "telegram", chatId: "424242", messageId: expect.any(String) });
    const again = await messageTool.execute({ action: "send", target: "424242", message: "from the agent" }, c);
    expect(again.details).toEqual(first.details);
    expect(fake.sent.slice(before)).toEqual([{ kind: "text", accountId: "default", to: "424242", text: "from the agent" }]);
  });

  test("broadcast, poll and react", async () => {
    const before = fake.sent.length;
    const b = await messageTool.execute({ action: "broadcast", targets: ["1", "2"], message: "all" }, ctx({ toolCallId: "call_b" }));
    expect(b.details).toMatchObject({ ok: true, sent: 2, failed: 0 });
    const p = await messageTool.execute({ action: "poll", target: "1", pollQuestion: "Lunch?", pollOption: ["a", "b"] }, ctx({ toolCallId: "call_p" }));
    expect(p.details).toMatchObject({ ok: true, action: "poll", channel: "telegram" });
    await messageTool.execute({ action: "react", target: "1", messageId: "55", emoji: "👍" }, ctx({ toolCallId: "call_r" }));
    expect(fake.sent.slice(before).map((s) => [s.kind, s.to])).toEqual([["text", "1"], ["text", "2"], ["poll", "1"], ["react", "1"]]);
  });

  test("channel errors: a bad target or channel is the caller's; a failed delivery says why", async () => {
    expect(await refusal(messageTool.execute({ action: "send", target: "not-a-chat", message: "x" }, ctx({ toolCallId: "e1" })))).toBe("invalid target: not-a-chat");
    expect(await refusal(messageTool.execute({ action: "send", channel: "whatsapp", target: "1", message: "x" }, ctx({ toolCallId: "e2" })))).toBe("unsupported channel: whatsapp");
    fake.failSends = 1;
    expect(await refusal(messageTool.execute({ action: "send", target: "1", message: "x" }, ctx({ toolCallId: "e3" })))).toBe("message action=send failed: network down");
  });
});

test("a gateway without channels: the message tool says a channel is required", async () => {
  const bare = await startTestGateway();
  try {
    const s = createToolServices(bare.runtime);
    expect(s.channels!.configuredChannels()).toEqual([]);
    expect(await refusal(messageTool.execute({ action: "send", target: "1", message: "x" }, toolContext({ services: s })))).toStartWith("Channel is required (no configured channels detected).");
    expect(await refusal(execTool.execute({ command: "true", host: "node" }, toolContext({ services: s })))).toStartWith("exec host=node requires a paired node (none available).");
  } finally {
    await bare.stop();
  }
});

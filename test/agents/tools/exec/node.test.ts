// exec host=node against a fake node service: which node, the prepare → approval → run sequence and
// its params, the node's answer as text, and failures (none, several, an invoke that rejects).
import { describe, expect, test } from "bun:test";
import { execTool } from "../../../../src/agents/tools/exec/index.ts";
import { ToolInputError, type ToolContext, type ToolResult } from "../../../../src/agents/tools/types.ts";
import type { OpenClawConfig } from "../../../../src/config/schema.ts";
import { fakeApprovals, fakeNodes, nodeEntry, toolContext, type FakeNodes } from "../../../fixtures/tool-fakes.ts";
import { waitUntil } from "../../../fixtures/wait.ts";

const RUN = ["system.run", "system.run.prepare"];
const text = (r: ToolResult) => r.content[0]!.text;

/** A node that prepares `/bin/sh -lc <cmd>` and answers system.run with the given payload. */
function workingNode(payload: Record<string, unknown> = { exitCode: 0, timedOut: false, success: true, stdout: "hi-from-node\n", stderr: "", error: null }): FakeNodes {
  const nodes = fakeNodes([nodeEntry("n1", RUN)]);
  nodes.handlers["system.run.prepare"] = async (params) => {
    const p = params as { command: string[]; cwd?: string; rawCommand: string; agentId: string; sessionKey: string };
    return { ok: true, payload: { plan: { argv: p.command, cwd: p.cwd ?? "/home/node", commandText: p.command.join(" "), commandPreview: p.rawCommand, agentId: p.agentId, sessionKey: p.sessionKey }, execPolicy: { security: "full", ask: "off" } } };
  };
  nodes.handlers["system.run"] = async () => ({ ok: true, payload });
  return nodes;
}

function ctx(nodes: FakeNodes | undefined, over: Partial<ToolContext> = {}) {
  return toolContext({ services: nodes ? { nodes } : {}, ...over });
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolInputError);
  return (err as Error).message;
}

describe("choosing the node", () => {
  test("no node service, or no connected node with system.run: the paired-node error", async () => {
    for (const c of [ctx(undefined), ctx(fakeNodes([nodeEntry("off", RUN, { connected: false }), nodeEntry("which-only", ["system.which"])]))]) {
      expect(await refusal(execTool.execute({ command: "echo hi", host: "node" }, c))).toStartWith("exec host=node requires a paired node (none available).");
    }
  });

  test("several nodes need node= (or tools.exec.node)", async () => {
    const nodes = workingNode();
    nodes.nodes.push(nodeEntry("n2", RUN));
    expect(await refusal(execTool.execute({ command: "echo hi", host: "node" }, ctx(nodes)))).toStartWith("exec host=node: several nodes can run commands (node n1 (n1), node n2 (n2)); pass node=");
    await execTool.execute({ command: "echo hi", host: "node", node: "node n1" }, ctx(nodes));
    expect(nodes.calls.at(-1)!.nodeId).toBe("n1");
    const config: OpenClawConfig = { tools: { exec: { host: "node", node: "n2" } } };
    await execTool.execute({ command: "echo hi" }, ctx(nodes, { config }));
    expect(nodes.calls.at(-1)!.nodeId).toBe("n2");
    await execTool.execute({ command: "echo hi", host: "auto" }, ctx(nodes, { config }));
    expect(nodes.calls.at(-1)!.nodeId).toBe("n2");
    const before = nodes.calls.length;
    const local = await execTool.execute({ command: "echo on-gateway", host: "gateway" }, ctx(nodes, { config }));
    expect(local.content[0]!.text).toBe("on-gateway");
    expect(nodes.calls.length).toBe(before);
  });
});

describe("the sequence", () => {
  test("prepare (15 s) then system.run with the plan; the output is prefixed with the node", async () => {
    const nodes = workingNode();
    const r = await execTool.execute({ command: "echo hi-from-node", host: "node", workdir: "/srv", env: { GREETING: "hello" }, timeoutSeconds: 20 }, ctx(nodes));
    expect(text(r)).toBe("Node: n1\n\nhi-from-node");
    expect(r.isError).toBeUndefined();
    expect(r.details).toMatchObject({ status: "completed", exitCode: 0, host: "node", nodeId: "n1", cwd: "/srv" });
    const [prepare, run] = nodes.calls;
    expect(prepare).toMatchObject({
      nodeId: "n1", command: "system.run.prepare", timeoutMs: 15_000,
      params: { command: ["/bin/sh", "-lc", "echo hi-from-node"], rawCommand: "echo hi-from-node", cwd: "/srv", env: { GREETING: "hello" }, agentId: "main", sessionKey: "agent:main:main" },
    });
    expect(run).toMatchObject({
      nodeId: "n1", command: "system.run", timeoutMs: 30_000,
      params: {
        command: ["/bin/sh", "-lc", "echo hi-from-node"], rawCommand: "echo hi-from-node", cwd: "/srv", env: { GREETING: "hello" }, timeoutMs: 20_000,
        agentId: "main", sessionKey: "agent:main:main", approved: true, systemRunPlan: { argv: ["/bin/sh", "-lc", "echo hi-from-node"], cwd: "/srv" },
      },
    });
    expect((run!.params as Record<string, unknown>).approvalDecision).toBeUndefined();
  });

  test("an approval is asked with host=node, the node id and the plan; its decision is forwarded", async () => {
    const nodes = workingNode();
    const approvals = fakeApprovals({ answer: { decision: "allow-once" } });
    const r = await execTool.execute({ command: "echo hi-from-node", host: "node" }, ctx(nodes, { services: { nodes, approvals }, config: { tools: { exec: { mode: "ask" } } } }));
    expect(text(r)).toBe("Node: n1\n\nhi-from-node");
    expect(approvals.requests[0]).toMatchObject({ host: "node", nodeId: "n1", command: "echo hi-from-node", systemRunPlan: { argv: ["/bin/sh", "-lc", "echo hi-from-node"] }, allowedDecisions: ["allow-once", "allow-always", "deny"] });
    expect(nodes.calls[1]!.params).toMatchObject({ approved: true, approvalDecision: "allow-once" });
  });

  test("the node's own stricter policy counts (ask always on the node)", async () => {
    const nodes = workingNode();
    nodes.handlers["system.run.prepare"] = async () => ({ ok: true, payload: { plan: { argv: ["/bin/sh", "-lc", "x"], cwd: "/" }, execPolicy: { security: "full", ask: "always" } } });
    const approvals = fakeApprovals({ answer: { decision: "deny" } });
    const r = await execTool.execute({ command: "x", host: "node" }, ctx(nodes, { services: { nodes, approvals } }));
    expect(text(r)).toBe("Exec denied (node id=appr-1, user-denied): x");
    expect(r.isError).toBe(true);
    expect(nodes.calls.map((c) => c.command)).toEqual(["system.run.prepare"]);
  });

  test("deny mode refuses before anything reaches system.run", async () => {
    const nodes = workingNode();
    expect(await refusal(execTool.execute({ command: "x", host: "node" }, ctx(nodes, { config: { tools: { exec: { mode: "deny" } } } })))).toBe("exec denied: host=node security=deny");
    expect(nodes.calls.map((c) => c.command)).toEqual(["system.run.prepare"]);
  });

  test("exit code, stderr and a node-side timeout read as on the gateway", async () => {
    const failed = await execTool.execute({ command: "x", host: "node" }, ctx(workingNode({ exitCode: 2, timedOut: false, success: false, stdout: "out", stderr: "err\n", error: null })));
    expect(text(failed)).toBe("Node: n1\n\nout\nerr\n\n(Command exited with code 2)");
    expect(failed.isError).toBe(true);
    const slow = await execTool.execute({ command: "x", host: "node", timeoutSeconds: 1 }, ctx(workingNode({ exitCode: null, timedOut: true, success: false, stdout: "", stderr: "", error: null })));
    expect(text(slow)).toStartWith("Node: n1\n\nCommand timed out after 1 seconds.");
    expect(slow.details.status).toBe("timeout");
  });

  test("a prepare error, a failed answer and a rejected invoke (node gone) are tool errors", async () => {
    const bad = workingNode();
    bad.handlers["system.run.prepare"] = async () => ({ ok: true, payload: {} });
    expect(await refusal(execTool.execute({ command: "x", host: "node" }, ctx(bad)))).toBe("exec host=node: node n1 answered system.run.prepare without a plan");
    const refused = workingNode();
    refused.handlers["system.run"] = async () => ({ ok: false, error: { code: "INVALID_REQUEST", message: "system.run does not match the approved plan" } });
    expect(await refusal(execTool.execute({ command: "x", host: "node" }, ctx(refused)))).toBe("exec host=node: system.run on node n1 failed: INVALID_REQUEST: system.run does not match the approved plan");
    const gone = workingNode();
    gone.handlers["system.run"] = async () => {
      throw new Error("DISCONNECTED: node disconnected (system.run)");
    };
    expect(await refusal(execTool.execute({ command: "x", host: "node" }, ctx(gone)))).toBe("exec host=node: system.run on node n1 failed: DISCONNECTED: node disconnected (system.run)");
  });

  test("an abort while the node runs rejects with Aborted and reaches the invoke", async () => {
    const nodes = workingNode();
    nodes.handlers["system.run"] = (_p, signal) => new Promise((_, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true }));
    const ac = new AbortController();
    const pending = execTool.execute({ command: "sleep 30", host: "node" }, ctx(nodes, { signal: ac.signal }));
    await waitUntil(() => nodes.calls.length === 2, "system.run to be invoked");
    expect(nodes.calls[1]!.signal).toBe(ac.signal);
    ac.abort();
    await expect(pending).rejects.toThrow("Aborted");
  });
});

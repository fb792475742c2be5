// The nodes tool against a fake node service: status, describe, which, notify, invoke (and the
// commands it refuses), and pairing actions that stay with the operator.
import { describe, expect, test } from "bun:test";
import { nodesTool } from "../../../src/agents/tools/nodes-tool.ts";
import { ToolInputError, type ToolResult } from "../../../src/agents/tools/types.ts";
import { fakeNodes, nodeEntry, toolContext, type FakeNodes } from "../../fixtures/tool-fakes.ts";

const run = (nodes: FakeNodes | undefined, args: Record<string, unknown>) => nodesTool.execute(args, toolContext({ services: nodes ? { nodes } : {} }));
const json = (r: ToolResult) => JSON.parse(r.content[0]!.text);

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolInputError);
  return (err as Error).message;
}

function twoNodes(): FakeNodes {
  const nodes = fakeNodes([nodeEntry("aaa111", ["system.run", "system.which", "system.notify"]), nodeEntry("bbb222", ["system.which"], { connected: false })]);
  nodes.handlers["system.which"] = async (p) => ({ ok: true, payload: { bins: Object.fromEntries((p as { bins: string[] }).bins.filter((b) => b === "ls").map((b) => [b, "/usr/bin/ls"])) }, payloadJSON: null });
  return nodes;
}

describe("reading", () => {
  test("status lists every node with a timestamp; the text is the JSON of the details", async () => {
    const r = await run(twoNodes(), { action: "status" });
    expect(json(r)).toEqual(r.details);
    expect(r.details).toEqual({ ts: expect.any(Number), nodes: twoNodes().nodes });
  });

  test("describe resolves the node first; unknown nodes and a missing node are input errors", async () => {
    const r = await run(twoNodes(), { action: "describe", node: "node aaa111" });
    expect(r.details).toMatchObject({ nodeId: "aaa111", ts: 1 });
    expect(await refusal(run(twoNodes(), { action: "describe", node: "nope" }))).toBe("unknown node: nope");
    expect(await refusal(run(twoNodes(), { action: "describe" }))).toBe("node required");
  });

  test("no node service: a clear error", async () => {
    expect(await refusal(run(undefined, { action: "status" }))).toBe("nodes are not available on this gateway");
  });
});

describe("commands", () => {
  test("which: system.which on the only connected node offering it", async () => {
    const nodes = twoNodes();
    const r = await run(nodes, { action: "which", bins: ["ls", "nonexistentbin"] });
    expect(r.details).toEqual({ nodeId: "aaa111", bins: { ls: "/usr/bin/ls" } });
    expect(nodes.calls[0]).toMatchObject({ nodeId: "aaa111", command: "system.which", params: { bins: ["ls", "nonexistentbin"] } });
    expect(await refusal(run(nodes, { action: "which" }))).toBe("bins must be a non-empty array of names");
  });

  test("notify: title and body to system.notify", async () => {
    const nodes = twoNodes();
    nodes.handlers["system.notify"] = async () => ({ ok: true, payload: { delivered: false, method: "none" }, payloadJSON: '{"delivered":false,"method":"none"}' });
    const r = await run(nodes, { action: "notify", title: "Build", body: "done" });
    expect(r.details).toEqual({ ok: true, nodeId: "aaa111", command: "system.notify", payload: { delivered: false, method: "none" }, payloadJSON: '{"delivered":false,"method":"none"}' });
    expect(nodes.calls[0]!.params).toEqual({ title: "Build", body: "done" });
    expect(await refusal(run(nodes, { action: "notify" }))).toBe("title or body required");
  });

  test("invoke: params from invokeParamsJson, a timeout, the node.invoke result shape", async () => {
    const nodes = twoNodes();
    const r = await run(nodes, { action: "invoke", node: "node aaa111", invokeCommand: "system.which", invokeParamsJson: '{"bins":["ls"]}', invokeTimeoutMs: 5000 });
    expect(r.details).toEqual({ ok: true, nodeId: "aaa111", command: "system.which", payload: { bins: { ls: "/usr/bin/ls" } }, payloadJSON: null });
    expect(nodes.calls[0]).toMatchObject({ nodeId: "aaa111", command: "system.which", params: { bins: ["ls"] }, timeoutMs: 5000 });
  });

  test.each(["system.run", "system.run.prepare"])("invoke %s is reserved for exec host=node", async (command) => {
    const nodes = twoNodes();
    expect(await refusal(run(nodes, { action: "invoke", node: "node aaa111", invokeCommand: command }))).toBe(
      `nodes action=invoke: invokeCommand "${command}" is reserved for shell execution; use exec with host=node instead`,
    );
    expect(nodes.calls).toHaveLength(0);
  });

  test("invoke errors: bad JSON, a node failure, a rejected invoke", async () => {
    const nodes = twoNodes();
    expect(await refusal(run(nodes, { action: "invoke", node: "node aaa111", invokeCommand: "system.which", invokeParamsJson: "{nope" }))).toStartWith("invokeParamsJson is not valid JSON");
    nodes.handlers["x.fail"] = async () => ({ ok: false, error: { code: "UNAVAILABLE", message: "command not supported" } });
    expect(await refusal(run(nodes, { action: "invoke", node: "node aaa111", invokeCommand: "x.fail" }))).toBe("nodes action=invoke: x.fail failed: UNAVAILABLE: command not supported");
    nodes.handlers["x.gone"] = async () => {
      throw new Error("node not connected");
    };
    expect(await refusal(run(nodes, { action: "invoke", node: "node aaa111", invokeCommand: "x.gone" }))).toBe("nodes action=invoke: x.gone failed: node not connected");
  });

  test("no node offers the command: says how to pair one", async () => {
    const nodes = fakeNodes([nodeEntry("x", ["system.which"], { connected: false })]);
    expect(await refusal(run(nodes, { action: "which", bins: ["ls"] }))).toStartWith("nodes action=which: no connected node offers system.which. Pair one with");
  });
});

describe("pairing stays with the operator", () => {
  test.each(["pending", "approve", "reject"])("%s is refused with the CLI to use", async (action) => {
    const nodes = twoNodes();
    const msg = await refusal(run(nodes, { action, requestId: "r1" }));
    expect(msg).toStartWith(`nodes action=${action} is not available to agents: pairing a node is the operator's decision.`);
    expect(msg).toContain("openclaw nodes approve <requestId>");
    expect(nodes.calls).toHaveLength(0);
  });

  test("unknown actions list the supported ones", async () => {
    expect(await refusal(run(twoNodes(), { action: "camera_snap" }))).toBe("Unknown action: camera_snap (supported: status, describe, pending, approve, reject, notify, which, invoke)");
  });
});

// `openclaw nodes …` (the real CLI, spawned) against a gateway in this process, with signed test
// nodes on real sockets: one that answers node.invoke.request, and two sharing a name. Each verb is
// driven through the CLI, including the refusals and the RPC error shape.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join, resolve } from "node:path";
import type { ConnectParams } from "../../src/protocol/index.ts";
import { newTestDevice, type TestDevice } from "../fixtures/device.ts";
import { startTestGateway, tempDir, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient, type Frame } from "../fixtures/ws-client.ts";

setDefaultTimeout(60_000);

const ROOT = resolve(import.meta.dir, "../..");
let gw: TestGateway;
let home: string;
let admin: RawClient;
const worker = newTestDevice();
const twins = [newTestDevice(), newTestDevice()];
let workerSocket: RawClient;
const sockets: RawClient[] = [];

async function connectNode(dev: TestDevice, displayName: string, commands: string[]): Promise<RawClient> {
  const c = await RawClient.open(gw.url);
  sockets.push(c);
  const challenge = await c.waitFor((f) => f.event === "connect.challenge");
  const params: ConnectParams = {
    minProtocol: 4, maxProtocol: 4, role: "node", scopes: [], caps: ["system"], commands, auth: { token: TEST_TOKEN },
    client: { id: "node-host", version: "2026.9.6", platform: "linux", deviceFamily: "Linux", mode: "node", displayName },
  };
  const res = await c.request("connect", dev.signConnect(params, challenge.payload.nonce));
  if (!res.ok) throw new Error(`node connect refused: ${JSON.stringify(res.error)}`);
  return c;
}

beforeAll(async () => {
  gw = await startTestGateway();
  home = tempDir("nodes-cli-");
  admin = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
  // Loopback nodes are device-paired silently; their command surfaces wait for `nodes approve`.
  workerSocket = await connectNode(worker, "worker", ["system.which", "system.run"]);
  for (const t of twins) await connectNode(t, "twin", ["system.notify"]);
  await waitUntil(async () => (await admin.request("node.pair.list", {})).payload.pending.length === 3, "three pending surfaces");
});
afterAll(async () => {
  for (const c of [admin, ...sockets]) c.close();
  await gw.stop();
});

async function cli(args: string[]) {
  const proc = Bun.spawn([process.execPath, join(ROOT, "src/main.ts"), "nodes", ...args, "--url", gw.url, "--token", TEST_TOKEN], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1" }, stdout: "pipe", stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

async function pendingFor(nodeId: string): Promise<{ requestId: string; requiredApproveScopes: string[] }> {
  const pending = (await admin.request("node.pair.list", {})).payload.pending as Array<{ nodeId: string; requestId: string; requiredApproveScopes: string[] }>;
  return pending.find((p) => p.nodeId === nodeId)!;
}

describe("views", () => {
  test("status: counts, rows, and the approve hint; --json is the node.list payload", async () => {
    const { requestId } = await pendingFor(worker.id);
    const human = await cli(["status"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toStartWith("Known: 3 · Paired: 3 · Connected: 3\n");
    expect(human.stdout).toMatch(new RegExp(`worker\\s+${worker.id}\\s+client: node-host/node · device: Linux · core v2026\\.9\\.6\\s+paired · connected \\(just now\\) · approval pending`));
    expect(human.stdout).toContain(`Approval pending for worker. Run openclaw nodes approve ${requestId}\n`);
    expect(human.stdout).toContain("Reuse the same connection options when rerunning: --url, --token.");
    const json = JSON.parse((await cli(["status", "--json"])).stdout);
    expect(Object.keys(json).sort()).toEqual(["nodes", "ts"]);
    expect(json.nodes.find((n: { nodeId: string }) => n.nodeId === worker.id)).toMatchObject({
      displayName: "worker", approvalState: "pending-approval", pendingRequestId: requestId, commands: [], connected: true, paired: true,
    });
  });

  test("pending and list", async () => {
    const { requestId } = await pendingFor(worker.id);
    const pending = await cli(["pending"]);
    expect(pending.stdout).toMatch(new RegExp(`^Pending\\nRequest\\s+Node\\s+IP\\s+Requested\\n[^]*${requestId}\\s+worker\\s+just now`));
    const pendingJson = JSON.parse((await cli(["pending", "--json"])).stdout);
    expect(pendingJson).toHaveLength(3);
    expect(pendingJson.find((p: { requestId: string }) => p.requestId === requestId)).toMatchObject({
      nodeId: worker.id, commands: ["system.run", "system.which"], requiredApproveScopes: ["operator.pairing", "operator.admin"],
    });
    const list = await cli(["list"]);
    expect(list.stdout).toStartWith("Pending: 3 · Paired: 3\n\nPending\n");
    expect(list.stdout).toMatch(new RegExp(`\\nPaired\\nNode\\s+ID\\s+IP\\s+Last Connect\\n[^]*worker\\s+${worker.id}\\s+just now`));
    const listJson = JSON.parse((await cli(["list", "--json"])).stdout);
    expect(listJson.pending).toEqual(pendingJson);
    expect(listJson.paired.map((n: { nodeId: string }) => n.nodeId).sort()).toEqual([worker.id, ...twins.map((t) => t.id)].sort());
    // Filters: everyone connected well within an hour, nobody within the last millisecond.
    expect(JSON.parse((await cli(["status", "--connected", "--last-connected", "1h", "--json"])).stdout).nodes).toHaveLength(3);
    expect((await cli(["list", "--last-connected", "1ms"])).stdout).toStartWith("Pending: 3 · Paired: 0 (of 3)\n");
  });

  test("describe by name: fields, no effective commands yet, the pending ones; --json is node.describe", async () => {
    const { requestId } = await pendingFor(worker.id);
    const human = await cli(["describe", "--node", "Worker"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^Node\\nField\\s+Value\\nID\\s+${worker.id}\\n`));
    expect(human.stdout).toMatch(new RegExp(`\\nApprove\\s+openclaw nodes approve ${requestId}\\n`));
    expect(human.stdout).toContain("\nCommands\n- (none effective)\n\nPending commands\n- system.run\n- system.which\n");
    const json = JSON.parse((await cli(["describe", "--node", worker.id.slice(0, 8), "--json"])).stdout);
    expect(json).toMatchObject({ nodeId: worker.id, displayName: "worker", pendingDeclaredCommands: ["system.run", "system.which"] });
    expect(typeof json.ts).toBe("number");
  });

  test("unknown and ambiguous nodes: exit 1 with the candidates named", async () => {
    const unknown = await cli(["describe", "--node", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe("Error: unknown node: nope (known: twin, twin, worker)");
    const ambiguous = await cli(["describe", "--node", "twin", "--json"]);
    expect(ambiguous.code).toBe(1);
    const err = JSON.parse(ambiguous.stdout).error;
    expect(err.type).toBe("cli_error");
    expect(err.message).toStartWith("ambiguous node: twin (matches: ");
    for (const t of twins) expect(err.message).toContain(`node=${t.id}`);
  });
});

describe("pairing", () => {
  test("approve: usage error without an id, a named miss for an unknown one, then JSON {requestId,node}", async () => {
    expect((await cli(["approve"])).code).toBe(2);
    const miss = await cli(["approve", "nope"]);
    expect(miss.code).toBe(1);
    expect(miss.stderr).toContain("Unknown node pairing requestId: nope\nPending requestIds: ");
    const { requestId } = await pendingFor(worker.id);
    // The surface has system.*: approving needs operator.admin, which the CLI asks for from the request.
    const approved = await cli(["approve", requestId]);
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ requestId, node: { nodeId: worker.id, commands: ["system.run", "system.which"] } });
    const resolved = await workerSocket.waitFor((f) => f.event === "node.pair.resolved");
    expect(resolved.payload).toMatchObject({ requestId, decision: "approved" });
  });

  test("reject: JSON {requestId,nodeId}; again is the gateway's error in the shared JSON shape", async () => {
    const { requestId } = await pendingFor(twins[0]!.id);
    const rejected = await cli(["reject", requestId]);
    expect(rejected.code).toBe(0);
    expect(JSON.parse(rejected.stdout)).toEqual({ requestId, nodeId: twins[0]!.id });
    const again = await cli(["reject", requestId, "--json"]);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toEqual({
      ok: false, error: { type: "gateway_request_error", code: "INVALID_REQUEST", message: "unknown requestId", retryable: false },
    });
    const human = await cli(["reject", requestId]);
    expect(human.stderr.trim()).toBe("node.pair.reject failed: INVALID_REQUEST: unknown requestId");
  });
});

describe("invoke", () => {
  const nextRequest = () => workerSocket.next((f) => f.event === "node.invoke.request");
  const answer = (req: Frame, result: Record<string, unknown>) => workerSocket.request("node.invoke.result", { id: req.payload.id, nodeId: worker.id, ...result });

  test("by id prefix: the node gets the params, a uuid key and a 15 s deadline; the CLI prints the answer", async () => {
    const got = nextRequest();
    const run = cli(["invoke", "--node", worker.id.slice(0, 6), "--command", "system.which", "--params", '{"bins":["ls"]}']);
    const req = await got;
    expect(req.payload).toMatchObject({ nodeId: worker.id, command: "system.which", paramsJSON: '{"bins":["ls"]}' });
    expect(req.payload.idempotencyKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(req.payload.timeoutMs).toBeGreaterThan(10_000);
    expect(req.payload.timeoutMs).toBeLessThanOrEqual(15_000);
    await answer(req, { ok: true, payloadJSON: '{"bins":{"ls":"/usr/bin/ls"}}' });
    const out = await run;
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      ok: true, nodeId: worker.id, command: "system.which", payload: { bins: { ls: "/usr/bin/ls" } }, payloadJSON: '{"bins":{"ls":"/usr/bin/ls"}}',
    });
  });

  test("the node's failure is the gateway's UNAVAILABLE in the shared JSON shape", async () => {
    const got = nextRequest();
    const run = cli(["invoke", "--node", "worker", "--command", "system.which", "--json", "--invoke-timeout", "5000", "--idempotency-key", "my-key"]);
    const req = await got;
    expect(req.payload).toMatchObject({ paramsJSON: "{}", idempotencyKey: "my-key" });
    expect(req.payload.timeoutMs).toBeLessThanOrEqual(5_000);
    await answer(req, { ok: false, error: { code: "INVALID_REQUEST", message: "bins required" } });
    const out = await run;
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout)).toEqual({
      ok: false,
      error: {
        type: "gateway_request_error", code: "UNAVAILABLE", message: "INVALID_REQUEST: bins required",
        details: { nodeError: { code: "INVALID_REQUEST", message: "bins required" }, nodeCommandDispatched: true }, retryable: false,
      },
    });
  });

  test("refused locally, no request reaches the node: system.run, bad --params, unknown node", async () => {
    const before = workerSocket.events("node.invoke.request").length;
    const run = await cli(["invoke", "--node", "worker", "--command", "system.run", "--params", '{"command":["echo","hi"]}']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('Error: command "system.run" is reserved for shell execution; use the exec tool with host=node instead');
    const badJson = await cli(["invoke", "--node", "worker", "--command", "system.which", "--params", "{bins"]);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain("--params must be valid JSON");
    const unknown = await cli(["invoke", "--node", "nope", "--command", "system.which", "--json"]);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout).error.message).toStartWith("unknown node: nope");
    expect(workerSocket.events("node.invoke.request").length).toBe(before);
  });
});

test("rename, then remove by the new name: the node is closed 4001", async () => {
  const renamed = await cli(["rename", "--node", worker.id, "--name", "Work laptop"]);
  expect(renamed.stdout.trim()).toBe(`node rename ok: ${worker.id} -> Work laptop`);
  const json = JSON.parse((await cli(["describe", "--node", "work laptop", "--json"])).stdout);
  expect(json).toMatchObject({ nodeId: worker.id, displayName: "Work laptop" });
  const removed = await cli(["remove", "--node", "Work laptop"]);
  expect(removed.code).toBe(0);
  expect(removed.stdout.trim()).toBe(`Removed paired node ${worker.id}`);
  expect(await workerSocket.waitClose()).toEqual({ code: 4001, reason: "device removed" });
  const gone = await cli(["remove", "--node", worker.id, "--json"]);
  expect(gone.code).toBe(1);
  expect(JSON.parse(gone.stdout).error.message).toStartWith(`unknown node: ${worker.id}`);
});

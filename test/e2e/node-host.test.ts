// `openclaw node run` (the real CLI, spawned) against a gateway spawned the same way: the node
// connects, an operator approves its commands, `gateway call node.invoke` runs system.which and
// system.run on it, and SIGTERM ends it cleanly. Runs against the compiled binary too
// (OPENCLAW_TEST_BINARY).
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { freePort, makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

setDefaultTimeout(60_000);

const TOKEN = "node-e2e-token-0123";
let gateway: Spawned;
let url: string;
let admin: RawClient;
const running: Spawned[] = [];

beforeAll(async () => {
  gateway = spawnCli(["gateway", "run", "--port", String(freePort()), "--token", TOKEN, "--allow-unconfigured"]);
  running.push(gateway);
  url = await gateway.ready;
  admin = await RawClient.connect(url, { token: TOKEN, scopes: ["operator.admin", "operator.pairing"] });
});
afterAll(async () => {
  admin?.close();
  for (const p of running) p.proc.kill("SIGTERM");
  await Promise.all(running.map((p) => p.exited));
});

async function call(method: string, params: unknown) {
  const p = spawnCli(["gateway", "call", method, "--params", JSON.stringify(params), "--url", url, "--token", TOKEN, "--json"]);
  const code = await p.exited;
  return { code, json: JSON.parse(p.stdout()), stderr: p.stderr() };
}

test("node run: connect, approval, system.which and system.run, clean stop", async () => {
  const home = makeHome();
  const identity = spawnCli(["node", "identity", "--json"], { home });
  expect(await identity.exited).toBe(0);
  const { deviceId, path } = JSON.parse(identity.stdout());
  expect(statSync(path).mode & 0o777).toBe(0o600);

  const port = new URL(url).port;
  const node = spawnCli(["node", "run", "--host", "127.0.0.1", "--port", port, "--display-name", "e2e box"], {
    home, env: { OPENCLAW_GATEWAY_TOKEN: TOKEN },
  });
  running.push(node);
  await waitUntil(() => node.stdout().includes("commands await approval"), "the node to connect", { detail: () => node.stdout() + node.stderr() });

  const listed = (await admin.request("node.list", {})).payload.nodes;
  expect(listed.find((n: { nodeId: string }) => n.nodeId === deviceId)).toMatchObject({ displayName: "e2e box", connected: true, approvalState: "pending-approval" });
  const pending = (await admin.request("node.pair.list", {})).payload.pending.find((p: { nodeId: string }) => p.nodeId === deviceId);
  expect((await admin.request("node.pair.approve", { requestId: pending.requestId })).ok).toBe(true);
  await waitUntil(() => node.stdout().includes("approved this node's commands"), "the node to hear of it");

  const which = await call("node.invoke", { nodeId: deviceId, command: "system.which", params: { bins: ["sh", "nope-xyz"] }, idempotencyKey: crypto.randomUUID() });
  expect(which.code).toBe(0);
  expect(which.json).toMatchObject({ ok: true, nodeId: deviceId, command: "system.which", payload: { bins: { sh: Bun.which("sh") } } });

  const run = await call("node.invoke", { nodeId: deviceId, command: "system.run", params: { command: ["sh", "-c", "echo from-node; echo $OPENCLAW_GATEWAY_TOKEN"] }, idempotencyKey: crypto.randomUUID() });
  // The node's own token is in its environment but never in a command's.
  expect(run.json.payload).toEqual({ exitCode: 0, timedOut: false, success: true, stdout: "from-node\n\n", stderr: "", error: null });

  node.proc.kill("SIGTERM");
  expect(await node.exited).toBe(0);
  await waitUntil(async () => {
    const n = (await admin.request("node.list", {})).payload.nodes.find((x: { nodeId: string }) => x.nodeId === deviceId);
    return n && !n.connected;
  }, "the node to show as disconnected");

  // A second run needs no flags and no token: it remembers the gateway and has its device token.
  const again = spawnCli(["node", "run"], { home });
  running.push(again);
  await waitUntil(() => again.stdout().includes("auth device-token"), "the reconnect with the device token", { detail: () => again.stdout() + again.stderr() });
  again.proc.kill("SIGTERM");
  expect(await again.exited).toBe(0);
  expect(statSync(join(home, ".openclaw/node/device-auth.json")).mode & 0o777).toBe(0o600);
});

test("a wrong token: exit 1 with the reason, no retry loop", async () => {
  const node = spawnCli(["node", "run", "--host", "127.0.0.1", "--port", new URL(url).port], { env: { OPENCLAW_GATEWAY_TOKEN: "wrong" } });
  expect(await node.exited).toBe(1);
  expect(node.stderr()).toContain("AUTH_TOKEN_MISMATCH");
  expect(node.stderr()).toContain("OPENCLAW_GATEWAY_TOKEN does not match");
});

test("bad flags are usage errors", async () => {
  const badPort = spawnCli(["node", "run", "--port", "99999"]);
  expect(await badPort.exited).toBe(2);
  expect(badPort.stderr()).toContain("Invalid --port");
  const badCommands = spawnCli(["node", "run", "--commands", "system.run,camera.snap"]);
  expect(await badCommands.exited).toBe(2);
  expect(badCommands.stderr()).toContain("Invalid --commands: camera.snap");
});

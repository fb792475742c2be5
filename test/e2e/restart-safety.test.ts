// A restart (SIGUSR1) with a config the gateway would refuse keeps the running gateway: same PID,
// port and token, no shutdown event, nobody disconnected, one log line naming file, key and problem.
import { afterEach, expect, test } from "bun:test";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

const TOKEN = "restart-safety-token-0123456789";
const running: Spawned[] = [];
const holders: { stop(force?: boolean): void }[] = [];
afterEach(async () => {
  for (const h of holders.splice(0)) h.stop(true);
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

const GOOD = { gateway: { mode: "local", auth: { token: TOKEN } } };

function waitForOutput(s: Spawned, re: RegExp): Promise<string> {
  const output = () => s.stdout() + s.stderr();
  return waitUntil(() => re.exec(output())?.[0], String(re), { timeoutMs: 20_000, detail: output });
}

/** A gateway on a config of our own; the file can be edited at `config`. */
async function start(config: object, port = "0") {
  const home = makeHome(config);
  const s = spawnCli(["gateway", "run", ...(port ? ["--port", port] : [])], { home });
  running.push(s);
  return { s, home, url: await s.ready, config: join(home, ".openclaw/openclaw.json") };
}

const cases: Array<{ name: string; edit: string | object; expect: RegExp }> = [
  { name: "invalid JSON5", edit: "{ gateway: { mode: 'local', auth: { token: ", expect: /openclaw\.json: .*(JSON5|parse|Unexpected|syntax)/i },
  {
    name: "a schema error",
    edit: { gateway: { mode: "local", auth: { token: TOKEN }, port: "not-a-port" } },
    expect: /openclaw\.json: gateway\.port: /,
  },
  { name: "gateway.mode removed", edit: { gateway: { auth: { token: TOKEN } } }, expect: /openclaw\.json: gateway\.mode: Gateway start blocked/ },
  {
    name: "a non-loopback bind without auth",
    edit: { gateway: { mode: "local", bind: "lan", auth: { mode: "none" } } },
    expect: /openclaw\.json: gateway\.auth\.mode: refusing to bind gateway to lan/,
  },
  {
    name: "an unresolvable SecretRef for the token",
    edit: { gateway: { mode: "local", auth: { token: { source: "env", provider: "default", id: "OPENCLAW_TEST_MISSING_TOKEN" } } } },
    expect: /openclaw\.json: required secrets are unavailable: gateway\.auth\.token/,
  },
];

for (const c of cases) {
  test(`SIGUSR1 with ${c.name}: the running gateway keeps serving, nobody is disconnected`, async () => {
    const { s, url, config } = await start(GOOD);
    const client = await RawClient.connect(url, { token: TOKEN, clientId: "openclaw-control-ui", mode: "ui" });
    writeFileSync(config, typeof c.edit === "string" ? c.edit : JSON.stringify(c.edit));
    s.proc.kill("SIGUSR1");
    const line = await waitForOutput(s, /restart \(SIGUSR1\) skipped; the gateway keeps running with the last good config: .*/);
    expect(line).toMatch(c.expect);

    // Same socket, same PID, same token; no shutdown event and no close.
    expect((await client.request("health")).ok).toBe(true);
    expect(client.events("shutdown")).toEqual([]);
    expect(client.closed).toBeNull();
    const again = await RawClient.connect(url, { token: TOKEN, scopes: ["operator.read"] });
    expect((await again.request("status")).payload.pid).toBe(s.proc.pid);
    expect(s.proc.exitCode).toBeNull();
    expect(s.stdout() + s.stderr()).not.toMatch(/Gateway failed to start/);
    again.close();
    client.close();
  }, 30_000);
}

test("a restart to a port another process holds is refused before the old listener closes", async () => {
  const { s, url, config } = await start({ gateway: { ...GOOD.gateway, port: freePort() } }, "");
  const client = await RawClient.connect(url, { token: TOKEN, scopes: ["operator.read"] });
  const taken = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  holders.push(taken);
  writeFileSync(config, JSON.stringify({ gateway: { ...GOOD.gateway, reload: { mode: "off" }, port: taken.port } }));
  s.proc.kill("SIGUSR1");
  const line = await waitForOutput(s, /restart \(SIGUSR1\) skipped.*/);
  expect(line).toContain(`gateway.port: port ${taken.port} on 127.0.0.1 is not available`);
  expect((await client.request("health")).ok).toBe(true);
  expect(client.closed).toBeNull();
  client.close();
}, 30_000);

test("a valid edit still restarts in process and the next boot uses it", async () => {
  const { s, url, config } = await start(GOOD);
  const client = await RawClient.connect(url, { token: TOKEN, scopes: ["operator.read"] });
  const NEW = "restart-safety-new-token-987654321";
  writeFileSync(config, JSON.stringify({ gateway: { mode: "local", reload: { mode: "off" }, auth: { token: NEW } } }));
  s.proc.kill("SIGUSR1");
  expect((await client.waitClose()).code).toBe(1012);
  await waitForOutput(s, /restart completed in \d+ms/);
  const again = await RawClient.connect(url, { token: NEW, scopes: ["operator.read"] });
  expect((await again.request("status")).payload.pid).toBe(s.proc.pid);
  again.close();
}, 30_000);

test("the session store is kept open across a restart: a damaged file on disk cannot take the gateway down", async () => {
  const { s, url, home } = await start(GOOD);
  const db = join(home, ".openclaw/state/sessions.sqlite");
  // Something puts what cannot be opened where the database was (a bad restore, a sync tool).
  renameSync(db, `${db}.moved`);
  mkdirSync(db);
  s.proc.kill("SIGUSR1");
  await waitForOutput(s, /restart completed in \d+ms/);
  const c = await RawClient.connect(url, { token: TOKEN, scopes: ["operator.read"] });
  expect((await c.request("health")).ok).toBe(true);
  expect((await c.request("status")).payload.pid).toBe(s.proc.pid);
  expect(s.proc.exitCode).toBeNull();
  c.close();
}, 30_000);

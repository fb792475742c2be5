// In-process restart: SIGUSR1/SIGUSR2 with clients connected keeps the PID and the port.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const TOKEN = "restart-token-0123456789";
const running: Spawned[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

function start(config: object, args: string[] = []): Spawned {
  const s = spawnCli(["gateway", "run", "--port", "0", ...args], { home: makeHome(config) });
  running.push(s);
  return s;
}

async function connectWithRetry(url: string, deadlineMs = 20_000): Promise<RawClient & { hello: any }> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await RawClient.connect(url, { token: TOKEN, clientId: "openclaw-control-ui", mode: "ui" });
    } catch (err) {
      if (Date.now() > until) throw err;
      await Bun.sleep(5);
    }
  }
}

for (const signal of ["SIGUSR1", "SIGUSR2"] as const) {
  test(`${signal}: shutdown event with restartExpectedMs, 1012, same PID and port, clients reconnect`, async () => {
    const s = start({ gateway: { mode: "local", auth: { token: TOKEN } } });
    const url = await s.ready;
    const c = await connectWithRetry(url);
    const bootId = c.hello.server.bootId;
    const t0 = performance.now();
    s.proc.kill(signal);
    const closed = await c.waitClose();
    expect(closed).toEqual({ code: 1012, reason: "service restart" });
    expect(c.events("shutdown")[0]!.payload).toMatchObject({ reason: "gateway restarting", restartExpectedMs: 1000 });
    const again = await connectWithRetry(url);
    const restartMs = performance.now() - t0;
    expect(again.hello.server.bootId).not.toBe(bootId);
    const status = await RawClient.connect(url, { token: TOKEN, scopes: ["operator.read"] });
    expect((await status.request("status")).payload.pid).toBe(s.proc.pid);
    expect(s.proc.exitCode).toBeNull();
    expect(s.stdout() + s.stderr()).toMatch(/restart completed in \d+ms/);
    // Signal to accepting connections again. The goal is under 300 ms and the gateway logs what it took
    // ("restart completed in N ms"); this bound only tells "came back" from "hung", with room for a busy machine.
    expect(restartMs).toBeLessThan(20_000);
    again.close();
    status.close();
  });
}

test("a generated token survives the restart", async () => {
  const s = start({ gateway: { mode: "local" } });
  const url = await s.ready;
  const token = /Gateway token \(generated for this run\): (\S+)/.exec(s.stdout())![1]!;
  s.proc.kill("SIGUSR1");
  // Connect only once the restart is done, or this could be the old listener answering.
  await waitUntil(() => /restart completed in \d+ms/.test(s.stdout() + s.stderr()), "the restart to complete", {
    timeoutMs: 20_000,
    detail: () => s.stdout() + s.stderr(),
  });
  const until = Date.now() + 20_000;
  let hello: any;
  while (!hello) {
    hello = await RawClient.connect(url, { token }).then((c) => c.hello).catch(() => undefined);
    if (!hello && Date.now() > until) throw new Error("no reconnect with the generated token");
    if (!hello) await Bun.sleep(10);
  }
  expect(hello.auth.method).toBe("token");
});

test("commands.restart=false refuses the restart and says so", async () => {
  const s = start({ gateway: { mode: "local", auth: { token: TOKEN } }, commands: { restart: false } });
  const url = await s.ready;
  const c = await connectWithRetry(url);
  s.proc.kill("SIGUSR1");
  const until = Date.now() + 20_000;
  while (!/SIGUSR1 restart ignored \(not authorized; commands\.restart=false\)\./.test(s.stdout() + s.stderr())) {
    if (Date.now() > until) throw new Error(`no refusal logged:\n${s.stdout()}${s.stderr()}`);
    await Bun.sleep(10);
  }
  expect(c.closed).toBeNull();
  expect((await c.request("health")).ok).toBe(true);
  c.close();
});

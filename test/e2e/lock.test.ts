// One gateway per state dir: a second `gateway run` on the same state dir is refused (exit 78)
// whatever port it asks for; the lock dies with its owner, survives an in-process restart, and
// OPENCLAW_ALLOW_MULTI_GATEWAY=1 switches it off.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { RawClient } from "../fixtures/ws-client.ts";
import { profilePort } from "../../src/config/paths.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const TOKEN = "lock-token-0123456789abcdef";
const running: Spawned[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

function start(home: string, args: string[] = [], env: Record<string, string> = {}): Spawned {
  const s = spawnCli(["gateway", "run", "--port", "0", "--token", TOKEN, ...args], { home, env });
  running.push(s);
  return s;
}

const config = { gateway: { mode: "local" } };

function lockMessage(home: string, pid: number): string {
  const dir = join(home, ".openclaw");
  return (
    `Gateway failed to start: gateway already running (pid ${pid}) for state dir ${dir}; lock ${join(dir, "gateway.lock")}. ` +
    "Stop it (openclaw gateway stop) or use another --profile."
  );
}

async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error("timed out");
    await Bun.sleep(20);
  }
}

describe("state-dir lock", () => {
  test("a second gateway on the same state dir is refused with the owner's pid; the first keeps serving", async () => {
    const home = makeHome(config);
    const first = start(home);
    const url = await first.ready;
    const info = JSON.parse(readFileSync(join(home, ".openclaw/gateway.lock.json"), "utf8"));
    expect(info).toMatchObject({ pid: first.proc.pid, port: Number(new URL(url).port) });

    const second = start(home, [], {});
    expect(await second.exited).toBe(78);
    expect(second.stderr()).toContain(lockMessage(home, first.proc.pid));
    expect(second.stderr()).not.toMatch(/^\s+at /m);
    expect(second.stdout()).not.toContain("Gateway ready");
    expect(first.proc.exitCode).toBeNull();
    expect(await fetch(url.replace("ws://", "http://") + "/health").then((r) => r.status)).toBe(200);
  });

  test("other profiles are other state dirs: they run side by side", async () => {
    const home = makeHome();
    const a = spawnCli(["--profile", "a", "gateway", "run", "--allow-unconfigured", "--port", "0", "--token", TOKEN], { home });
    const b = spawnCli(["--profile", "b", "gateway", "run", "--allow-unconfigured", "--port", "0", "--token", TOKEN], { home });
    running.push(a, b);
    await Promise.all([a.ready, b.ready]);
    expect(existsSync(join(home, ".openclaw-a/gateway.lock"))).toBe(true);
    expect(existsSync(join(home, ".openclaw-b/gateway.lock"))).toBe(true);
  });

  test("profiles without --port get their own derived ports, state dirs and log files", async () => {
    const home = makeHome();
    const env = { OPENCLAW_LOG_DIR: join(home, "logs") };
    const a = spawnCli(["--profile", "alpha", "gateway", "run", "--allow-unconfigured", "--token", TOKEN], { home, env });
    const b = spawnCli(["--profile", "beta", "gateway", "run", "--allow-unconfigured", "--token", TOKEN], { home, env });
    running.push(a, b);
    const [ua, ub] = await Promise.all([a.ready, b.ready]);
    expect(ua).toBe(`ws://127.0.0.1:${profilePort("alpha")}`);
    expect(ub).toBe(`ws://127.0.0.1:${profilePort("beta")}`);
    const ca = await RawClient.connect(ua, { token: TOKEN, scopes: ["operator.admin"] });
    const cb = await RawClient.connect(ub, { token: TOKEN, scopes: ["operator.admin"] });
    const [sa, sb] = [(await ca.request("status")).payload, (await cb.request("status")).payload];
    expect(sa.gateway.stateDir).toBe(join(home, ".openclaw-alpha"));
    expect(sb.gateway.stateDir).toBe(join(home, ".openclaw-beta"));
    expect(sa.gateway.logFile).toMatch(/openclaw-alpha-\d{4}-\d{2}-\d{2}\.log$/);
    expect(sb.gateway.logFile).toMatch(/openclaw-beta-\d{4}-\d{2}-\d{2}\.log$/);
    ca.close();
    cb.close();
  });

  test("a SIGKILLed gateway leaves no stale lock", async () => {
    const home = makeHome(config);
    const first = start(home);
    await first.ready;
    first.proc.kill("SIGKILL");
    await first.exited;
    const next = start(home);
    await next.ready;
    expect(JSON.parse(readFileSync(join(home, ".openclaw/gateway.lock.json"), "utf8")).pid).toBe(next.proc.pid);
  });

  test("a clean shutdown releases it and removes the sidecar", async () => {
    const home = makeHome(config);
    const first = start(home);
    await first.ready;
    first.proc.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(existsSync(join(home, ".openclaw/gateway.lock.json"))).toBe(false);
    await start(home).ready;
  });

  test("an in-process restart (SIGUSR2) keeps the lock: same pid, a newcomer is still refused", async () => {
    const home = makeHome(config);
    const first = start(home);
    await first.ready;
    first.proc.kill("SIGUSR2");
    await waitFor(() => /restart completed/.test(first.stdout()));
    expect(first.stdout() + first.stderr()).not.toContain("gateway already running");
    const second = start(home);
    expect(await second.exited).toBe(78);
    expect(second.stderr()).toContain(lockMessage(home, first.proc.pid));
  });

  test.skipIf(process.platform === "win32")("--force on the owner's port replaces it: the old owner is killed, the lock changes hands", async () => {
    const home = makeHome(config);
    const port = String(freePort());
    const first = spawnCli(["gateway", "run", "--port", port, "--token", TOKEN], { home });
    running.push(first);
    await first.ready;
    const second = spawnCli(["gateway", "run", "--port", port, "--token", TOKEN, "--force"], { home });
    running.push(second);
    expect(await second.ready).toBe(`ws://127.0.0.1:${port}`);
    await first.exited;
    expect(JSON.parse(readFileSync(join(home, ".openclaw/gateway.lock.json"), "utf8"))).toMatchObject({ pid: second.proc.pid, port: Number(port) });
  });

  test("OPENCLAW_ALLOW_MULTI_GATEWAY=1 skips the lock, with a warning", async () => {
    const home = makeHome(config);
    await start(home).ready;
    const second = start(home, [], { OPENCLAW_ALLOW_MULTI_GATEWAY: "1" });
    await second.ready;
    expect(second.stderr()).toContain("OPENCLAW_ALLOW_MULTI_GATEWAY=1: state-dir lock skipped");
  });
});

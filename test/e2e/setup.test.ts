// `openclaw --dev setup` → `openclaw --dev gateway run` → `openclaw --dev health`: the dev profile
// from nothing, with the generated token picked up from the config by both sides.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { CLI, freePort, makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const running: Spawned[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

async function cli(home: string, args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([...CLI, ...args], {
    cwd: home,
    env: { PATH: process.env.PATH!, HOME: home, NO_COLOR: "1", OPENCLAW_LOG_DIR: `${home}/logs`, ...env },
    stdin: "ignore", stdout: "pipe", stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

test("dev setup, then the dev gateway starts from it and the dev CLI reaches it with the stored token", async () => {
  const home = makeHome();
  const env = { OPENCLAW_GATEWAY_PORT: String(freePort()) };
  const made = await cli(home, ["--dev", "setup"], env);
  expect(made.code).toBe(0);
  expect(made.stdout).toStartWith(`Dev config ready: ${join(home, ".openclaw-dev/openclaw.json")}\n`);
  const token = /token: (\S+)/.exec(made.stdout)![1]!;

  const gw = spawnCli(["--dev", "gateway", "run"], { home, env });
  running.push(gw);
  expect(await gw.ready).toBe(`ws://127.0.0.1:${env.OPENCLAW_GATEWAY_PORT}`);
  expect(gw.stdout()).not.toContain("generated for this run");

  const health = await cli(home, ["--dev", "health", "--json"], env);
  expect(health.code).toBe(0);
  expect(JSON.parse(health.stdout).ok).toBe(true);
  expect(health.stdout + health.stderr).not.toContain(token);

  // Reset is refused while the dev gateway runs, and nothing is removed.
  const reset = await cli(home, ["--dev", "setup", "--reset"], env);
  expect(reset.code).toBe(1);
  expect(reset.stderr).toContain(`A gateway is running on ${join(home, ".openclaw-dev")} (pid ${gw.proc.pid})`);
});

// `openclaw gateway run --force`: a port held by some other process is freed, and the gateway starts on it.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { freePort, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { waitUntil } from "../fixtures/wait.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const running: Spawned[] = [];
const others: Bun.Subprocess[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
  for (const p of others.splice(0)) p.kill("SIGKILL");
});

/** Some unrelated process listening on `port` (all interfaces); resolves once it answers. */
async function squat(port: number): Promise<Bun.Subprocess> {
  const proc = Bun.spawn(
    [process.execPath, "-e", `Bun.serve({port:${port},fetch(){return new Response("x")}}); setInterval(()=>{},1000)`],
    { stdin: "ignore", stdout: "ignore", stderr: "inherit" },
  );
  others.push(proc);
  await waitUntil(() => fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false), `a listener on ${port}`, { timeoutMs: 30_000, intervalMs: 25 });
  return proc;
}

test.skipIf(process.platform === "win32")("--force kills the listener on the port, names it, and starts there", async () => {
  const port = freePort();
  const squatter = await squat(port);
  const s = spawnCli(["gateway", "run", "--force", "--port", String(port), "--allow-unconfigured", "--token", "x"]);
  running.push(s);
  const url = await s.ready;
  expect(url).toEndWith(`:${port}`);
  expect(s.stdout() + s.stderr()).toMatch(new RegExp(`force: killed pid ${squatter.pid} \\(bun[^)]*\\) on port ${port}`));
  expect(await squatter.exited).not.toBe(0);
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(await health.json()).toEqual({ ok: true, status: "live" });
});

test("--force on a free port just starts", async () => {
  const port = freePort();
  const s = spawnCli(["gateway", "run", "--force", "--port", String(port), "--allow-unconfigured", "--token", "x"]);
  running.push(s);
  await s.ready;
  expect(s.stdout() + s.stderr()).not.toContain("force: killed");
});

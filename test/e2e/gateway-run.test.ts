import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { RawClient } from "../fixtures/ws-client.ts";
import { freePort, makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const running: Spawned[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

function start(args: string[], opts: Parameters<typeof spawnCli>[1] = {}): Spawned {
  const s = spawnCli(["gateway", "run", ...args], opts);
  running.push(s);
  return s;
}

const TOKEN = "e2e-token-abcdef0123456789";
const local = { gateway: { mode: "local" } };

describe("start-up guards: a clear message on stderr and a non-zero exit", () => {
  const cases: Array<{ name: string; config?: object | string; args: string[]; env?: Record<string, string>; code: number; stderr: RegExp[] }> = [
    { name: "no config and no --allow-unconfigured", args: ["--port", "0"], code: 78, stderr: [/Missing config\. Run `openclaw setup` or set gateway\.mode=local \(or pass --allow-unconfigured\)\./] },
    { name: "config without gateway.mode", config: { logging: { level: "info" } }, args: ["--port", "0"], code: 78, stderr: [/Gateway start blocked: existing config is missing gateway\.mode/] },
    { name: "gateway.mode remote", config: { gateway: { mode: "remote" } }, args: ["--port", "0"], code: 78, stderr: [/Gateway start blocked: set gateway\.mode=local \(current: remote\)/] },
    { name: "a LAN bind without auth", config: local, args: ["--port", "0", "--bind", "lan", "--auth", "none"], code: 78, stderr: [/refusing to bind gateway to lan \(0\.0\.0\.0\) without auth/] },
    { name: "password mode without a password", config: local, args: ["--port", "0", "--auth", "password"], code: 78, stderr: [/Gateway auth is set to password, but no password is configured/] },
    { name: "an invalid --bind", config: local, args: ["--bind", "0.0.0.0"], code: 1, stderr: [/Invalid --bind\. Use "loopback", "lan", "tailnet", "auto", or "custom"\./] },
    { name: "an invalid --port", config: local, args: ["--port", "http"], code: 1, stderr: [/Invalid --port/] },
    {
      name: "an invalid config names the file, the key path and the problem",
      config: `{ gateway: { mode: "local", port: "18789", bogus: true } }`, args: [], code: 78,
      stderr: [/Invalid config at .*\.openclaw\/openclaw\.json/, /gateway\.port: .*expected number/, /gateway: Unrecognized key: "bogus"/],
    },
    { name: "a JSON5 syntax error", config: `{ gateway: { mode: "local",, } }`, args: [], code: 78, stderr: [/JSON5 parse failed: .* at 1:\d+/] },
  ];
  for (const k of cases) {
    test(k.name, async () => {
      const s = start(k.args, { home: makeHome(k.config), env: k.env });
      expect(await s.exited).toBe(k.code);
      for (const re of k.stderr) expect(s.stderr()).toMatch(re);
      expect(s.stderr()).not.toMatch(/^\s+at /m); // no stack trace for an expected refusal
    });
  }

  test("a port that is taken: EADDRINUSE and the existing listener named", async () => {
    const port = freePort();
    const first = start(["--port", String(port), "--token", TOKEN], { home: makeHome(local) });
    await first.ready;
    const second = start(["--port", String(port), "--token", TOKEN], { home: makeHome(local) });
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(`another gateway instance is already listening on ws://127.0.0.1:${port}`);
    expect(second.stderr()).toContain("EADDRINUSE");
  });
});

describe("running", () => {
  test("--port beats OPENCLAW_GATEWAY_PORT beats gateway.port", async () => {
    const [a, b, c] = [freePort(), freePort(), freePort()];
    const cfg = { gateway: { mode: "local", port: a } };
    const viaFlag = start(["--port", String(c), "--token", TOKEN], { home: makeHome(cfg), env: { OPENCLAW_GATEWAY_PORT: String(b) } });
    expect(await viaFlag.ready).toBe(`ws://127.0.0.1:${c}`);
    const viaEnv = start(["--token", TOKEN], { home: makeHome(cfg), env: { OPENCLAW_GATEWAY_PORT: String(b) } });
    expect(await viaEnv.ready).toBe(`ws://127.0.0.1:${b}`);
    const viaConfig = start(["--token", TOKEN], { home: makeHome(cfg) });
    expect(await viaConfig.ready).toBe(`ws://127.0.0.1:${a}`);
  });

  test("a generated token is printed and works; the env token works; the log never holds either", async () => {
    const gen = start(["--port", "0"], { home: makeHome(local) });
    const url = await gen.ready;
    const token = /Gateway token \(generated for this run\): (\S+)/.exec(gen.stdout())?.[1];
    expect(token).toBeDefined();
    const c = await RawClient.connect(url, { token, scopes: ["operator.admin"] });
    const tail = await c.request("logs.tail", { limit: 5000 });
    expect(tail.ok).toBe(true);
    expect(tail.payload.lines.join("\n")).not.toContain(token!);
    expect(tail.payload.file).toMatch(new RegExp(`^${gen.home}/logs/openclaw-\\d{4}-\\d{2}-\\d{2}\\.log$`));
    c.close();

    const envRun = start(["--port", "0"], { home: makeHome(local), env: { OPENCLAW_GATEWAY_TOKEN: TOKEN } });
    const c2 = await RawClient.connect(await envRun.ready, { token: TOKEN });
    expect(c2.hello.auth.method).toBe("token");
    c2.close();
  });

  test("`openclaw gateway` with flags and no verb runs the gateway", async () => {
    const s = spawnCli(["gateway", "--port", "0", "--token", TOKEN], { home: makeHome(local) });
    running.push(s);
    expect(await s.ready).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  });

  test("SIGTERM: clients get shutdown then 1012, the process exits 0 promptly", async () => {
    const s = start(["--port", "0", "--token", TOKEN], { home: makeHome(local) });
    const c = await RawClient.connect(await s.ready, { token: TOKEN, clientId: "openclaw-control-ui", mode: "ui" });
    const t0 = performance.now();
    s.proc.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    // The drain is bounded (5 s at most): this only tells "stopped" from "hung", with room for a busy machine.
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect((await c.waitClose()).code).toBe(1012);
    expect(c.events("shutdown")[0]?.payload.reason).toBe("gateway stopping");
    expect(s.stdout() + s.stderr()).toContain("received SIGTERM; shutting down");
  });

  test("SIGINT is a graceful stop too", async () => {
    const s = start(["--port", "0", "--token", TOKEN], { home: makeHome(local) });
    await s.ready;
    s.proc.kill("SIGINT");
    expect(await s.exited).toBe(0);
  });

  test("--dev uses the dev state dir", async () => {
    const s = spawnCli(["--dev", "gateway", "run", "--allow-unconfigured", "--port", "0", "--token", TOKEN]);
    running.push(s);
    const c = await RawClient.connect(await s.ready, { token: TOKEN, scopes: ["operator.admin"] });
    const st = (await c.request("status")).payload;
    expect(st.gateway.stateDir).toBe(`${s.home}/.openclaw-dev`);
    expect(st.gateway.profile).toBe("dev");
    c.close();
  });

  test("/healthz and /readyz answer without auth on the same port", async () => {
    const s = start(["--port", "0", "--token", TOKEN], { home: makeHome(local) });
    const http = (await s.ready).replace("ws://", "http://");
    expect(await (await fetch(`${http}/healthz`)).json()).toEqual({ ok: true, status: "live" });
    const ready = await fetch(`${http}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { ready: boolean }).ready).toBe(true);
  });
});

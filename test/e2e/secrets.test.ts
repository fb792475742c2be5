// SecretRefs on a spawned gateway: file-backed token rotation with `openclaw secrets reload`,
// a failed reload keeping the previous snapshot, start-up failing closed, provider warnings.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../fixtures/gateway.ts";
import { CLI, makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { RawClient } from "../fixtures/ws-client.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const OLD = "old-file-token-0123456789";
const NEW = "new-file-token-9876543210";
const running: Spawned[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

function writeSecret(path: string, token: string): void {
  // Rotation as a secrets agent does it: a new private file renamed into place.
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify({ gateway: { token } }), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function fileRefConfig(secretPath: string, extra: Record<string, unknown> = {}) {
  return {
    gateway: { mode: "local", auth: { token: { source: "file", provider: "tok", id: "/gateway/token" } } },
    secrets: { providers: { tok: { source: "file", path: secretPath } } },
    ...extra,
  };
}

async function cli(args: string[], home: string, env: Record<string, string> = {}) {
  const proc = Bun.spawn([...CLI, ...args], {
    cwd: home,
    env: { PATH: process.env.PATH!, HOME: home, NO_COLOR: "1", OPENCLAW_LOG_DIR: `${home}/logs`, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

function logText(s: Spawned): string {
  const dir = join(s.home, "logs");
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8")).join("") + s.stdout() + s.stderr();
}

test("file-backed token rotation: secrets reload swaps it in, old sockets get 4001, same PID, no restart", async () => {
  const secretPath = join(tempDir("secret-"), "gateway.json");
  writeSecret(secretPath, OLD);
  const home = makeHome(fileRefConfig(secretPath));
  const s = spawnCli(["gateway", "run", "--port", "0"], { home });
  running.push(s);
  const url = await s.ready;

  const old = await RawClient.connect(url, { token: OLD, scopes: ["operator.read"] });
  const bootId = old.hello.server.bootId;
  // config.get shows the reference, never the value.
  const got = (await old.request("config.get")).payload;
  expect(got.config.gateway.auth.token).toEqual({ source: "file", provider: "tok", id: "/gateway/token" });
  expect(JSON.stringify(got)).not.toContain(OLD);

  writeSecret(secretPath, NEW);
  // Nothing changes until the reload: the file is read when the config activates.
  await Bun.sleep(300);
  expect(old.closed).toBeNull();
  (await RawClient.connect(url, { token: OLD })).close();

  // The CLI resolves the config's reference itself, so it now presents the new token: refused, with a hint.
  const early = await cli(["secrets", "reload"], home, { OPENCLAW_GATEWAY_URL: url });
  expect(early.code).toBe(1);
  expect(early.stderr).toContain("Secrets reload failed: INVALID_REQUEST: unauthorized: gateway token mismatch");
  expect(early.stderr).toContain("the gateway still expects the previous one until this succeeds: pass it with --token/--password");

  const r = await cli(["secrets", "reload", "--json", "--url", url, "--token", OLD], home);
  expect(r.stderr).toBe("");
  expect(r.stdout.trim()).toBe('{"ok":true,"warningCount":0}');
  expect(r.code).toBe(0);

  expect(await old.waitClose()).toEqual({ code: 4001, reason: "gateway auth changed" });
  const refused = await RawClient.connect(url, { token: OLD }).catch((e) => e);
  expect(refused.res.error.details.code).toBe("AUTH_TOKEN_MISMATCH");
  const fresh = await RawClient.connect(url, { token: NEW, scopes: ["operator.read"] });
  expect(fresh.hello.server.bootId).toBe(bootId);
  expect((await fresh.request("status")).payload.pid).toBe(s.proc.pid);

  // Without --url the CLI resolves the same reference (now in step with the gateway).
  const plain = await cli(["secrets", "reload"], home, { OPENCLAW_GATEWAY_URL: url });
  expect(plain).toMatchObject({ code: 0, stdout: "Secrets reloaded.\n" });

  // A reload that cannot resolve gateway auth keeps the previous snapshot.
  renameSync(secretPath, `${secretPath}.gone`);
  const failed = await cli(["secrets", "reload", "--url", url, "--token", NEW], home);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toBe(
    `Secrets reload failed: UNAVAILABLE: required secrets are unavailable: gateway.auth.token: file provider "tok": ${secretPath}: no such file (previous secrets kept)\n`,
  );
  expect((await fresh.request("health")).ok).toBe(true);
  (await RawClient.connect(url, { token: NEW })).close();

  expect(s.stdout() + s.stderr()).not.toMatch(/restarting in process/);
  expect(s.stdout() + s.stderr()).toContain("[secrets] secrets reloaded (0 warning(s))");
  // Neither value was ever logged.
  const logs = logText(s);
  expect(logs).not.toContain(OLD);
  expect(logs).not.toContain(NEW);
  fresh.close();
});

test("start-up fails closed when the gateway-auth reference cannot be resolved", async () => {
  const home = makeHome({ gateway: { mode: "local", auth: { token: { source: "env", id: "E2E_MISSING_GATEWAY_TOKEN" } } } });
  const s = spawnCli(["gateway", "run", "--port", "0"], { home });
  running.push(s);
  expect(await s.exited).toBe(1);
  expect(s.stderr()).toContain(
    "Gateway failed to start: required secrets are unavailable: gateway.auth.token: environment variable E2E_MISSING_GATEWAY_TOKEN is not set",
  );
  expect(s.stdout()).not.toContain("Gateway ready");
});

test("an exec-resolved token serves; an unresolvable provider apiKey is a warning and counts in warningCount", async () => {
  const dir = tempDir("exec-");
  const command = join(dir, "resolver.sh");
  writeFileSync(command, `#!/bin/sh\ncat >/dev/null\necho '{"protocolVersion":1,"values":{"gateway/token":"exec-token-0123456789"}}'\n`, { mode: 0o700 });
  chmodSync(command, 0o700);
  const home = makeHome({
    gateway: { mode: "local", auth: { token: { source: "exec", provider: "vault", id: "gateway/token" } } },
    models: { providers: { local: { baseUrl: "http://127.0.0.1:9/v1", apiKey: { source: "env", id: "E2E_MISSING_LOCAL_KEY" } } } },
    secrets: { providers: { vault: { source: "exec", command, timeoutMs: 3000 } } },
  });
  const s = spawnCli(["gateway", "run", "--port", "0"], { home });
  running.push(s);
  const url = await s.ready;
  expect(s.stderr()).toContain(
    '[secrets] secret reference at models.providers.local.apiKey not resolved (environment variable E2E_MISSING_LOCAL_KEY is not set); model provider "local" is unavailable. Retry: openclaw secrets reload',
  );
  const c = await RawClient.connect(url, { token: "exec-token-0123456789" });
  c.close();
  const r = await cli(["secrets", "reload", "--json", "--url", url, "--token", "exec-token-0123456789"], home);
  expect(JSON.parse(r.stdout)).toEqual({ ok: true, warningCount: 1 });
  const human = await cli(["secrets", "reload", "--url", url, "--token", "exec-token-0123456789"], home);
  expect(human.stdout).toBe("Secrets reloaded.\n");
  expect(human.stderr).toContain("1 secret reference(s) did not resolve; see the gateway log ([secrets]).");
});

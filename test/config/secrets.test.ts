import { describe, expect, test } from "bun:test";
import { chmodSync, linkSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, loadConfig, validateConfig } from "../../src/config/load.ts";
import type { ResolvedPaths } from "../../src/config/paths.ts";
import { collectSecrets, redactConfig } from "../../src/config/redact.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import {
  readJsonPointer,
  resolveConfigSecrets,
  SecretsUnavailableError,
  unresolvedSecretsOf,
} from "../../src/config/secrets.ts";
import { activateConfig } from "../../src/gateway/activate.ts";
import { providerFromResolvedConfig } from "../../src/gateway/reload/providers.ts";
import { ProviderError } from "../../src/agents/providers/types.ts";
import { tempDir } from "./helpers.ts";

const env = (o: Record<string, string> = {}) => ({ ...o });

/** A private (0600) file, as the file provider requires. */
function secretFile(content: string, name = "secrets.json"): string {
  const path = join(tempDir("secret-"), name);
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

/** An exec resolver script; it logs every run (its stdin) to `<dir>/runs.log`. */
function execScript(body: string): { command: string; runs: () => string[] } {
  const dir = tempDir("exec-");
  const command = join(dir, "resolver.sh");
  const log = join(dir, "runs.log");
  writeFileSync(command, `#!/bin/sh\nINPUT=$(cat)\necho "$INPUT" >> ${log}\n${body}\n`, { mode: 0o700 });
  chmodSync(command, 0o700);
  return { command, runs: () => { try { return readFileSync(log, "utf8").trim().split("\n"); } catch { return []; } } };
}

function cfg(o: unknown): OpenClawConfig {
  return validateConfig(o, "test.json");
}

function issues(o: unknown): string[] {
  try {
    validateConfig(o, "test.json");
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected a ConfigError");
}

describe("SecretRef in the schema", () => {
  test("accepted on every secret-bearing key", () => {
    const ref = { source: "env", id: "SOME_SECRET" };
    expect(() =>
      cfg({
        gateway: { auth: { token: ref, password: ref }, remote: { token: ref, password: ref } },
        models: { providers: { local: { baseUrl: "http://127.0.0.1:1/v1", apiKey: { source: "file", provider: "vault", id: "/local/key" } } } },
        secrets: { providers: { vault: { source: "file", path: "/etc/openclaw/secrets.json" } } },
      }),
    ).not.toThrow();
  });

  test("malformed references are named precisely", () => {
    expect(issues({ gateway: { auth: { token: { source: "vault", id: "X" } } } })).toEqual([
      'gateway.auth.token: Invalid SecretRef: source: Invalid option: expected one of "env"|"file"|"exec"',
    ]);
    expect(issues({ gateway: { auth: { token: { source: "env", id: "lower_case" } } } })[0]).toContain("env id must be an environment variable name");
    expect(issues({ gateway: { auth: { token: { source: "file", id: "no-pointer" } } } })[0]).toContain("absolute JSON pointer");
    expect(issues({ gateway: { auth: { token: { source: "exec", id: "a/../b" } } } })[0]).toContain('must not contain "." or ".." segments');
    expect(issues({ gateway: { auth: { token: { source: "env", id: "X", extra: 1 } } } })).toEqual(['gateway.auth.token: Unrecognized key: "extra"']);
    expect(issues({ gateway: { auth: { token: 42 } } })).toEqual([
      "gateway.auth.token: Invalid input: expected a string or a SecretRef {source, provider?, id}, received number",
    ]);
  });

  test("only secret-bearing keys take references", () => {
    expect(issues({ gateway: { customBindHost: { source: "env", id: "X" } } })[0]).toMatch(/^gateway\.customBindHost: /);
  });

  test("provider definitions are strict; exec commands must be absolute", () => {
    expect(issues({ secrets: { providers: { v: { source: "exec", command: "resolver.sh" } } } })).toEqual([
      "secrets.providers.v.command: must be an absolute path (or start with ~/)",
    ]);
    expect(issues({ secrets: { providers: { Bad: { source: "env" } } } })[0]).toMatch(/^secrets\.providers/);
    expect(issues({ secrets: { providers: { v: { source: "file", path: "/x", mode: "yaml" } } } })[0]).toContain('"json", "singleValue"');
  });
});

describe("env references", () => {
  test("resolve from the environment without a provider; a missing variable is a failure naming it", async () => {
    const c = cfg({
      gateway: { auth: { token: { source: "env", id: "GW_TOKEN" } } },
      models: { providers: { p: { baseUrl: "http://127.0.0.1:1/v1", apiKey: { source: "env", id: "P_KEY" } } } },
    });
    const r = await resolveConfigSecrets(c, { env: env({ GW_TOKEN: "tok-123" }), home: "/h" });
    expect(r.config.gateway?.auth?.token).toBe("tok-123");
    expect(r.config.models?.providers?.p?.apiKey).toBeUndefined();
    expect(r.resolved).toEqual(["gateway.auth.token"]);
    expect(r.failures).toEqual([{ path: "models.providers.p.apiKey", reason: "environment variable P_KEY is not set" }]);
    expect(unresolvedSecretsOf(r.config).get("models.providers.p.apiKey")).toBe("environment variable P_KEY is not set");
    // The input keeps its references.
    expect(c.gateway?.auth?.token).toEqual({ source: "env", id: "GW_TOKEN" } as never);
  });

  test("a named env provider applies its allowlist", async () => {
    const c = cfg({
      gateway: { auth: { token: { source: "env", provider: "shell", id: "NOT_LISTED" } } },
      secrets: { providers: { shell: { source: "env", allowlist: ["GW_TOKEN"] } } },
    });
    const r = await resolveConfigSecrets(c, { env: env({ NOT_LISTED: "x" }), home: "/h" });
    expect(r.failures[0]!.reason).toBe('env provider "shell": NOT_LISTED is not in its allowlist');
  });
});

describe("file references", () => {
  test("json mode: JSON pointers into one read of the file", async () => {
    const path = secretFile(JSON.stringify({ gateway: { token: "file-token-1" }, "a/b": { "c~d": "escaped" } }));
    const c = cfg({
      gateway: { auth: { token: { source: "file", provider: "f", id: "/gateway/token" }, password: { source: "file", provider: "f", id: "/a~1b/c~0d" } } },
      secrets: { providers: { f: { source: "file", path } } },
    });
    const r = await resolveConfigSecrets(c, { env: {}, home: "/h" });
    expect(r.failures).toEqual([]);
    expect(r.config.gateway?.auth).toEqual({ token: "file-token-1", password: "escaped" });
  });

  test("singleValue mode: the whole file (without its final newline) is id 'value'", async () => {
    const path = secretFile("just-the-token\n", "token.txt");
    const c = cfg({
      gateway: { auth: { token: { source: "file", id: "value" } } },
      secrets: { providers: { default: { source: "file", path, mode: "singleValue" } } },
    });
    const r = await resolveConfigSecrets(c, { env: {}, home: "/h" });
    expect(r.config.gateway?.auth?.token).toBe("just-the-token");
  });

  test("unsafe or unusable files fail with a reason, never a value", async () => {
    const good = secretFile(JSON.stringify({ t: "v", n: 5 }));
    const open = secretFile(JSON.stringify({ t: "v" }), "open.json");
    chmodSync(open, 0o644);
    const link = join(tempDir("link-"), "link.json");
    symlinkSync(good, link);
    const hard = secretFile(JSON.stringify({ t: "v" }), "hard.json");
    linkSync(hard, join(tempDir("hard-"), "second.json"));
    const run = async (path: string, id = "/t", extra = {}) => {
      const c = cfg({ gateway: { auth: { token: { source: "file", provider: "f", id } } }, secrets: { providers: { f: { source: "file", path, ...extra } } } });
      return (await resolveConfigSecrets(c, { env: {}, home: "/h" })).failures[0]?.reason;
    };
    expect(await run(open)).toBe(`file provider "f": ${open} is accessible to group/others (chmod 600 it)`);
    expect(await run(link)).toBe(`file provider "f": ${link} is a symlink (not allowed)`);
    expect(await run(hard)).toBe(`file provider "f": ${hard} has 2 hard links (must have exactly one)`);
    expect(await run("/nonexistent/secrets.json")).toBe('file provider "f": /nonexistent/secrets.json: no such file');
    expect(await run(good, "/missing")).toBe(`file provider "f": nothing at JSON pointer /missing in ${good}`);
    expect(await run(good, "/n")).toBe('file provider "f": JSON pointer /n: not a string');
    expect(await run(good, "/t", { maxBytes: 3 })).toBe(`file provider "f": ${good} is larger than 3 bytes`);
  });

  test("provider problems: not configured, wrong kind", async () => {
    const c = cfg({
      gateway: { auth: { token: { source: "file", provider: "nope", id: "/t" }, password: { source: "exec", provider: "f", id: "x" } } },
      secrets: { providers: { f: { source: "file", path: "/x.json" } } },
    });
    const r = await resolveConfigSecrets(c, { env: {}, home: "/h" });
    expect(r.failures).toEqual([
      { path: "gateway.auth.token", reason: 'secret provider "nope" is not configured (secrets.providers.nope)' },
      { path: "gateway.auth.password", reason: 'secret provider "f" is a file provider, not exec' },
    ]);
  });

  test("readJsonPointer follows RFC 6901", () => {
    const doc = { a: [{ b: "x" }], "m~n": 1, "": { "": 2 } };
    expect(readJsonPointer(doc, "/a/0/b")).toBe("x");
    expect(readJsonPointer(doc, "/m~0n")).toBe(1);
    expect(readJsonPointer(doc, "//")).toBe(2);
    expect(readJsonPointer(doc, "/a/01")).toBeUndefined();
    expect(readJsonPointer(doc, "a")).toBeUndefined();
  });
});

describe("exec references", () => {
  const withExec = (command: string, ids: string[], extra: Record<string, unknown> = {}) =>
    cfg({
      gateway: { auth: { token: { source: "exec", provider: "vault", id: ids[0] } } },
      models: {
        providers: Object.fromEntries(
          ids.slice(1).map((id, i) => [`p${i}`, { baseUrl: "http://127.0.0.1:1/v1", apiKey: { source: "exec", provider: "vault", id } }]),
        ),
      },
      secrets: { providers: { vault: { source: "exec", command, ...extra } } },
    });

  test("one run per provider with every id; values and per-id errors come back", async () => {
    const s = execScript(`echo '{"protocolVersion":1,"values":{"gw/token":"exec-token","db:key":"k2"},"errors":{"gone":{"code":"NOT_FOUND"}}}'`);
    const r = await resolveConfigSecrets(withExec(s.command, ["gw/token", "db:key", "gone", "silent"]), { env: {}, home: "/h" });
    expect(r.config.gateway?.auth?.token).toBe("exec-token");
    expect(r.config.models?.providers?.p0?.apiKey).toBe("k2");
    expect(r.failures).toEqual([
      { path: "models.providers.p1.apiKey", reason: 'exec provider "vault": reported NOT_FOUND for id "gone"' },
      { path: "models.providers.p2.apiKey", reason: 'exec provider "vault": no value for id "silent"' },
    ]);
    expect(s.runs()).toHaveLength(1);
    expect(JSON.parse(s.runs()[0]!)).toEqual({ protocolVersion: 1, provider: "vault", ids: ["gw/token", "db:key", "gone", "silent"] });
  });

  test("only passEnv variables reach the command", async () => {
    const s = execScript(`printf '{"protocolVersion":1,"values":{"t":"%s|%s"}}' "$PASSED" "$HIDDEN"`);
    const c = withExec(s.command, ["t"], { passEnv: ["PASSED"] });
    const r = await resolveConfigSecrets(c, { env: env({ PASSED: "yes", HIDDEN: "no" }), home: "/h" });
    expect(r.config.gateway?.auth?.token).toBe("yes|");
  });

  test("timeouts, exit codes and bad output are failures", async () => {
    const run = async (body: string, extra: Record<string, unknown> = {}) => {
      const s = execScript(body);
      return (await resolveConfigSecrets(withExec(s.command, ["t"], extra), { env: {}, home: "/h" })).failures[0]?.reason;
    };
    const t0 = performance.now();
    expect(await run("sleep 30", { timeoutMs: 150 })).toBe('exec provider "vault": timed out after 150ms');
    // The script would run for 30 s; the loose bound only tells "gave up at the timeout" from "waited".
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(await run("exit 3")).toBe('exec provider "vault": exited with code 3');
    expect(await run("echo not-json")).toBe('exec provider "vault": printed something that is not JSON');
    expect(await run(`echo '{"protocolVersion":2,"values":{}}'`)).toBe('exec provider "vault": did not answer with protocolVersion 1');
    expect(await run(`echo '{"protocolVersion":1,"values":{"t":""}}'`)).toBe('exec provider "vault": id "t": empty value');
    expect(await run(`head -c 5000 /dev/zero | tr '\\0' 'x'`, { maxOutputBytes: 100 })).toBe('exec provider "vault": printed more than 100 bytes');
  }, 60_000); // six shell processes

  test("the command must be a private regular file of this user", async () => {
    const s = execScript("true");
    chmodSync(s.command, 0o777);
    const r = await resolveConfigSecrets(withExec(s.command, ["t"]), { env: {}, home: "/h" });
    expect(r.failures[0]!.reason).toBe(`exec provider "vault": ${s.command} is writable by group/others`);
  });
});

describe("surfaces", () => {
  const c = () =>
    cfg({
      gateway: { auth: { token: { source: "env", id: "LOCAL_T" } }, remote: { token: { source: "env", id: "REMOTE_T" } } },
      models: { providers: { p: { baseUrl: "http://127.0.0.1:1/v1", apiKey: { source: "env", id: "P_KEY" } } } },
    });
  const e = env({ LOCAL_T: "l", REMOTE_T: "r", P_KEY: "k" });

  test("the gateway skips gateway.remote; a client skips model keys", async () => {
    const gw = await resolveConfigSecrets(c(), { env: e, home: "/h", surface: "gateway" });
    expect(gw.skipped).toEqual(["gateway.remote.token"]);
    expect(gw.config.gateway?.remote?.token).toBeUndefined();
    expect(gw.config.models?.providers?.p?.apiKey).toBe("k");
    const client = await resolveConfigSecrets(c(), { env: e, home: "/h", surface: "client" });
    expect(client.skipped).toEqual(["models.providers.p.apiKey"]);
    expect(client.config.gateway?.remote?.token).toBe("r");
  });

  test("config.get material: references stay visible and are not treated as secret values", () => {
    const config = c();
    expect(collectSecrets(config)).toEqual([]);
    expect((redactConfig(config) as any).gateway.auth.token).toEqual({ source: "env", id: "LOCAL_T" });
  });
});

describe("activation", () => {
  function setup(config: object) {
    const dir = tempDir("activate-");
    const file = join(dir, "openclaw.json");
    writeFileSync(file, JSON.stringify(config));
    const paths: ResolvedPaths = { home: dir, profile: null, isDev: false, stateDir: dir, configPath: file, configPathSource: "default" };
    return { paths, file };
  }

  test("the activation runs on resolved values while loaded.config keeps the references", async () => {
    const { paths, file } = setup({ gateway: { mode: "local", auth: { token: { source: "env", id: "GW_T" } } } });
    const a = await activateConfig({ env: { GW_T: "resolved-token-123" }, paths, flags: {} });
    expect(a.settings.auth).toEqual({ mode: "token", token: "resolved-token-123", source: "config" });
    expect(a.live.auth.token).toBe("resolved-token-123");
    expect(a.loaded.config.gateway?.auth?.token).toEqual({ source: "env", id: "GW_T" } as never);
    expect(loadConfig(file, {}).config.gateway?.auth?.token).toEqual({ source: "env", id: "GW_T" } as never);
  });

  test("an unresolvable gateway-auth reference fails closed", async () => {
    const { paths } = setup({ gateway: { mode: "local", auth: { token: { source: "env", id: "GW_MISSING" } } } });
    const err = await activateConfig({ env: {}, paths, flags: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(SecretsUnavailableError);
    expect(err.message).toBe("required secrets are unavailable: gateway.auth.token: environment variable GW_MISSING is not set");
    // Password mode: the password is the one in use (and a configured-but-broken password decides the mode).
    const pw = setup({ gateway: { mode: "local", auth: { password: { source: "env", id: "PW_MISSING" } } } });
    const err2 = await activateConfig({ env: {}, paths: pw.paths, flags: {} }).catch((e) => e);
    expect(err2.message).toBe("required secrets are unavailable: gateway.auth.password: environment variable PW_MISSING is not set");
  });

  test("a reference the running mode does not use is only a warning", async () => {
    const { paths } = setup({ gateway: { mode: "local", auth: { token: { source: "env", id: "GW_MISSING" } } } });
    const viaEnv = await activateConfig({ env: { OPENCLAW_GATEWAY_TOKEN: "env-token-123" }, paths, flags: {} });
    expect(viaEnv.settings.auth.token).toBe("env-token-123");
    expect(viaEnv.secretWarnings.map((w) => w.path)).toEqual(["gateway.auth.token"]);
    const viaFlag = await activateConfig({ env: {}, paths, flags: { token: "flag-token-123" } });
    expect(viaFlag.settings.auth.source).toBe("flag");
  });

  test("an unresolvable provider apiKey leaves that provider unavailable with a clear error", async () => {
    const { paths } = setup({
      gateway: { mode: "local" },
      models: { providers: { local: { baseUrl: "http://127.0.0.1:1/v1", apiKey: { source: "env", id: "LOCAL_KEY" } } } },
    });
    const a = await activateConfig({ env: {}, paths, flags: {} });
    expect(a.secretWarnings).toEqual([{ path: "models.providers.local.apiKey", reason: "environment variable LOCAL_KEY is not set" }]);
    const provider = providerFromResolvedConfig("local", a.config)!;
    const err = await (async () => {
      for await (const _ of provider.stream({ model: "m", messages: [{ role: "user", content: "hi" }] })) void _;
    })().catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.kind).toBe("auth");
    expect(err.message).toBe(
      'model provider "local" is unavailable: models.providers.local.apiKey could not be resolved (environment variable LOCAL_KEY is not set). Fix the secret, then run: openclaw secrets reload',
    );
    // Resolved, the same provider is an ordinary one.
    const ok = await activateConfig({ env: { LOCAL_KEY: "k-123" }, paths, flags: {} });
    expect(ok.config.models?.providers?.local?.apiKey).toBe("k-123");
    expect(providerFromResolvedConfig("local", ok.config)!.api).toBe("openai-completions");
  });
});

// config.patch / config.apply / config.schema against a gateway booted from a real config file,
// with the file watcher of `gateway run` (a recorded restart stands in for the in-process one).
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashConfigText } from "../../src/config/load.ts";
import { REDACTED } from "../../src/config/redact.ts";
import type { Booted } from "../../src/gateway/boot.ts";
import { CONFIG_WRITE_ERRORS } from "../../src/gateway/config-write.ts";
import type { ReloadOutcome } from "../../src/gateway/reload/index.ts";
import { VERSION } from "../../src/version.ts";
import { bootFromFile } from "../fixtures/file-gateway.ts";
import { startTestGateway } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

const TOKEN = "config-write-token-0123456789";
const INITIAL = `// hand-written, with comments
{
  gateway: {
    mode: "local",
    auth: { token: "\${GW_TOKEN}" }, // from the environment
    tools: { deny: ["exec", "shell"] },
  },
  logging: { level: "info" },
  models: { providers: { stub: { baseUrl: "http://127.0.0.1:9/v1", apiKey: "sk-stub-secret-value", models: [{ id: "m", name: "M" }] } } },
}
`;

interface Harness {
  booted: Booted;
  file: string;
  restarts: string[];
  outcomes: ReloadOutcome[];
  admin: RawClient;
  reader: RawClient;
  url: string;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function boot(text = INITIAL, mode = 0o640): Promise<Harness> {
  const gw = await bootFromFile(text, { prefix: "cfgw-", mode, env: { GW_TOKEN: TOKEN } });
  const { booted, file, restarts, outcomes } = gw;
  const url = booted.gateway.url;
  const admin = await RawClient.connect(url, { token: TOKEN, scopes: ["operator.admin"] });
  const reader = await RawClient.connect(url, { token: TOKEN, scopes: ["operator.read"] });
  cleanups.push(async () => {
    admin.close();
    reader.close();
    await gw.stop();
  });
  return { booted, file, restarts, outcomes, admin, reader, url };
}

async function baseHash(c: RawClient): Promise<string> {
  const res = await c.request("config.get", {});
  expect(res.ok).toBe(true);
  return res.payload.hash;
}

const onDisk = (file: string) => JSON.parse(readFileSync(file, "utf8"));

describe("config.patch", () => {
  test("writes the merged document as plain JSON (mode kept, .bak left), and a hot key applies without a restart", async () => {
    const h = await boot();
    const hash = await baseHash(h.admin);
    expect(hash).toBe(hashConfigText(INITIAL));
    const res = await h.admin.request("config.patch", {
      baseHash: hash,
      raw: "{ gateway: { http: { endpoints: { chatCompletions: { enabled: true } } } } }",
      sessionKey: "agent:main:main",
      note: "enable the OpenAI endpoint",
    });
    expect(res.ok).toBe(true);
    const p = res.payload;
    expect(p.ok).toBe(true);
    expect(p.path).toBe(h.file);
    expect(p.changedPaths).toEqual(["gateway.http.endpoints.chatCompletions.enabled"]);
    expect(p.sentinel).toMatchObject({
      persisted: false,
      payload: { kind: "config-patch", status: "ok", sessionKey: "agent:main:main", message: "enable the OpenAI endpoint", stats: { requiresRestart: false } },
    });
    // Secrets stay masked in the reply; the reference as written is kept in the file.
    expect(p.config.models.providers.stub.apiKey).toBe(REDACTED);
    expect(JSON.stringify(p)).not.toContain("sk-stub-secret-value");

    const text = readFileSync(h.file, "utf8");
    expect(p.hash).toBe(hashConfigText(text));
    expect(p.hash).not.toBe(hash);
    expect(text).not.toContain("hand-written");
    expect(text.startsWith('{\n  "gateway": {')).toBe(true);
    const doc = JSON.parse(text);
    expect(doc.gateway.auth.token).toBe("${GW_TOKEN}");
    expect(doc.gateway.http).toEqual({ endpoints: { chatCompletions: { enabled: true } } });
    expect(doc.gateway.tools.deny).toEqual(["exec", "shell"]);
    expect(doc.models.providers.stub.apiKey).toBe("sk-stub-secret-value");
    expect(doc.meta.lastTouchedVersion).toBe(VERSION);
    expect(statSync(h.file).mode & 0o777).toBe(0o640);
    expect(readFileSync(`${h.file}.bak`, "utf8")).toBe(INITIAL);

    await waitUntil(() => h.booted.gateway.runtime.config.gateway?.http?.endpoints?.chatCompletions?.enabled === true, "the hot reload");
    expect(h.outcomes.map((o) => o.kind)).toEqual(["hot"]);
    expect(h.restarts).toEqual([]);
    const got = (await h.admin.request("config.get", {})).payload;
    expect(got.hash).toBe(p.hash);
    expect(got.config.gateway.http.endpoints.chatCompletions.enabled).toBe(true);
  }, 20_000);

  test("null deletes; a restart-needing key says so and the watcher restarts for it", async () => {
    const h = await boot();
    const res = await h.admin.request("config.patch", {
      baseHash: await baseHash(h.admin),
      raw: '{ gateway: { tools: null, port: 23456 }, logging: { level: null } }',
    });
    expect(res.ok).toBe(true);
    expect(res.payload.changedPaths).toEqual(["gateway.port", "gateway.tools.deny", "logging.level"]);
    expect(res.payload.sentinel.payload.stats.requiresRestart).toBe(true);
    const doc = onDisk(h.file);
    expect(doc.gateway.tools).toBeUndefined();
    expect(doc.logging).toEqual({});
    expect(doc.gateway.port).toBe(23456);
    await waitUntil(() => h.restarts.length > 0, "the watcher's restart");
    expect(h.restarts[0]).toContain("gateway.port");
  }, 20_000);

  test("baseHash: missing, stale, or the file edited meanwhile — refused, file untouched", async () => {
    const h = await boot();
    const missing = await h.admin.request("config.patch", { raw: "{ logging: { level: 'debug' } }" });
    expect(missing.error).toMatchObject({ code: "INVALID_REQUEST", message: CONFIG_WRITE_ERRORS.baseHashRequired });
    const stale = await h.admin.request("config.patch", { raw: "{ logging: { level: 'debug' } }", baseHash: hashConfigText("{}") });
    expect(stale.error).toMatchObject({ code: "INVALID_REQUEST", message: "config changed since last load; re-run config.get and retry" });
    expect(readFileSync(h.file, "utf8")).toBe(INITIAL);

    const hash = await baseHash(h.admin);
    const edited = INITIAL.replace('level: "info"', 'level: "warn"');
    writeFileSync(h.file, edited);
    const raced = await h.admin.request("config.patch", { raw: "{ logging: { level: 'debug' } }", baseHash: hash });
    expect(raced.error?.message).toBe(CONFIG_WRITE_ERRORS.stale);
    expect(readFileSync(h.file, "utf8")).toBe(edited);
    // config.get hands out the hash of the file as it is now, which a retry then passes.
    const retry = await h.admin.request("config.patch", { raw: "{ logging: { level: 'debug' } }", baseHash: await baseHash(h.admin) });
    expect(retry.ok).toBe(true);
    expect(onDisk(h.file).logging.level).toBe("debug");
  }, 20_000);

  test("validation lists every issue with its key path; the file stays byte-identical", async () => {
    const h = await boot();
    const before = readFileSync(h.file);
    const res = await h.admin.request("config.patch", {
      baseHash: await baseHash(h.admin),
      raw: '{ gateway: { port: "http", bogus: 1 }, logging: { level: "loud" } }',
    });
    expect(res.ok).toBe(false);
    expect(res.error!.code).toBe("INVALID_REQUEST");
    const issues: Array<{ path: string; message: string }> = res.error!.details.issues;
    expect(issues.map((i) => i.path).sort()).toEqual(["gateway", "gateway.port", "logging.level"]);
    expect(issues.find((i) => i.path === "gateway")!.message).toBe('Unrecognized key: "bogus"');
    for (const path of ["gateway.port", "gateway:", "logging.level"]) expect(res.error!.message).toContain(path);
    expect(readFileSync(h.file).equals(before)).toBe(true);
    expect(statSync(h.file).mode & 0o777).toBe(0o640);
    expect(existsSync(`${h.file}.bak`)).toBe(false);
  }, 20_000);

  test("bad JSON5, a non-object, a dropped list entry, a removed gateway.mode, an unresolvable secret: clear refusals", async () => {
    const h = await boot();
    const hash = await baseHash(h.admin);
    const call = (raw: string, extra: object = {}) => h.admin.request("config.patch", { raw, baseHash: hash, ...extra });

    const bad = await call("{ logging: { level: 'debug' ");
    expect(bad.error!.code).toBe("INVALID_REQUEST");
    expect(bad.error!.message).toMatch(/^config\.patch raw \(a JSON5 merge patch\) does not parse: .+ at 1:\d+$/);
    expect((await call("[1, 2]")).error!.message).toBe("config.patch raw (a JSON5 merge patch) must be an object");

    const shrink = await call("{ gateway: { tools: { deny: ['exec'] } } }");
    expect(shrink.error!.message).toContain("would remove entries from gateway.tools.deny");
    expect(shrink.error!.details).toEqual({ paths: ["gateway.tools.deny"] });

    const noMode = await call("{ gateway: { mode: null } }");
    expect(noMode.error!.message).toContain("removes gateway.mode");

    const unresolved = await call("{ gateway: { auth: { token: { source: 'env', id: 'NOT_SET_ANYWHERE' } } } }");
    expect(unresolved.error!.code).toBe("INVALID_REQUEST");
    expect(unresolved.error!.message).toContain("required secrets are unavailable");
    expect(unresolved.error!.details.issues[0].path).toBe("gateway.auth.token");

    expect(readFileSync(h.file, "utf8")).toBe(INITIAL);
    // Naming the list confirms the removal.
    const confirmed = await call("{ gateway: { tools: { deny: ['exec'] } } }", { replacePaths: ["gateway.tools.deny"] });
    expect(confirmed.ok).toBe(true);
    expect(onDisk(h.file).gateway.tools.deny).toEqual(["exec"]);
  }, 20_000);

  test("the redaction marker sent back keeps the stored secret; one with nothing stored is refused", async () => {
    const h = await boot();
    const res = await h.admin.request("config.patch", {
      baseHash: await baseHash(h.admin),
      raw: JSON.stringify({ gateway: { auth: { token: REDACTED } }, models: { providers: { stub: { apiKey: REDACTED, baseUrl: "http://127.0.0.1:10/v1" } } } }),
    });
    expect(res.ok).toBe(true);
    expect(res.payload.changedPaths).toEqual(["models.providers.stub.baseUrl"]);
    const doc = onDisk(h.file);
    expect(doc.gateway.auth.token).toBe("${GW_TOKEN}");
    expect(doc.models.providers.stub.apiKey).toBe("sk-stub-secret-value");
    expect(readFileSync(h.file, "utf8")).not.toContain(REDACTED);

    const orphan = await h.admin.request("config.patch", {
      baseHash: res.payload.hash,
      raw: JSON.stringify({ gateway: { auth: { password: REDACTED } } }),
    });
    expect(orphan.error!.code).toBe("INVALID_REQUEST");
    expect(orphan.error!.details).toEqual({ paths: ["gateway.auth.password"] });
  }, 20_000);

  test("a read-only client may read the schema but not write", async () => {
    const h = await boot();
    const hash = await baseHash(h.reader);
    for (const method of ["config.patch", "config.apply"]) {
      const res = await h.reader.request(method, { raw: "{}", baseHash: hash });
      expect(res.error).toMatchObject({ code: "FORBIDDEN" });
      expect(res.error!.message).toContain("operator.admin");
    }
    expect(readFileSync(h.file, "utf8")).toBe(INITIAL);
    expect((await h.reader.request("config.schema", {})).ok).toBe(true);
    expect((await h.reader.request("config.schema.lookup", { path: "gateway" })).ok).toBe(true);
  }, 20_000);
});

describe("config.apply", () => {
  test("replaces the whole document; config.get's raw sent back unchanged writes nothing (comments survive)", async () => {
    const h = await boot();
    const got = (await h.admin.request("config.get", {})).payload;
    expect(got.raw).toContain(REDACTED);
    const same = await h.admin.request("config.apply", { raw: got.raw, baseHash: got.hash });
    expect(same.ok).toBe(true);
    expect(same.payload).toMatchObject({ hash: got.hash, changedPaths: [], sentinel: { payload: { kind: "config-apply", status: "skipped" } } });
    expect(readFileSync(h.file, "utf8")).toBe(INITIAL);

    // The parsed view with one edit and without logging/models: those are gone, the token kept.
    const next = { ...got.parsed, logging: undefined, models: undefined, gateway: { ...got.parsed.gateway, tools: { deny: ["exec"] } } };
    const res = await h.admin.request("config.apply", { raw: JSON.stringify(next), baseHash: got.hash });
    expect(res.ok).toBe(true);
    expect(res.payload.sentinel.payload.kind).toBe("config-apply");
    expect(res.payload.changedPaths).toEqual(expect.arrayContaining(["gateway.tools.deny", "logging.level", "models.providers.stub.apiKey"]));
    const doc = onDisk(h.file);
    expect(Object.keys(doc).sort()).toEqual(["gateway", "meta"]);
    expect(doc.gateway).toEqual({ mode: "local", auth: { token: "${GW_TOKEN}" }, tools: { deny: ["exec"] } });
    await waitUntil(() => h.outcomes.length > 0, "the watcher");
  }, 20_000);

  test("config.get reports a hand edit that does not validate; a write with its hash repairs it", async () => {
    const h = await boot();
    writeFileSync(h.file, '{ gateway: { mode: "local", auth: { token: "${GW_TOKEN}" }, bogus: true } }');
    const got = (await h.admin.request("config.get", {})).payload;
    expect(got.valid).toBe(false);
    expect(got.issues).toEqual([{ path: "gateway", message: 'Unrecognized key: "bogus"' }]);
    expect(got.hash).toBe(hashConfigText(readFileSync(h.file, "utf8")));
    const patch = await h.admin.request("config.patch", { raw: "{ gateway: { bogus: null } }", baseHash: got.hash });
    expect(patch.ok).toBe(true);
    expect(onDisk(h.file).gateway.bogus).toBeUndefined();

    // A file that does not even parse cannot be patched, only replaced.
    writeFileSync(h.file, "{ gateway: { mode: ");
    const broken = (await h.admin.request("config.get", {})).payload;
    expect(broken.valid).toBe(false);
    expect(broken.parsed).toBeNull();
    const refused = await h.admin.request("config.patch", { raw: "{ logging: { level: 'debug' } }", baseHash: broken.hash });
    expect(refused.error!.message).toContain("does not parse");
    expect(refused.error!.message).toContain("replace it with config.apply");
    const doc = { gateway: { mode: "local", auth: { token: "${GW_TOKEN}" } } };
    const applied = await h.admin.request("config.apply", { raw: JSON.stringify(doc), baseHash: broken.hash });
    expect(applied.ok).toBe(true);
    expect(onDisk(h.file)).toMatchObject(doc);
  }, 20_000);
});

describe("config.schema", () => {
  test("the full JSON Schema and one node by path", async () => {
    const h = await boot();
    const s = (await h.reader.request("config.schema", {})).payload;
    expect(s.version).toBe(VERSION);
    expect(s.schema.type).toBe("object");
    expect(Object.keys(s.schema.properties)).toContain("gateway");
    const node = await h.reader.request("config.schema.lookup", { path: "gateway.reload.mode" });
    expect(node.payload.schema.enum).toContain("hybrid");
    const missing = await h.reader.request("config.schema.lookup", { path: "gateway.nope" });
    expect(missing.error).toMatchObject({ code: "INVALID_REQUEST", message: 'config schema has no "nope" under gateway' });
  }, 20_000);
});

test("a gateway without a config file on disk: the first write creates it (0600) without a base hash", async () => {
  const g = await startTestGateway();
  cleanups.push(() => g.stop());
  const admin = await RawClient.connect(g.url, { token: "test-token-0123456789", scopes: ["operator.admin"] });
  cleanups.push(() => admin.close());
  const path = join(g.dir, "openclaw.json");
  expect(existsSync(path)).toBe(false);
  const res = await admin.request("config.patch", { raw: "{ gateway: { mode: 'local' }, logging: { level: 'debug' } }" });
  expect(res.ok).toBe(true);
  expect(onDisk(path)).toMatchObject({ gateway: { mode: "local" }, logging: { level: "debug" } });
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(res.payload.hash).toBe(hashConfigText(readFileSync(path, "utf8")));
  // Now it exists: the next write must name it.
  expect((await admin.request("config.patch", { raw: "{}" })).error!.message).toBe(CONFIG_WRITE_ERRORS.baseHashRequired);
}, 20_000);

import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  ConfigError,
  formatConfigError,
  hashConfigText,
  loadConfig,
  validateConfig,
} from "../../src/config/load.ts";
import { tempDir, writeConfig } from "./helpers.ts";

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  test("missing file is not an error", () => {
    const path = join(tempDir(), "nope.json");
    const loaded = loadConfig(path, {});
    expect(loaded).toEqual({
      path,
      exists: false,
      raw: null,
      parsed: {},
      config: {},
      warnings: [],
      hash: "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    });
  });

  test("JSON5: comments, trailing commas, unquoted keys, single quotes", () => {
    const raw = `// top comment
{
  $schema: "./schema.json",
  gateway: {
    mode: 'local', /* inline */
    port: 18801,
    auth: { mode: "token", token: "abc", },
  },
  logging: { redactPatterns: ["sk-.*",], },
}
`;
    const path = writeConfig(raw);
    const loaded = loadConfig(path, {});
    expect(loaded.exists).toBe(true);
    expect(loaded.raw).toBe(raw);
    expect(loaded.config).toEqual({
      $schema: "./schema.json",
      gateway: { mode: "local", port: 18801, auth: { mode: "token", token: "abc" } },
      logging: { redactPatterns: ["sk-.*"] },
    });
    expect(loaded.hash).toBe(hashConfigText(raw));
    expect(loaded.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(loaded.warnings).toEqual([]);
  });

  test("a leading BOM is accepted", () => {
    const loaded = loadConfig(writeConfig("\uFEFF{ gateway: { mode: 'local' } }"), {});
    expect(loaded.config.gateway?.mode).toBe("local");
  });

  test("syntax error reports line:column", () => {
    const path = writeConfig('{\n  gateway: {\n    port: 1,,\n  },\n}\n');
    const issues = issuesOf(() => loadConfig(path, {}));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe("<root>");
    expect(issues[0]!.message).toStartWith("JSON5 parse failed: ");
    expect(issues[0]!.message).toEndWith(" at 3:13");
  });

  test.each([
    ["{\n  a: 1\n  b: 2\n}", "3:3"],
    ["{\n a: 1,\n b: }", "3:5"],
    ["{ gateway: { mode: tru } }", "1:20"],
    ["1 2", "1:3"],
    ["{", "1:2"],
    ["", "1:1"],
  ])("syntax error position in %j is %s", (raw, pos) => {
    const issues = issuesOf(() => loadConfig(writeConfig(raw), {}));
    expect(issues[0]!.message).toEndWith(` at ${pos}`);
  });

  test("unreadable path (a directory) is a ConfigError", () => {
    const dir = join(tempDir(), "openclaw.json");
    mkdirSync(dir);
    const issues = issuesOf(() => loadConfig(dir, {}));
    expect(issues[0]!.path).toBe("<root>");
    expect(issues[0]!.message).toStartWith("Failed to read config:");
  });

  test("ConfigError carries file and issues", () => {
    const path = writeConfig('{ gateway: { port: "80" } }');
    try {
      loadConfig(path, {});
      throw new Error("should have thrown");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).file).toBe(path);
      expect((err as ConfigError).issues).toEqual([
        { path: "gateway.port", message: "Invalid input: expected number, received string" },
      ]);
    }
  });

  test("env substitution happens before validation, warnings are returned", () => {
    const path = writeConfig(`{
      gateway: {
        mode: "\${GW_MODE}",
        auth: { token: "\${MISSING_TOK}" },
        remote: { url: "\${BASE}/v1", token: "$\${LITERAL}", password: "\${EMPTY}" },
      },
      logging: { redactPatterns: ["\${BASE}", "\${lower}", "$\${NOPE}"] },
    }`);
    const loaded = loadConfig(path, { GW_MODE: "local", BASE: "https://x", EMPTY: "" });
    expect(loaded.config.gateway).toEqual({
      mode: "local",
      auth: { token: "${MISSING_TOK}" },
      remote: { url: "https://x/v1", token: "${LITERAL}", password: "${EMPTY}" },
    });
    expect(loaded.config.logging?.redactPatterns).toEqual(["https://x", "${lower}", "${NOPE}"]);
    expect(loaded.warnings).toEqual([
      { path: "gateway.auth.token", message: 'Missing env var "MISSING_TOK" - feature using this value will be unavailable' },
      { path: "gateway.remote.password", message: 'Missing env var "EMPTY" - feature using this value will be unavailable' },
    ]);
    // parsed is the document as written, before substitution
    expect((loaded.parsed as { gateway: { mode: string } }).gateway.mode).toBe("${GW_MODE}");
  });

  test("a substituted value that fails validation is reported", () => {
    const path = writeConfig('{ gateway: { mode: "${GW_MODE}" } }');
    const issues = issuesOf(() => loadConfig(path, { GW_MODE: "cloud" }));
    expect(issues).toEqual([
      { path: "gateway.mode", message: 'Invalid input (allowed: "local", "remote"), got: "cloud"' },
    ]);
  });
});

describe("validateConfig", () => {
  test("accepts an empty object and $schema", () => {
    expect(validateConfig({}, "f")).toEqual({});
    expect(validateConfig({ $schema: "x" }, "f")).toEqual({ $schema: "x" });
  });

  test.each([
    [{ bogus: 1 }, [{ path: "<root>", message: 'Unrecognized key: "bogus"' }]],
    [
      { a: 1, b: 2 },
      [
        { path: "<root>", message: 'Unrecognized key: "a"' },
        { path: "<root>", message: 'Unrecognized key: "b"' },
      ],
    ],
    [{ gateway: { bogus: true } }, [{ path: "gateway", message: 'Unrecognized key: "bogus"' }]],
    [{ gateway: { reload: { debounceMs: 5 } } }, [{ path: "gateway.reload", message: 'Unrecognized key: "debounceMs"' }]],
    [{ canvasHost: {} }, [{ path: "<root>", message: 'Unrecognized key: "canvasHost"' }]],
    [
      { gateway: { bind: "0.0.0.0" } },
      [
        {
          path: "gateway.bind",
          message: 'Invalid input (allowed: "auto", "lan", "loopback", "custom", "tailnet"), got: "0.0.0.0"',
        },
      ],
    ],
    [
      { logging: { level: "verbose" } },
      [
        {
          path: "logging.level",
          message:
            'Invalid input (allowed: "silent", "fatal", "error", "warn", "info", "debug", "trace"), got: "verbose"',
        },
      ],
    ],
    [{ gateway: { port: "18789" } }, [{ path: "gateway.port", message: "Invalid input: expected number, received string" }]],
    [{ gateway: { port: 70000 } }, [{ path: "gateway.port", message: "Too big: expected number to be <=65535" }]],
    [{ gateway: { port: 1.5 } }, [{ path: "gateway.port", message: "Invalid input: expected int, received number" }]],
    [{ gateway: { customBindHost: "10.0.0" } }, [{ path: "gateway.customBindHost", message: "Invalid IPv4 address" }]],
    [{ logging: { maxFiles: 51 } }, [{ path: "logging.maxFiles", message: "Too big: expected number to be <=50" }]],
    [{ commands: { restart: "yes" } }, [{ path: "commands.restart", message: "Invalid input: expected boolean, received string" }]],
    [[], [{ path: "<root>", message: "Invalid input: expected object, received array" }]],
    [null, [{ path: "<root>", message: "Invalid input: expected object, received null" }]],
  ])("%j", (value, expected) => {
    expect(issuesOf(() => validateConfig(value, "/x/openclaw.json"))).toEqual(expected);
  });

  test("accepts every documented key", () => {
    const full = {
      $schema: "s",
      meta: { lastTouchedVersion: "2026.9.6", lastTouchedAt: "2026-01-01T00:00:00Z" },
      gateway: {
        mode: "remote",
        port: 1,
        bind: "custom",
        customBindHost: "10.1.2.3",
        auth: { mode: "password", token: "t", password: "p" },
        reload: { mode: "hybrid" },
        remote: { url: "ws://h:1", token: "t", password: "p" },
      },
      logging: {
        level: "debug",
        consoleLevel: "warn",
        file: "/tmp/x.log",
        maxFileBytes: 1024,
        maxFiles: 0,
        consoleStyle: "json",
        redactPatterns: ["a"],
      },
      commands: { restart: true },
    };
    expect(validateConfig(full, "f")).toEqual(full as never);
  });
});

describe("formatConfigError", () => {
  test("multi-line output with the doctor hint", () => {
    let error: ConfigError | undefined;
    try {
      validateConfig({ gateway: { port: "x", bogus: 1 } }, "/abs/path/openclaw.json");
    } catch (err) {
      error = err as ConfigError;
    }
    expect(formatConfigError(error!)).toBe(
      [
        "Invalid config at /abs/path/openclaw.json:",
        "  gateway.port: Invalid input: expected number, received string",
        '  gateway: Unrecognized key: "bogus"',
        'Run "openclaw doctor --fix" to repair, then retry.',
      ].join("\n"),
    );
  });
});

describe("the configuration the agent checks use", () => {
  test("is accepted as it stands", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(process.env.OPENCLAW_TEST_TMP!, "cfg-issue3-"));
    const file = join(dir, "openclaw.json");
    writeFileSync(file, `{
  gateway: { mode: "local", auth: { mode: "token", token: "t" },
    http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: true } } } },
  models: { providers: { stub: { baseUrl: "http://127.0.0.1:4000/v1", apiKey: "sk-local", api: "openai-completions",
    models: [ { id: "echo", name: "Echo" } ] } } },
  agents: { defaults: { model: { primary: "stub/echo" }, memorySearch: { provider: "stub", model: "echo" } } },
}`);
    const loaded = loadConfig(file, {});
    expect(loaded.config.models?.providers?.stub?.models?.[0]?.id).toBe("echo");
    expect(loaded.config.agents?.defaults?.memorySearch?.provider).toBe("stub");
  });
});

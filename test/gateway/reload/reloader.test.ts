// The reloader against real activations of a temp config file, with a recording target.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ResolvedPaths } from "../../../src/config/paths.ts";
import { activateConfig, type Activation } from "../../../src/gateway/activate.ts";
import { evaluateConfigChange, takePaths, type ReloadTarget } from "../../../src/gateway/reload/reloader.ts";
import { createLogger } from "../../../src/logging/logger.ts";
import { tempDir } from "../../config/helpers.ts";

const TOKEN = "reload-token-0123456789";

interface Harness {
  file: string;
  input: { env: Record<string, string | undefined>; paths: ResolvedPaths; flags: Record<string, string>; allowUnconfigured: boolean };
  target: ReloadTarget & { current: Activation };
  applied: Array<{ next: Activation; rebuildAgents: boolean }>;
  restarts: string[];
  lines: string[];
  write(config: object | string): void;
}

async function harness(config: object, env: Record<string, string> = {}): Promise<Harness> {
  const dir = tempDir("reload-");
  const file = join(dir, "openclaw.json");
  const write = (c: object | string) => writeFileSync(file, typeof c === "string" ? c : JSON.stringify(c, null, 2));
  write(config);
  const paths: ResolvedPaths = { home: dir, profile: null, isDev: false, stateDir: dir, configPath: file, configPathSource: "default" };
  const input = { env, paths, flags: {}, allowUnconfigured: false };
  const lines: string[] = [];
  const sink = { write: (s: string) => lines.push(s.trimEnd()) };
  const logger = createLogger({ file: null, consoleLevel: "debug", consoleStyle: "compact", stdout: sink, stderr: sink });
  const applied: Harness["applied"] = [];
  const restarts: string[] = [];
  const target = {
    current: await activateConfig(input),
    get activation() {
      return this.current;
    },
    apply(next: Activation, opts: { rebuildAgents: boolean }) {
      applied.push({ next, rebuildAgents: opts.rebuildAgents });
      this.current = next;
    },
    restart: (reason: string) => void restarts.push(reason),
    logger,
  };
  return { file, input, target, applied, restarts, lines, write };
}

const base = (extra: Record<string, unknown> = {}, gateway: Record<string, unknown> = {}) => ({
  gateway: { mode: "local", auth: { token: TOKEN }, ...gateway },
  ...extra,
});

describe("evaluateConfigChange", () => {
  test("hybrid: a hot-safe edit is applied without a restart, and logged with the time it took", async () => {
    const h = await harness(base());
    h.write(base({ logging: { level: "debug" } }, { http: { endpoints: { chatCompletions: { enabled: true } } } }));
    const out = await evaluateConfigChange(h.target, h.input, performance.now());
    expect(out.kind).toBe("hot");
    expect(h.restarts).toEqual([]);
    expect(h.applied).toHaveLength(1);
    expect(h.applied[0]!.rebuildAgents).toBe(false);
    expect(h.target.current.config.gateway?.http?.endpoints?.chatCompletions?.enabled).toBe(true);
    const text = h.lines.join("\n");
    expect(text).toContain("[reload] config change detected; evaluating reload (gateway.http.endpoints.chatCompletions.enabled, logging.level)");
    expect(text).toMatch(/\[reload\] config hot reload applied \(gateway\.http\.endpoints\.chatCompletions\.enabled, logging\.level\) in \d+ms/);
  });

  test("agents/models edits rebuild the agent roster", async () => {
    const h = await harness(base());
    h.write(base({ agents: { defaults: { systemPrompt: "be brief" } } }));
    await evaluateConfigChange(h.target, h.input);
    expect(h.applied[0]!.rebuildAgents).toBe(true);
  });

  test("tools edits are hot and rebuild the agents (their policy is read from the agents' snapshot)", async () => {
    const h = await harness(base());
    h.write(base({ tools: { deny: ["exec"], exec: { mode: "ask" } } }));
    const out = await evaluateConfigChange(h.target, h.input);
    expect(out).not.toMatchObject({ action: "restart" });
    expect(h.applied[0]!.rebuildAgents).toBe(true);
  });

  test("hybrid: a restart-needing edit restarts (after checking the new config would start)", async () => {
    const h = await harness(base());
    h.write(base({}, { port: 23456, http: { maxBodyBytes: 1000 } }));
    const out = await evaluateConfigChange(h.target, h.input);
    expect(out.kind).toBe("restart");
    expect(h.applied).toEqual([]);
    expect(h.restarts).toEqual(["config reload: gateway.port"]);
    expect(h.lines.join("\n")).toContain("[reload] config change requires gateway restart (gateway.port) — restarting");
  });

  test("hot: restart-needing paths are ignored, the hot-safe ones run on the old values for the rest", async () => {
    const h = await harness(base({}, { reload: { mode: "hot" }, port: 20001 }));
    h.write(base({}, { reload: { mode: "hot" }, port: 20002, tools: { deny: ["exec"] } }));
    const out = await evaluateConfigChange(h.target, h.input);
    expect(out.kind).toBe("hot");
    expect(h.restarts).toEqual([]);
    const running = h.target.current;
    expect(running.config.gateway?.port).toBe(20001);
    expect(running.config.gateway?.tools?.deny).toEqual(["exec"]);
    expect(running.settings.port).toBe(20001);
    expect(h.lines.join("\n")).toContain("config change requires gateway restart (gateway.port) — ignored (reload.mode=hot)");
    expect(h.lines.join("\n")).toMatch(/config hot reload applied \(gateway\.tools\.deny\) in \d+ms/);
    // Still pending: the next edit reports it again.
    h.write(base({}, { reload: { mode: "hot" }, port: 20002, tools: { deny: ["exec", "shell"] } }));
    await evaluateConfigChange(h.target, h.input);
    expect(h.lines.filter((l) => l.includes("— ignored (reload.mode=hot)"))).toHaveLength(2);
  });

  test("restart mode: even a hot-safe edit restarts", async () => {
    const h = await harness(base({}, { reload: { mode: "restart" } }));
    h.write(base({ logging: { level: "debug" } }, { reload: { mode: "restart" } }));
    const out = await evaluateConfigChange(h.target, h.input);
    expect(out.kind).toBe("restart");
    expect(h.restarts).toEqual(["config reload: logging.level"]);
  });

  test("restart mode: a none-only edit (meta) swaps the snapshot quietly", async () => {
    const h = await harness(base({}, { reload: { mode: "restart" } }));
    h.write(base({ meta: { lastTouchedAt: "now" } }, { reload: { mode: "restart" } }));
    const out = await evaluateConfigChange(h.target, h.input);
    expect(out.kind).toBe("none");
    expect(h.restarts).toEqual([]);
    expect(h.applied).toHaveLength(1);
  });

  test("off: the edit is validated and logged, nothing is applied", async () => {
    const h = await harness(base({}, { reload: { mode: "off" } }));
    h.write(base({ logging: { level: "debug" } }, { reload: { mode: "off" }, port: 20003 }));
    const out = await evaluateConfigChange(h.target, h.input);
    expect(out.kind).toBe("off");
    expect(h.applied).toEqual([]);
    expect(h.restarts).toEqual([]);
    expect(h.lines.join("\n")).toContain("config change not applied (reload.mode=off); restart the gateway to apply (logging.level, gateway.port)");
  });

  test("the mode comes from the new config: switching to off in the same edit applies nothing", async () => {
    const h = await harness(base());
    h.write(base({}, { reload: { mode: "off" }, port: 20004 }));
    expect((await evaluateConfigChange(h.target, h.input)).kind).toBe("off");
    expect(h.restarts).toEqual([]);
  });

  test("an invalid file is skipped with one line naming file, key and problem; the old config keeps running", async () => {
    const h = await harness(base());
    const before = h.target.current;
    h.write('{ gateway: { mode: "local", bogus: 1 } }');
    const out = await evaluateConfigChange(h.target, h.input);
    expect(out.kind).toBe("skipped");
    expect(h.target.current).toBe(before);
    expect(h.lines.join("\n")).toContain(`[reload] config reload skipped (invalid config): ${h.file}: gateway: Unrecognized key: "bogus"`);
    h.write("{ gateway: ");
    await evaluateConfigChange(h.target, h.input);
    expect(h.lines.at(-1)).toMatch(/config reload skipped \(invalid config\): .*: <root>: JSON5 parse failed/);
  });

  test("an edit the gateway would refuse to start with is skipped instead of restarting into a failure", async () => {
    const h = await harness(base());
    h.write({ gateway: { mode: "remote", auth: { token: TOKEN } } });
    const out = await evaluateConfigChange(h.target, h.input);
    expect(out.kind).toBe("skipped");
    expect(h.restarts).toEqual([]);
    expect(h.lines.at(-1)).toContain("config reload skipped (gateway would refuse to start): Gateway start blocked: set gateway.mode=local");
  });

  test("a gateway-auth reference that does not resolve is refused; the previous auth stays", async () => {
    const h = await harness(base());
    h.write({ gateway: { mode: "local", auth: { token: { source: "env", id: "RELOAD_TEST_MISSING" } } } });
    const out = await evaluateConfigChange(h.target, h.input);
    expect(out.kind).toBe("skipped");
    expect(h.target.current.settings.auth.token).toBe(TOKEN);
    expect(h.lines.at(-1)).toContain(
      "config reload skipped (required secrets are unavailable): gateway.auth.token (environment variable RELOAD_TEST_MISSING is not set)",
    );
  });

  test("a token change under the same auth mode is hot; a mode change restarts", async () => {
    const h = await harness(base());
    h.write(base({}, { auth: { token: "rotated-token-0123456789" } }));
    expect((await evaluateConfigChange(h.target, h.input)).kind).toBe("hot");
    expect(h.target.current.settings.auth).toEqual({ mode: "token", token: "rotated-token-0123456789", source: "config" });
    expect(h.target.current.live.auth.token).toBe("rotated-token-0123456789");
    h.write({ gateway: { mode: "local", auth: { mode: "password", password: "pw-0123456789" } } });
    expect((await evaluateConfigChange(h.target, h.input)).kind).toBe("restart");
  });

  test("a rewrite with only comments changed applies nothing new", async () => {
    const h = await harness(base());
    h.write(`// a comment\n${JSON.stringify(base())}`);
    expect((await evaluateConfigChange(h.target, h.input)).kind).toBe("unchanged");
    expect(h.lines.join("\n")).not.toContain("evaluating reload");
  });
});

test("takePaths copies the named leaves (and deletions) from the source", () => {
  const base = { gateway: { port: 1, tools: { deny: ["a"] } }, logging: { level: "info" as const } };
  const source = { gateway: { port: 2, http: { maxBodyBytes: 5 } } };
  expect(takePaths(base, source, ["gateway.http.maxBodyBytes", "gateway.tools.deny", "logging.level"])).toEqual({
    gateway: { port: 1, tools: {}, http: { maxBodyBytes: 5 } },
    logging: {},
  });
});

describe("edge cases", () => {
  test("off: switching the mode to off is itself applied (it needs no action), the rest waits", async () => {
    const h = await harness(base());
    h.write(base({ logging: { level: "debug" } }, { reload: { mode: "off" } }));
    const out = await evaluateConfigChange(h.target, h.input);
    expect(out.kind).toBe("off");
    expect(h.target.current.config.gateway?.reload?.mode).toBe("off");
    expect(h.target.current.config.logging?.level).toBeUndefined();
    expect(h.lines.join("\n")).toContain("config change not applied (reload.mode=off); restart the gateway to apply (logging.level)");
  });

  test("removing the configured token (the gateway would mint one) restarts so the new token is printed", async () => {
    const h = await harness(base());
    h.write({ gateway: { mode: "local" } });
    expect((await evaluateConfigChange(h.target, h.input)).kind).toBe("restart");
    expect(h.restarts).toEqual(["config reload: gateway.auth.token"]);
  });

  test("a rotated file secret behind an unchanged reference shows up as the key it feeds", async () => {
    const dir = tempDir("rot-");
    const secret = join(dir, "s.txt");
    writeFileSync(secret, "first-token-0123456789", { mode: 0o600 });
    const cfg = { gateway: { mode: "local", auth: { token: { source: "file", id: "value" } } }, secrets: { providers: { default: { source: "file", path: secret, mode: "singleValue" } } } };
    const h = await harness(cfg);
    expect(h.target.current.settings.auth.token).toBe("first-token-0123456789");
    writeFileSync(secret, "second-token-0123456789");
    h.write({ ...cfg, meta: { lastTouchedAt: "x" } });
    const out = await evaluateConfigChange(h.target, h.input);
    expect(out.kind).toBe("hot");
    expect((out as { plan: { hot: string[] } }).plan.hot).toEqual(["gateway.auth.token"]);
    expect(h.target.current.settings.auth.token).toBe("second-token-0123456789");
    expect(h.lines.join("\n")).not.toContain("second-token");
  });
});

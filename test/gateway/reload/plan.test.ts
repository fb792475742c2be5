import { describe, expect, test } from "bun:test";
import { classifyPath, diffPaths, matchPrefix, planReload, RELOAD_TABLE } from "../../../src/gateway/reload/plan.ts";

describe("classification table", () => {
  test("the longest matching prefix wins, on segment boundaries", () => {
    expect(matchPrefix("gateway.auth.rateLimit.maxAttempts")).toBe("gateway.auth.rateLimit");
    expect(matchPrefix("gateway.remote.url")).toBe("gateway.remote");
    expect(matchPrefix("logging.level")).toBe("logging.level");
    expect(matchPrefix("logging.file")).toBe("logging");
    // "gateway.portal" is not under "gateway.port".
    expect(matchPrefix("gateway.portal")).toBeUndefined();
    expect(classifyPath("logging.level")).toBe("hot");
    expect(classifyPath("logging.consoleLevel")).toBe("hot");
    expect(classifyPath("logging.file")).toBe("restart");
  });

  test("none / hot / restart entries", () => {
    for (const p of ["gateway.reload.mode", "gateway.remote.token", "meta.lastTouchedAt", "$schema", "secrets.providers.vault.command"]) {
      expect([p, classifyPath(p)]).toEqual([p, "none"]);
    }
    for (const p of [
      "gateway.http.endpoints.chatCompletions.enabled", "gateway.http.maxBodyBytes", "gateway.tools.deny",
      "gateway.auth.rateLimit.lockoutMs", "agents.defaults.model", "agents.entries.ops.systemPrompt",
      "models.providers.local.baseUrl", "models.providers.local.apiKey", "commands.restart",
      "plugins.enabled", "plugins.entries.canvas.config.host.enabled", "plugins.entries.canvas.enabled",
    ]) {
      expect([p, classifyPath(p)]).toEqual([p, "hot"]);
    }
    for (const p of ["gateway.port", "gateway.bind", "gateway.customBindHost", "gateway.auth.mode", "gateway.mode"]) {
      expect([p, classifyPath(p)]).toEqual([p, "restart"]);
    }
  });

  test("channel and session edits are hot: the channel manager restarts only the changed accounts", () => {
    expect(classifyPath("channels.telegram.botToken")).toBe("hot");
    expect(classifyPath("session.dmScope")).toBe("hot");
  });

  test("anything the table does not know needs a restart", () => {
    expect(matchPrefix("plugins.entries.x")).toBeUndefined();
    expect(classifyPath("plugins.entries.x")).toBe("restart");
    expect(classifyPath("gateway.tls.enabled")).toBe("restart");
    expect(classifyPath("<root>")).toBe("restart");
  });

  test("gateway.auth.token/password: hot only while the resolved auth mode is unchanged", () => {
    for (const p of ["gateway.auth.token", "gateway.auth.password"]) {
      expect(classifyPath(p, { authModeUnchanged: true })).toBe("hot");
      expect(classifyPath(p, { authModeUnchanged: false })).toBe("restart");
      expect(classifyPath(p)).toBe("restart");
    }
  });

  test("every entry is one of the known classes", () => {
    for (const v of Object.values(RELOAD_TABLE)) expect(["hot", "restart", "none", "auth-secret"]).toContain(v);
  });
});

describe("diffPaths", () => {
  test("leaf paths of changed, added and removed keys, sorted", () => {
    const a = { gateway: { mode: "local", port: 1, http: { endpoints: { chatCompletions: { enabled: false } } } }, logging: { level: "info" } };
    const b = { gateway: { mode: "local", port: 2, auth: { token: "t", mode: "token" } }, logging: { level: "info" }, meta: {} };
    expect(diffPaths(a, b)).toEqual([
      "gateway.auth.mode",
      "gateway.auth.token",
      "gateway.http.endpoints.chatCompletions.enabled",
      "gateway.port",
      "meta",
    ]);
  });

  test("identical configs (including key order) have no paths", () => {
    expect(diffPaths({ a: { x: 1, y: [1, 2] } }, { a: { y: [1, 2], x: 1 } })).toEqual([]);
    expect(diffPaths({}, {})).toEqual([]);
  });

  test("arrays compare whole", () => {
    expect(diffPaths({ gateway: { tools: { deny: ["a", "b"] } } }, { gateway: { tools: { deny: ["a", "c"] } } })).toEqual(["gateway.tools.deny"]);
  });

  test("a SecretRef is one value: string → ref and ref → ref name the key", () => {
    const ref = (id: string) => ({ source: "file", provider: "tok", id });
    expect(diffPaths({ gateway: { auth: { token: "x" } } }, { gateway: { auth: { token: ref("/a") } } })).toEqual(["gateway.auth.token"]);
    expect(diffPaths({ gateway: { auth: { token: ref("/a") } } }, { gateway: { auth: { token: ref("/b") } } })).toEqual(["gateway.auth.token"]);
  });

  test("a type change is reported at the key itself", () => {
    expect(diffPaths({ agents: { defaults: { model: "a/b" } } }, { agents: { defaults: { model: { primary: "a/b" } } } })).toEqual(["agents.defaults.model"]);
  });
});

describe("planReload", () => {
  const hot = ["gateway.http.endpoints.chatCompletions.enabled", "logging.level"];
  const restart = ["gateway.port"];
  const none = ["meta.lastTouchedAt"];

  test("hybrid (default): hot when every path is hot-safe, restart when any needs it", () => {
    expect(planReload(hot)).toMatchObject({ action: "hot", hot, restart: [], ignored: [] });
    expect(planReload([...hot, ...restart], "hybrid")).toMatchObject({ action: "restart", hot, restart, ignored: [] });
    expect(planReload(none, "hybrid")).toMatchObject({ action: "none", none });
  });

  test("hot: applies the hot paths and ignores the restart-needing ones", () => {
    expect(planReload([...hot, ...restart], "hot")).toMatchObject({ action: "hot", hot, restart, ignored: restart });
    expect(planReload(restart, "hot")).toMatchObject({ action: "none", ignored: restart });
  });

  test("restart: any change that is not 'none' restarts", () => {
    expect(planReload(hot, "restart")).toMatchObject({ action: "restart", ignored: [] });
    expect(planReload(restart, "restart")).toMatchObject({ action: "restart" });
    expect(planReload(none, "restart")).toMatchObject({ action: "none" });
  });

  test("off: nothing is applied; everything but 'none' is listed as ignored", () => {
    expect(planReload([...hot, ...restart, ...none], "off")).toMatchObject({ action: "none", ignored: [...hot, ...restart] });
  });

  test("the token rule flows through the plan", () => {
    expect(planReload(["gateway.auth.token"], "hybrid", { authModeUnchanged: true }).action).toBe("hot");
    expect(planReload(["gateway.auth.token", "gateway.auth.mode"], "hybrid", { authModeUnchanged: false })).toMatchObject({
      action: "restart", restart: ["gateway.auth.token", "gateway.auth.mode"],
    });
  });
});

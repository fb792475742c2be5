// The hooks config section: what is refused while hooks are on, and how a change applies.
import { describe, expect, test } from "bun:test";
import { ConfigError, validateConfig } from "../../../src/config/load.ts";
import { normalizeHooksPath } from "../../../src/config/sections/hooks.ts";
import { classifyPath, planReload } from "../../../src/gateway/reload/plan.ts";
import { hookTokenReuseWarning, routedHookPath } from "../../../src/http/hooks/config.ts";

function issues(hooks: unknown): string[] {
  try {
    validateConfig({ hooks }, "openclaw.json");
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

describe("schema", () => {
  test("a full section is accepted", () => {
    expect(
      issues({
        enabled: true, token: "t", path: "/in", allowedAgentIds: ["main"], defaultSessionKey: "hook:default",
        allowRequestSessionKey: true, allowedSessionKeyPrefixes: ["hook:"],
        mappings: [
          { id: "gh", match: { path: "github", source: "gh" }, action: "agent", messageTemplate: "{{action}}", name: "GH", agentId: "main",
            sessionKey: "hook:gh:{{id}}", sessionMode: "persistent", channel: "telegram", to: "1", deliver: true, wakeMode: "now",
            model: "stub/echo", timeoutSeconds: 30, forEach: "items", allowUnsafeExternalContent: false },
          { action: "wake", textTemplate: "ping" },
        ],
      }),
    ).toEqual([]);
  });

  test("enabled needs a non-empty token; '/' is not a path", () => {
    expect(issues({ enabled: true })).toEqual(["hooks.token: hooks.enabled requires hooks.token"]);
    expect(issues({ enabled: true, token: "  " })).toEqual(["hooks.token: hooks.enabled requires hooks.token"]);
    expect(issues({ enabled: true, token: "t", path: "/" })).toEqual(["hooks.path: hooks.path may not be '/'"]);
    expect(issues({ enabled: true, token: "t", path: "///" })).toEqual(["hooks.path: hooks.path may not be '/'"]);
  });

  test("the cross-key rules only apply while enabled", () => {
    expect(issues({ enabled: false, path: "/" })).toEqual([]);
    expect(issues({ token: "" })).toEqual([]);
  });

  test("session key policy: the default key and the generated hook: keys must pass the prefixes; templated mapping keys need them", () => {
    expect(issues({ enabled: true, token: "t", defaultSessionKey: "ops:x", allowedSessionKeyPrefixes: ["hook:"] })).toEqual([
      "hooks.defaultSessionKey: hooks.defaultSessionKey must match hooks.allowedSessionKeyPrefixes",
    ]);
    expect(issues({ enabled: true, token: "t", allowedSessionKeyPrefixes: ["ops:"] })).toEqual([
      "hooks.allowedSessionKeyPrefixes: hooks.allowedSessionKeyPrefixes must include 'hook:' when hooks.defaultSessionKey is unset",
    ]);
    expect(issues({ enabled: true, token: "t", allowedSessionKeyPrefixes: ["ops:"], defaultSessionKey: "OPS:main" })).toEqual([]);
    expect(issues({ enabled: true, token: "t", mappings: [{ messageTemplate: "m", sessionKey: "hook:{{id}}" }] })).toEqual([
      "hooks.mappings.0.sessionKey: a templated mapping sessionKey needs hooks.allowedSessionKeyPrefixes",
    ]);
  });

  test("only keys the gateway acts on; enums and forEach are checked", () => {
    expect(issues({ presets: ["gmail"] })[0]).toMatch(/^hooks/);
    expect(issues({ mappings: [{ transform: { module: "x.js" } }] })[0]).toMatch(/^hooks\.mappings\.0/);
    expect(issues({ mappings: [{ accountId: "work" }] })[0]).toMatch(/^hooks\.mappings\.0/);
    expect(issues({ mappings: [{ action: "email" }] })[0]).toMatch(/^hooks\.mappings\.0\.action/);
    expect(issues({ mappings: [{ forEach: "a.b" }] })).toEqual(["hooks.mappings.0.forEach: must be a top-level payload key"]);
    expect(issues({ mappings: [{ forEach: "__proto__" }] })).toEqual(["hooks.mappings.0.forEach: must be a top-level payload key"]);
    expect(issues({ token: { source: "env", id: "HOOKS_TOKEN" } })[0]).toMatch(/^hooks\.token/);
  });

  test("path normalisation", () => {
    expect(normalizeHooksPath(undefined)).toBe("/hooks");
    expect(normalizeHooksPath("  ")).toBe("/hooks");
    expect(normalizeHooksPath("in/hooks//")).toBe("/in/hooks");
    expect(normalizeHooksPath("/")).toBe("");
  });
});

describe("live config", () => {
  test("hooks.* changes hot-reload", () => {
    for (const p of ["hooks.enabled", "hooks.token", "hooks.mappings", "hooks.path", "hooks.allowedAgentIds"]) expect([p, classifyPath(p)]).toEqual([p, "hot"]);
    expect(planReload(["hooks.enabled", "hooks.token", "hooks.mappings"]).action).toBe("hot");
  });

  test("routing a configured base path onto the registered /hooks routes", () => {
    const config = { hooks: { enabled: true, token: "t", path: "/in" } };
    expect(routedHookPath("/in/wake", config)).toBe("/hooks/wake");
    expect(routedHookPath("/in", config)).toBe("/hooks");
    expect(routedHookPath("/inbox/wake", config)).toBe("/inbox/wake");
    expect(routedHookPath("/hooks/wake", config)).toBe("/hooks/wake");
    expect(routedHookPath("/in/wake", { hooks: { enabled: false, token: "t", path: "/in" } })).toBe("/in/wake");
  });

  test("the token-reuse warning compares with the gateway's shared secret", () => {
    expect(hookTokenReuseWarning({ token: "same" }, { mode: "token", token: "same" })).toContain("hooks.token is the same as the gateway token");
    expect(hookTokenReuseWarning({ token: "same" }, { mode: "password", password: "same" })).toContain("gateway password");
    expect(hookTokenReuseWarning({ token: "a" }, { mode: "token", token: "b" })).toBeUndefined();
    expect(hookTokenReuseWarning({ token: "a" }, { mode: "none" })).toBeUndefined();
    expect(hookTokenReuseWarning(undefined, { mode: "token", token: "b" })).toBeUndefined();
  });
});

import { describe, expect, test } from "bun:test";
import { checkStartupGuards, StartupGuardError } from "../../src/config/guards.ts";
import type { LoadedConfig } from "../../src/config/load.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import type { GatewayAuthSettings, GatewaySettings } from "../../src/config/settings.ts";

function loaded(config: OpenClawConfig, exists = true): LoadedConfig {
  return { path: "/x/openclaw.json", exists, raw: exists ? "{}" : null, parsed: config, config, warnings: [], hash: "sha256:0" };
}

const tokenAuth: GatewayAuthSettings = { mode: "token", token: "t", source: "config" };
const noAuth: GatewayAuthSettings = { mode: "none", source: "none" };
const generatedAuth: GatewayAuthSettings = { mode: "token", token: "g", source: "generated" };

function settings(bind: GatewaySettings["bind"], auth: GatewayAuthSettings): GatewaySettings {
  return { port: 18789, portSource: "default", bind, bindSource: "config", auth };
}

const LOCAL = loaded({ gateway: { mode: "local" } });
const LOOPBACK = ["127.0.0.1", "::1"];

function guardError(fn: () => unknown): StartupGuardError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StartupGuardError);
    return err as StartupGuardError;
  }
  throw new Error("expected a StartupGuardError");
}

const MISSING =
  "Missing config. Run `openclaw setup` or set gateway.mode=local (or pass --allow-unconfigured).";
const NO_MODE =
  "Gateway start blocked: existing config is missing gateway.mode. Treat this as suspicious or clobbered config. Re-run `openclaw setup`, set gateway.mode=local manually, or pass --allow-unconfigured.";
const REMOTE = "Gateway start blocked: set gateway.mode=local (current: remote) or pass --allow-unconfigured.";

describe("config guards", () => {
  test.each([
    ["no config file", loaded({}, false), MISSING],
    ["config without gateway.mode", loaded({ gateway: { port: 1 } }), NO_MODE],
    ["empty config", loaded({}), NO_MODE],
    ["remote mode", loaded({ gateway: { mode: "remote" } }), REMOTE],
  ] as const)("%s -> exit 78", (_name, cfg, message) => {
    const err = guardError(() =>
      checkStartupGuards({ loaded: cfg, settings: settings("loopback", tokenAuth), bindHosts: LOOPBACK, allowUnconfigured: false }),
    );
    expect(err.message).toBe(message);
    expect(err.exitCode).toBe(78);
  });

  test.each([
    ["no config file", loaded({}, false)],
    ["config without gateway.mode", loaded({})],
    ["remote mode", loaded({ gateway: { mode: "remote" } })],
  ] as const)("--allow-unconfigured lets %s start", (_name, cfg) => {
    expect(
      checkStartupGuards({ loaded: cfg, settings: settings("loopback", tokenAuth), bindHosts: LOOPBACK, allowUnconfigured: true }),
    ).toEqual([]);
  });

  test("local mode starts without warnings", () => {
    expect(
      checkStartupGuards({ loaded: LOCAL, settings: settings("loopback", tokenAuth), bindHosts: LOOPBACK, allowUnconfigured: false }),
    ).toEqual([]);
  });
});

describe("auth/bind guard", () => {
  test.each([
    ["lan", ["0.0.0.0"], "0.0.0.0"],
    ["custom", ["10.0.0.5", "127.0.0.1"], "10.0.0.5"],
    ["tailnet", ["100.101.102.103", "127.0.0.1"], "100.101.102.103"],
  ] as const)("bind=%s without auth is refused", (bind, hosts, host) => {
    const err = guardError(() =>
      checkStartupGuards({ loaded: LOCAL, settings: settings(bind, noAuth), bindHosts: [...hosts], allowUnconfigured: true }),
    );
    expect(err.message).toBe(
      `refusing to bind gateway to ${bind} (${host}) without auth.\n` +
        "Set gateway.auth.token/password (or OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD) or pass --token/--password.",
    );
    expect(err.exitCode).toBe(78);
  });

  test("auth none on loopback is allowed with a warning", () => {
    expect(
      checkStartupGuards({ loaded: LOCAL, settings: settings("loopback", noAuth), bindHosts: LOOPBACK, allowUnconfigured: false }),
    ).toEqual(["Gateway auth mode=none explicitly configured; all gateway connections are unauthenticated."]);
  });

  test("non-loopback bind with auth warns", () => {
    expect(
      checkStartupGuards({ loaded: LOCAL, settings: settings("lan", tokenAuth), bindHosts: ["0.0.0.0"], allowUnconfigured: false }),
    ).toEqual([
      "Gateway is binding to a non-loopback address. Ensure authentication is configured before exposing to public networks.",
    ]);
  });

  test("a generated token counts as auth and warns", () => {
    expect(
      checkStartupGuards({ loaded: LOCAL, settings: settings("lan", generatedAuth), bindHosts: ["0.0.0.0"], allowUnconfigured: false }),
    ).toEqual([
      "Gateway is binding to a non-loopback address. Ensure authentication is configured before exposing to public networks.",
      "auth token was missing. Generated a runtime token for this startup without changing config; restart will generate a different token. Persist one with gateway.auth.token or OPENCLAW_GATEWAY_TOKEN.",
    ]);
  });

  test("config guards run before the auth guard", () => {
    const err = guardError(() =>
      checkStartupGuards({ loaded: loaded({}, false), settings: settings("lan", noAuth), bindHosts: ["0.0.0.0"], allowUnconfigured: false }),
    );
    expect(err.message).toBe(MISSING);
  });
});

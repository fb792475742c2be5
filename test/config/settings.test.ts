import { describe, expect, test } from "bun:test";
import type { NetworkInterfaceInfo } from "node:os";
import { resolvePaths } from "../../src/config/paths.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import {
  describeSettingsTable,
  detectContainer,
  generateGatewayToken,
  isLoopbackHost,
  resolveBindHosts,
  resolveGatewaySettings,
  SettingsError,
  type GatewayFlags,
} from "../../src/config/settings.ts";

const HOME = { HOME: "/home/u" };
const defaultPaths = resolvePaths({ env: HOME });
const devPaths = resolvePaths({ env: HOME, dev: true });
const workPaths = resolvePaths({ env: HOME, profile: "work" });
const envProfilePaths = resolvePaths({ env: { ...HOME, OPENCLAW_PROFILE: "Work_1" } });

function resolve(
  opts: { flags?: GatewayFlags; env?: Record<string, string>; config?: OpenClawConfig; paths?: typeof defaultPaths } = {},
) {
  return resolveGatewaySettings({
    flags: opts.flags ?? {},
    env: opts.env ?? {},
    config: opts.config ?? {},
    paths: opts.paths ?? defaultPaths,
    generateToken: () => "generated-token",
  });
}

function settingsError(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return err as SettingsError;
  }
  throw new Error("expected a SettingsError");
}

describe("port", () => {
  const config = { gateway: { port: 18800 } };
  const env = { OPENCLAW_GATEWAY_PORT: "18700" };
  test.each([
    ["flag beats all", { flags: { port: "18600" }, env, config, paths: workPaths }, 18600, "flag"],
    ["numeric flag", { flags: { port: 18601 } }, 18601, "flag"],
    ["flag 0 (ephemeral)", { flags: { port: "0" } }, 0, "flag"],
    ["env beats config", { env, config, paths: workPaths }, 18700, "env"],
    ["config beats profile", { config, paths: workPaths }, 18800, "config"],
    ["config beats dev", { config, paths: devPaths }, 18800, "config"],
    ["profile flag hash", { paths: workPaths }, 41984, "profile"],
    ["OPENCLAW_PROFILE hash", { paths: envProfilePaths }, 54996, "profile"],
    ["dev", { paths: devPaths }, 19001, "default"],
    ["default", {}, 18789, "default"],
    ["empty env is unset", { env: { OPENCLAW_GATEWAY_PORT: "" } }, 18789, "default"],
  ] as const)("%s", (_name, opts, port, source) => {
    const s = resolve(opts as Parameters<typeof resolve>[0]);
    expect(s.port).toBe(port);
    expect(s.portSource).toBe(source);
  });

  test.each(["abc", "-1", "65536", "1.5", "", "80x", " "])("invalid --port %j", (value) => {
    const err = settingsError(() => resolve({ flags: { port: value } }));
    expect(err.message).toBe(`Invalid --port: ${JSON.stringify(value)} (use 1-65535)`);
    expect(err.exitCode).toBe(1);
  });

  test("invalid numeric --port", () => {
    expect(settingsError(() => resolve({ flags: { port: Number.NaN } })).message).toBe(
      'Invalid --port: "NaN" (use 1-65535)',
    );
  });

  test.each(["abc", "0", "70000"])("invalid OPENCLAW_GATEWAY_PORT %j", (value) => {
    const err = settingsError(() => resolve({ env: { OPENCLAW_GATEWAY_PORT: value } }));
    expect(err.message).toBe(`Invalid OPENCLAW_GATEWAY_PORT: ${JSON.stringify(value)} (use 1-65535)`);
    expect(err.exitCode).toBe(1);
  });
});

describe("bind", () => {
  test.each([
    [{ flags: { bind: "lan" }, config: { gateway: { bind: "tailnet" } } }, "lan", "flag"],
    [{ config: { gateway: { bind: "tailnet" } } }, "tailnet", "config"],
    [{}, "loopback", "default"],
  ] as const)("%j", (opts, bind, source) => {
    const s = resolve(opts as Parameters<typeof resolve>[0]);
    expect(s.bind).toBe(bind);
    expect(s.bindSource).toBe(source);
  });

  test.each(["0.0.0.0", "LAN", "", "all"])("invalid --bind %j", (value) => {
    const err = settingsError(() => resolve({ flags: { bind: value } }));
    expect(err.message).toBe('Invalid --bind. Use "loopback", "lan", "tailnet", "auto", or "custom".');
    expect(err.exitCode).toBe(1);
  });

  test("customBindHost comes from config", () => {
    expect(resolve({ config: { gateway: { bind: "custom", customBindHost: "10.0.0.5" } } }).customBindHost).toBe(
      "10.0.0.5",
    );
    expect(resolve().customBindHost).toBeUndefined();
  });
});

describe("auth", () => {
  const cfgToken = { gateway: { auth: { token: "cfg-tok" } } };
  const cfgPassword = { gateway: { auth: { password: "cfg-pw" } } };

  test.each([
    ["flag token", { flags: { token: "flag-tok" }, env: { OPENCLAW_GATEWAY_TOKEN: "env-tok" }, config: cfgToken }, { mode: "token", token: "flag-tok", source: "flag" }],
    ["env token", { env: { OPENCLAW_GATEWAY_TOKEN: "env-tok" }, config: cfgToken }, { mode: "token", token: "env-tok", source: "env" }],
    ["config token", { config: cfgToken }, { mode: "token", token: "cfg-tok", source: "config" }],
    ["empty flag/env fall through", { flags: { token: "" }, env: { OPENCLAW_GATEWAY_TOKEN: "" }, config: cfgToken }, { mode: "token", token: "cfg-tok", source: "config" }],
    ["unresolved ${VAR} counts as unset", { config: { gateway: { auth: { token: "${MISSING}" } } } }, { mode: "token", token: "generated-token", source: "generated" }],
    ["generated when missing", {}, { mode: "token", token: "generated-token", source: "generated" }],
    ["password resolves -> password mode", { config: cfgPassword }, { mode: "password", password: "cfg-pw", source: "config" }],
    ["password beats token when mode unset", { config: { gateway: { auth: { token: "t", password: "p" } } } }, { mode: "password", password: "p", source: "config" }],
    ["env password", { env: { OPENCLAW_GATEWAY_PASSWORD: "env-pw" }, config: cfgPassword }, { mode: "password", password: "env-pw", source: "env" }],
    ["flag password", { flags: { password: "flag-pw" }, env: { OPENCLAW_GATEWAY_PASSWORD: "env-pw" } }, { mode: "password", password: "flag-pw", source: "flag" }],
    ["config mode token beats password presence", { config: { gateway: { auth: { mode: "token", password: "p" } } } }, { mode: "token", token: "generated-token", source: "generated" }],
    ["--auth beats config mode", { flags: { auth: "token" }, config: { gateway: { auth: { mode: "password", password: "p", token: "t" } } } }, { mode: "token", token: "t", source: "config" }],
    ["--auth none", { flags: { auth: "none" }, config: cfgToken }, { mode: "none", source: "none" }],
    ["config mode none", { config: { gateway: { auth: { mode: "none" } } } }, { mode: "none", source: "none" }],
  ] as const)("%s", (_name, opts, expected) => {
    expect(resolve(opts as Parameters<typeof resolve>[0]).auth).toEqual(expected as never);
  });

  test("invalid --auth", () => {
    const err = settingsError(() => resolve({ flags: { auth: "trusted" } }));
    expect(err.message).toBe('Invalid --auth. Use "none", "token", or "password".');
    expect(err.exitCode).toBe(1);
  });

  test.each([
    [{ flags: { auth: "password" } }],
    [{ config: { gateway: { auth: { mode: "password", password: "${PW}" } } } }],
    [{ config: { gateway: { auth: { mode: "password", token: "t" } } } }],
  ] as const)("password mode without a password: %j", (opts) => {
    const err = settingsError(() => resolve(opts as Parameters<typeof resolve>[0]));
    expect(err.message).toBe(
      "Gateway auth is set to password, but no password is configured.\n" +
        "Set gateway.auth.password (or OPENCLAW_GATEWAY_PASSWORD), or pass --password.",
    );
    expect(err.exitCode).toBe(78);
  });

  test("default token generator: 32 random bytes, base64url", () => {
    const a = generateGatewayToken();
    const b = generateGatewayToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, "base64url")).toHaveLength(32);
    expect(a).not.toBe(b);
    const s = resolveGatewaySettings({ flags: {}, env: {}, config: {}, paths: defaultPaths });
    expect(s.auth.source).toBe("generated");
    expect(s.auth.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

function iface(address: string, family: "IPv4" | "IPv6" = "IPv4", internal = false): NetworkInterfaceInfo {
  return { address, family, internal, netmask: "", mac: "", cidr: null } as NetworkInterfaceInfo;
}

describe("resolveBindHosts", () => {
  test("loopback and lan", () => {
    expect(resolveBindHosts("loopback", {})).toEqual({ hosts: ["127.0.0.1", "::1"] });
    expect(resolveBindHosts("lan", {})).toEqual({ hosts: ["0.0.0.0"] });
  });

  test("auto depends on container detection", () => {
    expect(resolveBindHosts("auto", { inContainer: true })).toEqual({ hosts: ["0.0.0.0"] });
    expect(resolveBindHosts("auto", { inContainer: false })).toEqual({ hosts: ["127.0.0.1"] });
    expect(resolveBindHosts("auto", { detectContainer: () => true })).toEqual({ hosts: ["0.0.0.0"] });
    expect(resolveBindHosts("auto", { detectContainer: () => false })).toEqual({ hosts: ["127.0.0.1"] });
  });

  test("detectContainer checks the marker files", () => {
    expect(detectContainer((p) => p === "/.dockerenv")).toBe(true);
    expect(detectContainer((p) => p === "/run/.containerenv")).toBe(true);
    expect(detectContainer(() => false)).toBe(false);
  });

  test.each([
    ["10.0.0.5", ["10.0.0.5", "127.0.0.1"]],
    ["127.0.0.1", ["127.0.0.1"]],
    ["0.0.0.0", ["0.0.0.0"]],
  ])("custom %s", (host, hosts) => {
    expect(resolveBindHosts("custom", { customBindHost: host })).toEqual({ hosts });
  });

  test.each([undefined, "", "::1", "example.com", "10.0.0.256"])("custom without a valid host (%j)", (host) => {
    const err = settingsError(() => resolveBindHosts("custom", { customBindHost: host }));
    expect(err.message).toBe("gateway bind=custom requires gateway.customBindHost (an IPv4 address)");
    expect(err.exitCode).toBe(78);
  });

  test("tailnet picks the first 100.64/10 IPv4 address", () => {
    const interfaces = {
      lo: [iface("127.0.0.1", "IPv4", true)],
      eth0: [iface("192.168.1.2"), iface("100.63.255.255"), iface("fd7a::1", "IPv6")],
      tailscale0: [iface("100.101.102.103"), iface("100.127.0.1")],
    };
    expect(resolveBindHosts("tailnet", { interfaces })).toEqual({ hosts: ["100.101.102.103", "127.0.0.1"] });
  });

  test("tailnet without a Tailscale address falls back to loopback with a note", () => {
    const interfaces = { eth0: [iface("192.168.1.2"), iface("100.128.0.1")] };
    expect(resolveBindHosts("tailnet", { interfaces })).toEqual({
      hosts: ["127.0.0.1", "::1"],
      note: "bind=tailnet: no Tailscale address found; binding loopback only",
    });
  });
});

test.each([
  ["127.0.0.1", true],
  ["127.1.2.3", true],
  ["::1", true],
  ["[::1]", true],
  ["localhost", true],
  ["::ffff:127.0.0.1", true],
  ["0.0.0.0", false],
  ["100.101.102.103", false],
  ["::", false],
  ["10.0.0.1", false],
])("isLoopbackHost(%j) = %p", (host, expected) => {
  expect(isLoopbackHost(host)).toBe(expected);
});

test("settings table documents the precedence sources and defaults", () => {
  const table = describeSettingsTable();
  const byName = new Map(table.map((row) => [row.setting, row]));
  expect(byName.get("port")).toMatchObject({ flag: "--port <port>", env: "OPENCLAW_GATEWAY_PORT", config: "gateway.port" });
  expect(byName.get("port")!.default).toStartWith("18789");
  expect(byName.get("bind")).toMatchObject({ flag: "--bind <mode>", config: "gateway.bind", default: "loopback" });
  expect(byName.get("auth.token")!.env).toBe("OPENCLAW_GATEWAY_TOKEN");
  expect(byName.get("auth.password")!.env).toBe("OPENCLAW_GATEWAY_PASSWORD");
  expect(byName.get("configPath")!.env).toBe("OPENCLAW_CONFIG_PATH");
  for (const row of table) expect(row.description.length).toBeGreaterThan(0);
  // callers get a copy they may mutate
  table[0]!.setting = "changed";
  expect(describeSettingsTable()[0]!.setting).not.toBe("changed");
});

import { describe, expect, test } from "bun:test";
import { localGatewayPort, resolveGatewayTarget, type TargetFlags } from "../../src/client/target.ts";
import { profilePort, resolvePaths } from "../../src/config/paths.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";

type Env = Record<string, string | undefined>;

const HOME = "/home/tester";

function target(opts: { flags?: TargetFlags; env?: Env; config?: OpenClawConfig; dev?: boolean; profile?: string } = {}) {
  const env = { HOME, ...opts.env };
  const paths = resolvePaths({ env, dev: opts.dev, profile: opts.profile, homedir: () => HOME });
  return resolveGatewayTarget({ flags: opts.flags ?? {}, env, config: opts.config ?? {}, paths });
}

describe("url", () => {
  test("defaults to the local loopback on the default port, with no secret", () => {
    expect(target()).toEqual({ url: "ws://127.0.0.1:18789", urlSource: "local loopback" });
  });

  test("port: env > config > profile/dev default", () => {
    expect(target({ config: { gateway: { port: 1234 } } }).url).toBe("ws://127.0.0.1:1234");
    expect(target({ config: { gateway: { port: 1234 } }, env: { OPENCLAW_GATEWAY_PORT: "4321" } }).url).toBe("ws://127.0.0.1:4321");
    expect(target({ dev: true }).url).toBe("ws://127.0.0.1:19001");
    expect(target({ profile: "work" }).url).toBe(`ws://127.0.0.1:${profilePort("work")}`);
    expect(target({ profile: "work", config: { gateway: { port: 1234 } } }).url).toBe("ws://127.0.0.1:1234");
  });

  test("env OPENCLAW_GATEWAY_URL beats the config port", () => {
    const t = target({ env: { OPENCLAW_GATEWAY_URL: "ws://10.0.0.2:9999" }, config: { gateway: { port: 1234 } } });
    expect(t.url).toBe("ws://10.0.0.2:9999");
    expect(t.urlSource).toBe("env");
  });

  test("--url beats everything", () => {
    const t = target({ flags: { url: "ws://example.test:1" }, env: { OPENCLAW_GATEWAY_URL: "ws://10.0.0.2:9999" } });
    expect(t.url).toBe("ws://example.test:1");
    expect(t.urlSource).toBe("flag");
  });

  test("remote mode uses gateway.remote.url and its own secret", () => {
    const config: OpenClawConfig = {
      gateway: { mode: "remote", auth: { token: "local-tok" }, remote: { url: "wss://gw.example.test", token: "remote-tok" } },
    };
    expect(target({ config })).toEqual({ url: "wss://gw.example.test", urlSource: "config", token: "remote-tok" });
  });

  test("a password-mode config without a password does not break port resolution", () => {
    const config: OpenClawConfig = { gateway: { port: 2222, auth: { mode: "password" } } };
    expect(localGatewayPort({ HOME }, config, resolvePaths({ env: { HOME } }))).toBe(2222);
  });
});

describe("credentials", () => {
  test("an explicit --url never picks up env or config secrets", () => {
    const t = target({
      flags: { url: "ws://evil.example.test:1" },
      env: { OPENCLAW_GATEWAY_TOKEN: "env-tok", OPENCLAW_GATEWAY_PASSWORD: "env-pw" },
      config: { gateway: { auth: { token: "cfg-tok", password: "cfg-pw" }, remote: { token: "r-tok" } } },
    });
    expect(t.token).toBeUndefined();
    expect(t.password).toBeUndefined();
  });

  test("an explicit --url sends the flag secrets", () => {
    const t = target({ flags: { url: "ws://h:1", token: "flag-tok" }, env: { OPENCLAW_GATEWAY_TOKEN: "env-tok" } });
    expect(t).toEqual({ url: "ws://h:1", urlSource: "flag", token: "flag-tok" });
  });

  test("env > config auth > config remote", () => {
    const config: OpenClawConfig = { gateway: { auth: { token: "cfg-tok" }, remote: { token: "r-tok", password: "r-pw" } } };
    expect(target({ config, env: { OPENCLAW_GATEWAY_TOKEN: "env-tok" } }).token).toBe("env-tok");
    expect(target({ config }).token).toBe("cfg-tok");
    expect(target({ config }).password).toBe("r-pw");
    expect(target({ config: { gateway: { remote: { token: "r-tok" } } } }).token).toBe("r-tok");
  });

  test("env secrets apply to an env URL", () => {
    const t = target({ env: { OPENCLAW_GATEWAY_URL: "ws://127.0.0.1:5555", OPENCLAW_GATEWAY_TOKEN: "env-tok" } });
    expect(t).toEqual({ url: "ws://127.0.0.1:5555", urlSource: "env", token: "env-tok" });
  });

  test("flag secrets replace env and config as a pair", () => {
    const t = target({
      flags: { token: "flag-tok" },
      env: { OPENCLAW_GATEWAY_PASSWORD: "env-pw" },
      config: { gateway: { auth: { password: "cfg-pw" } } },
    });
    expect(t.token).toBe("flag-tok");
    expect(t.password).toBeUndefined();
  });

  test("empty values and unresolved placeholders are not secrets", () => {
    const config: OpenClawConfig = { gateway: { auth: { token: "${MISSING_TOKEN}" } } };
    expect(target({ config, env: { OPENCLAW_GATEWAY_TOKEN: "  " } }).token).toBeUndefined();
  });
});

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { expandHome, ProfileError, profilePort, resolvePaths, type PathOptions } from "../../src/config/paths.ts";

const H = "/home/u";
const noHome = () => "/os-home";

function paths(env: PathOptions["env"], extra: Partial<PathOptions> = {}) {
  return resolvePaths({ env, homedir: noHome, cwd: "/cwd", ...extra });
}

describe("home resolution", () => {
  test.each([
    [{ OPENCLAW_HOME: "/oc", HOME: "/h", USERPROFILE: "/up" }, "/oc"],
    [{ HOME: "/h", USERPROFILE: "/up" }, "/h"],
    [{ USERPROFILE: "/up" }, "/up"],
    [{}, "/os-home"],
    [{ OPENCLAW_HOME: "", HOME: "/h" }, "/h"],
  ] as const)("%j -> %s", (env, home) => {
    const p = paths(env);
    expect(p.home).toBe(home);
    expect(p.stateDir).toBe(join(home, ".openclaw"));
  });
});

describe("state dir and config path without profile flags", () => {
  test("defaults", () => {
    expect(paths({ HOME: H })).toEqual({
      home: H,
      profile: null,
      isDev: false,
      stateDir: "/home/u/.openclaw",
      configPath: "/home/u/.openclaw/openclaw.json",
      configPathSource: "default",
    });
  });

  test("OPENCLAW_STATE_DIR moves state and config, with ~ expanded", () => {
    const p = paths({ HOME: H, OPENCLAW_STATE_DIR: "~/state" });
    expect(p.stateDir).toBe("/home/u/state");
    expect(p.configPath).toBe("/home/u/state/openclaw.json");
    expect(p.configPathSource).toBe("state-dir");
  });

  test("OPENCLAW_CONFIG_PATH wins over the state dir for the config file only", () => {
    const p = paths({ HOME: H, OPENCLAW_STATE_DIR: "/d", OPENCLAW_CONFIG_PATH: "~/x.json5" });
    expect(p.stateDir).toBe("/d");
    expect(p.configPath).toBe("/home/u/x.json5");
    expect(p.configPathSource).toBe("env");
  });

  test("relative env paths resolve against cwd", () => {
    const p = paths({ HOME: H, OPENCLAW_STATE_DIR: "rel/state", OPENCLAW_CONFIG_PATH: "./c.json" });
    expect(p.stateDir).toBe("/cwd/rel/state");
    expect(p.configPath).toBe("/cwd/c.json");
  });

  test("OPENCLAW_PROFILE sets the profile but does not move state or config", () => {
    const p = paths({ HOME: H, OPENCLAW_PROFILE: "work" });
    expect(p.profile).toBe("work");
    expect(p.isDev).toBe(false);
    expect(p.stateDir).toBe("/home/u/.openclaw");
    expect(p.configPath).toBe("/home/u/.openclaw/openclaw.json");
    expect(p.configPathSource).toBe("default");
  });

  test("OPENCLAW_PROFILE=default means no profile", () => {
    expect(paths({ HOME: H, OPENCLAW_PROFILE: "default" }).profile).toBeNull();
  });

  test("invalid OPENCLAW_PROFILE is rejected (it becomes part of file names)", () => {
    expect(() => paths({ HOME: H, OPENCLAW_PROFILE: "../x" })).toThrow(ProfileError);
  });
});

describe("profile flags", () => {
  test("--dev", () => {
    expect(paths({ HOME: H }, { dev: true })).toEqual({
      home: H,
      profile: "dev",
      isDev: true,
      stateDir: "/home/u/.openclaw-dev",
      configPath: "/home/u/.openclaw-dev/openclaw.json",
      configPathSource: "profile",
    });
  });

  test("--profile dev is the same as --dev", () => {
    expect(paths({ HOME: H }, { profile: "dev" })).toEqual(paths({ HOME: H }, { dev: true }));
    expect(paths({ HOME: H }, { profile: "dev", dev: true }).isDev).toBe(true);
  });

  test("--profile NAME", () => {
    const p = paths({ HOME: H }, { profile: "Work_1" });
    expect(p.profile).toBe("Work_1");
    expect(p.isDev).toBe(false);
    expect(p.stateDir).toBe("/home/u/.openclaw-Work_1");
    expect(p.configPath).toBe("/home/u/.openclaw-Work_1/openclaw.json");
    expect(p.configPathSource).toBe("profile");
  });

  test("--profile default maps to ~/.openclaw with no profile", () => {
    const p = paths({ HOME: H }, { profile: "default" });
    expect(p.profile).toBeNull();
    expect(p.stateDir).toBe("/home/u/.openclaw");
    expect(p.configPath).toBe("/home/u/.openclaw/openclaw.json");
    expect(p.configPathSource).toBe("profile");
  });

  test("flags win over env paths and env profile", () => {
    const env = { HOME: H, OPENCLAW_STATE_DIR: "/d", OPENCLAW_CONFIG_PATH: "/f.json", OPENCLAW_PROFILE: "other" };
    const p = paths(env, { profile: "work" });
    expect(p.profile).toBe("work");
    expect(p.stateDir).toBe("/home/u/.openclaw-work");
    expect(p.configPath).toBe("/home/u/.openclaw-work/openclaw.json");
    const d = paths(env, { dev: true });
    expect(d.stateDir).toBe("/home/u/.openclaw-dev");
  });

  test.each(["a b", "x/y", "../etc", "", "naïve"])("invalid --profile %j", (name) => {
    expect(() => paths({ HOME: H }, { profile: name })).toThrow(
      new ProfileError('Invalid --profile (use letters, numbers, "_", "-" only)'),
    );
  });

  test("--dev with another profile", () => {
    expect(() => paths({ HOME: H }, { dev: true, profile: "work" })).toThrow(
      new ProfileError("Cannot combine --dev with --profile"),
    );
    expect(() => paths({ HOME: H }, { dev: true, profile: "work" })).toThrow(ProfileError);
  });
});

describe("helpers", () => {
  test.each([
    ["~", "/home/u"],
    ["~/a/b", "/home/u/a/b"],
    ["/abs", "/abs"],
    ["rel/~", "rel/~"],
    ["~other/x", "~other/x"],
  ])("expandHome(%j)", (input, out) => {
    expect(expandHome(input, H)).toBe(out);
  });

  test.each([
    ["work", 41984],
    ["Work_1", 54996],
  ])("profilePort(%j) = %d", (name, port) => {
    expect(profilePort(name)).toBe(port);
  });

  test("profilePort stays in 20000..59999", () => {
    for (const name of ["a", "b", "dev", "x".repeat(100), "ü"]) {
      const port = profilePort(name);
      expect(port).toBeGreaterThanOrEqual(20000);
      expect(port).toBeLessThan(60000);
    }
  });
});

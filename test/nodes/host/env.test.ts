// The environment of a remotely requested command: only harmless host variables, and caller
// additions except the ones that change which code runs.
import { describe, expect, test } from "bun:test";
import { commandEnv, inheritedEnv, overrideRefusal } from "../../../src/nodes/host/env.ts";

const host = {
  PATH: "/usr/bin:/bin", HOME: "/home/n", LANG: "C.UTF-8", LC_ALL: "C", OPENCLAW_GATEWAY_TOKEN: "secret",
  OPENAI_API_KEY: "sk-x", AWS_SECRET_ACCESS_KEY: "aws", TERM: "xterm", UNSET: undefined,
};

describe("inherited", () => {
  test("keeps PATH, HOME, locale and terminal; drops secrets and anything unknown", () => {
    expect(inheritedEnv(host)).toEqual({ PATH: "/usr/bin:/bin", HOME: "/home/n", LANG: "C.UTF-8", LC_ALL: "C", TERM: "xterm" });
  });
});

describe("overrides", () => {
  test("ordinary variables are added and may replace inherited harmless ones", () => {
    const r = commandEnv(host, { FOO: "1", LANG: "de_DE.UTF-8" });
    expect(r).toEqual({ ok: true, env: { PATH: "/usr/bin:/bin", HOME: "/home/n", LANG: "de_DE.UTF-8", LC_ALL: "C", TERM: "xterm", FOO: "1" } });
  });

  test.each([
    ["PATH"], ["LD_PRELOAD"], ["ld_library_path"], ["DYLD_INSERT_LIBRARIES"], ["NODE_OPTIONS"], ["BUN_INSTALL"],
    ["OPENCLAW_GATEWAY_TOKEN"], ["BASH_ENV"], ["PYTHONPATH"], ["GIT_SSH_COMMAND"],
  ])("%s is refused", (name) => {
    const r = commandEnv(host, { [name]: "x" });
    expect(r).toEqual({ ok: false, message: `environment variable ${name} may not be set by a caller` });
  });

  test("bad names, non-string values and non-object env are refused with a reason", () => {
    expect(overrideRefusal("A-B", "x")).toBe('invalid environment variable name "A-B"');
    expect(overrideRefusal("1A", "x")).toBe('invalid environment variable name "1A"');
    expect(overrideRefusal("A", 1)).toBe("environment variable A must be a string");
    expect(commandEnv(host, ["A=1"])).toEqual({ ok: false, message: "env must be an object of strings" });
    expect(commandEnv(host, "A=1")).toEqual({ ok: false, message: "env must be an object of strings" });
  });

  test("null or absent overrides are just the inherited set", () => {
    expect(commandEnv(host, null)).toEqual({ ok: true, env: inheritedEnv(host) });
    expect(commandEnv(host, undefined)).toEqual({ ok: true, env: inheritedEnv(host) });
  });
});

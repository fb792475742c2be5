import { describe, expect, test } from "bun:test";
import { parseGlobalArgs, rewriteBareGateway } from "../../src/cli/globals.ts";

describe("parseGlobalArgs", () => {
  test("flags before the command are globals; the rest is the command line", () => {
    const r = parseGlobalArgs(["--dev", "--no-color", "--log-level", "debug", "gateway", "call", "health", "--json"]);
    expect(r).toEqual({
      ok: true,
      globals: { dev: true, noColor: true, logLevel: "debug" },
      rest: ["gateway", "call", "health", "--json"],
      version: false,
      warnings: [],
    });
  });

  test("--profile takes a value, in both spellings", () => {
    for (const argv of [["--profile", "work", "logs"], ["--profile=work", "logs"]]) {
      const r = parseGlobalArgs(argv);
      expect(r.ok && r.globals.profile).toBe("work");
      expect(r.ok && r.rest).toEqual(["logs"]);
    }
  });

  test("--version and -V", () => {
    expect(parseGlobalArgs(["--version"])).toMatchObject({ ok: true, version: true });
    expect(parseGlobalArgs(["-V"])).toMatchObject({ ok: true, version: true });
  });

  test("a missing value or an unknown global flag is an error", () => {
    expect(parseGlobalArgs(["--profile"])).toMatchObject({ ok: false });
    expect(parseGlobalArgs(["--profile", "--dev"])).toMatchObject({ ok: false });
    expect(parseGlobalArgs(["--bogus", "health"])).toEqual({ ok: false, message: "unknown option '--bogus'" });
  });

  test("an invalid --log-level is ignored with a warning", () => {
    const r = parseGlobalArgs(["--log-level", "loud", "health"]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.globals.logLevel).toBeUndefined();
    expect(r.warnings[0]).toContain("loud");
  });

  test("flags after the command are left to the command", () => {
    const r = parseGlobalArgs(["logs", "--dev"]);
    expect(r.ok && r.globals.dev).toBe(false);
    expect(r.ok && r.rest).toEqual(["logs", "--dev"]);
  });

  test("--help stays on the command line", () => {
    expect(parseGlobalArgs(["--dev", "--help"])).toMatchObject({ ok: true, rest: ["--help"] });
  });
});

describe("bare gateway", () => {
  test("`gateway` and `gateway --flags` mean `gateway run`", () => {
    expect(rewriteBareGateway(["gateway"])).toEqual(["gateway", "run"]);
    expect(rewriteBareGateway(["gateway", "--port", "18789"])).toEqual(["gateway", "run", "--port", "18789"]);
  });

  test("verbs and help are kept", () => {
    expect(rewriteBareGateway(["gateway", "call", "health"])).toEqual(["gateway", "call", "health"]);
    expect(rewriteBareGateway(["gateway", "--help"])).toEqual(["gateway", "--help"]);
    expect(rewriteBareGateway(["logs", "--follow"])).toEqual(["logs", "--follow"]);
  });
});

import { describe, expect, test } from "bun:test";
import { parseIntArg, parseJsonObjectArg, rejectUnknownFlags } from "../../src/cli/args.ts";
import { UsageError } from "../../src/cli/errors.ts";
import { scopesForMethod } from "../../src/cli/gateway/scopes.ts";

describe("parseIntArg", () => {
  test("accepts whole numbers in range", () => {
    expect(parseIntArg("200", "limit", 1, 5000)).toBe(200);
    expect(parseIntArg(" 7 ", "limit", 1)).toBe(7);
  });

  test("rejects the rest as usage errors naming the flag", () => {
    for (const bad of ["0", "5001", "-1", "1.5", "abc", ""]) {
      expect(() => parseIntArg(bad, "limit", 1, 5000)).toThrow(UsageError);
    }
    expect(() => parseIntArg("x", "timeout", 1)).toThrow(/--timeout/);
  });
});

describe("parseJsonObjectArg", () => {
  test("objects pass, empty means {}", () => {
    expect(parseJsonObjectArg('{"a":1}', "params")).toEqual({ a: 1 });
    expect(parseJsonObjectArg(undefined, "params")).toEqual({});
    expect(parseJsonObjectArg("  ", "params")).toEqual({});
  });

  test("bad JSON and non-objects are usage errors", () => {
    expect(() => parseJsonObjectArg("{nope", "params")).toThrow(/--params must be valid JSON/);
    expect(() => parseJsonObjectArg("[1]", "params")).toThrow(/must be a JSON object/);
    expect(() => parseJsonObjectArg("3", "params")).toThrow(UsageError);
    expect(() => parseJsonObjectArg("null", "params")).toThrow(UsageError);
  });
});

describe("rejectUnknownFlags", () => {
  const def = {
    json: { type: "boolean" },
    "max-bytes": { type: "string" },
    follow: { type: "boolean", alias: "f" },
    color: { type: "boolean", default: true },
  } as const;

  test("declared flags, their values, aliases and negations pass", () => {
    expect(() => rejectUnknownFlags(["--json", "--max-bytes", "--weird-value", "-f", "--no-color", "--maxBytes=3"], def)).not.toThrow();
    expect(() => rejectUnknownFlags(["--", "--anything"], def)).not.toThrow();
  });

  test("a typo is a usage error", () => {
    expect(() => rejectUnknownFlags(["--jsn"], def)).toThrow("unknown option '--jsn'");
    expect(() => rejectUnknownFlags(["--no-max-bytes"], def)).toThrow(UsageError);
  });
});

describe("gateway call scopes", () => {
  test.each([
    ["health", ["operator.read"]],
    ["logs.tail", ["operator.read"]],
    ["config.get", ["operator.read"]],
    ["chat.history", ["operator.read"]],
    ["node.pair.approve", ["operator.pairing"]],
    ["agent", ["operator.write"]],
    ["chat.send", ["operator.write"]],
    ["wake", ["operator.write"]],
    ["system-event", ["operator.admin"]],
    ["chat.abort", ["operator.admin"]],
    ["secrets.reload", ["operator.admin"]],
  ])("%s", (method, scopes) => {
    expect(scopesForMethod(method)).toEqual(scopes);
  });

  test("methods the CLI cannot classify ask for everything", () => {
    const all = ["operator.admin", "operator.read", "operator.write", "operator.approvals", "operator.questions", "operator.pairing", "operator.talk.secrets"];
    expect(scopesForMethod("nope.nope")).toEqual(all);
    expect(scopesForMethod("node.pair.request")).toEqual(all);
  });
});

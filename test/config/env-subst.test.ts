import { describe, expect, test } from "bun:test";
import { hasUnresolvedPlaceholder, substituteEnv } from "../../src/config/env-subst.ts";

const warn = (path: string, name: string) => ({
  path,
  message: `Missing env var "${name}" - feature using this value will be unavailable`,
});

describe("substituteEnv", () => {
  test.each([
    ["${A}", "one"],
    ["${BASE}/v1", "https://h/v1"],
    ["${A}-${B_2}", "one-two"],
    ["$${A}", "${A}"],
    ["$$${A}", "$${A}"],
    ["${lower}", "${lower}"],
    ["${1A}", "${1A}"],
    ["$A", "$A"],
    ["${A", "${A"],
    ["no vars", "no vars"],
  ])("%j -> %j", (input, output) => {
    const result = substituteEnv(input, { A: "one", B_2: "two", BASE: "https://h" });
    expect(result.value).toBe(output);
    expect(result.warnings).toEqual([]);
  });

  test("missing and empty vars stay literal and warn once per var and path", () => {
    const result = substituteEnv(
      { x: { y: "${NOPE}:${NOPE}:${EMPTY}" }, list: ["ok", "${NOPE}"], n: 5, b: true, z: null },
      { EMPTY: "" },
    );
    expect(result.value).toEqual({
      x: { y: "${NOPE}:${NOPE}:${EMPTY}" },
      list: ["ok", "${NOPE}"],
      n: 5,
      b: true,
      z: null,
    });
    expect(result.warnings).toEqual([warn("x.y", "NOPE"), warn("x.y", "EMPTY"), warn("list.1", "NOPE")]);
  });

  test("root string warnings use <root>", () => {
    expect(substituteEnv("${NOPE}", {}).warnings).toEqual([warn("<root>", "NOPE")]);
  });

  test("keys are not substituted and input is not mutated", () => {
    const input = { "${A}": "${A}" };
    const result = substituteEnv(input, { A: "v" });
    expect(result.value).toEqual({ "${A}": "v" });
    expect(input).toEqual({ "${A}": "${A}" });
  });

  test("a __proto__ key stays an own key", () => {
    const input = Bun.JSON5.parse('{"__proto__": {"polluted": "${A}"}}');
    const result = substituteEnv(input, { A: "v" }).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

test.each([
  ["${X}", true],
  ["a ${X} b", true],
  ["$${X}", false],
  ["${x}", false],
  ["plain", false],
])("hasUnresolvedPlaceholder(%j) = %p", (text, expected) => {
  expect(hasUnresolvedPlaceholder(text)).toBe(expected);
});

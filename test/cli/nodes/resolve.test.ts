// `--node` resolution: the order (id, IP, name, id prefix), connected nodes winning ties, and the
// errors that name the candidates instead of guessing.
import { describe, expect, test } from "bun:test";
import { CliError, UsageError } from "../../../src/cli/errors.ts";
import { nameKey, resolveNode } from "../../../src/cli/nodes/resolve.ts";
import type { NodeEntry } from "../../../src/cli/nodes/types.ts";

const A = "a1b2c3d4e5f6".padEnd(64, "0");
const B = "a1b2c3ffffff".padEnd(64, "1");
const C = "c0ffee000000".padEnd(64, "2");

const nodes: NodeEntry[] = [
  { nodeId: A, displayName: "Work Laptop", clientId: "node-host", connected: true, remoteIp: "10.0.0.5" },
  { nodeId: B, displayName: "build box", clientId: "node-host", connected: false },
  { nodeId: C, displayName: "10.0.0.5", connected: false },
];

const pick = (query: string, list: NodeEntry[] = nodes) => resolveNode(list, query).nodeId;

describe("resolveNode", () => {
  test("an exact id wins over everything", () => {
    expect(pick(B)).toBe(B);
    // The id of one node equal to another's name would still select the id.
    expect(pick(A, [...nodes, { nodeId: "x", displayName: A }])).toBe(A);
  });

  test("an IP before a display name that looks the same", () => {
    expect(pick("10.0.0.5")).toBe(A);
  });

  test("display names ignore case, spacing and punctuation", () => {
    expect(pick("work laptop")).toBe(A);
    expect(pick("  WORK-LAPTOP ")).toBe(A);
    expect(pick("Build_Box")).toBe(B);
  });

  test("an id prefix needs at least 6 characters", () => {
    expect(pick("c0ffee")).toBe(C);
    expect(pick("C0FFEE0")).toBe(C);
    expect(() => pick("c0ffe")).toThrow("unknown node: c0ffe");
  });

  test("a prefix shared by two nodes is ambiguous and lists both", () => {
    let err: unknown;
    try {
      pick("a1b2c3", nodes.map((n) => ({ ...n, connected: false })));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CliError);
    const msg = (err as Error).message;
    expect(msg).toStartWith("ambiguous node: a1b2c3 (matches: ");
    expect(msg).toContain(`Work Laptop [node=${A}, client=node-host]`);
    expect(msg).toContain(`build box [node=${B}, client=node-host]`);
  });

  test("within a tie the connected node is chosen", () => {
    expect(pick("a1b2c3")).toBe(A);
    const twins: NodeEntry[] = [
      { nodeId: B, displayName: "box", connected: false },
      { nodeId: C, displayName: "Box", connected: true },
    ];
    expect(pick("box", twins)).toBe(C);
    expect(() => pick("box", twins.map((n) => ({ ...n, connected: true })))).toThrow(/^ambiguous node: box/);
  });

  test("unknown nodes name what is known; an empty query is a usage error", () => {
    expect(() => pick("nope")).toThrow("unknown node: nope (known: Work Laptop, build box, 10.0.0.5)");
    expect(() => pick("nope", [])).toThrow(/^unknown node: nope$/);
    expect(() => pick("   ")).toThrow(UsageError);
  });
});

test("nameKey folds what people do not type consistently", () => {
  expect(nameKey("Test Node")).toBe("test-node");
  expect(nameKey("--Émile's  Mac--")).toBe("émile-s-mac");
  expect(nameKey("!!!")).toBe("");
});

// Imports in src/service point one way (the project design: protocol ← config ← domain
// services ← gateway/http ← cli): no service module imports src/cli or the doors above it, and no
// service modules import each other in a loop. Type-only imports count: a type cycle is a tangle too.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../../src");
const SERVICE = join(SRC, "service");
/** Layers above the domain services. */
const FORBIDDEN = ["cli", "gateway", "http"];

/** Every module specifier in a source: static import/export … from, side-effect imports, import(). */
export function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /(?:^|[;\n])\s*(?:import|export)\s+(?:type\s+)?[\w$\s{},*]*?\bfrom\s*["']([^"']+)["']/g,
    /(?:^|[;\n])\s*import\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

/** A loop in the graph as [a, b, …, a], or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    const at = path.indexOf(node);
    if (at !== -1) return [...path.slice(at), node];
    if (done.has(node)) return null;
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(node);
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

/** src/service's modules (paths relative to src/) and the relative imports of each, resolved. */
function serviceImports(): Map<string, string[]> {
  const files = readdirSync(SERVICE, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const abs = join(SERVICE, f);
    const targets = importSpecifiers(readFileSync(abs, "utf8"))
      .filter((s) => s.startsWith("."))
      .map((s) => relative(SRC, resolve(dirname(abs), s)));
    graph.set(relative(SRC, abs), targets);
  }
  return graph;
}

describe("src/service imports", () => {
  const graph = serviceImports();

  test("scans the modules it guards", () => {
    expect(graph.size).toBeGreaterThan(10);
    expect(graph.get("service/manager.ts")).toContain("service/systemd.ts");
    expect(graph.get("service/systemd.ts")).toContain("service/manager-core.ts");
  });

  test("nothing in src/service imports src/cli (or src/gateway, src/http)", () => {
    const bad: string[] = [];
    for (const [file, targets] of graph) {
      for (const t of targets) if (FORBIDDEN.includes(t.split("/")[0]!)) bad.push(`${file} → ${t}`);
    }
    expect(bad).toEqual([]);
  });

  test("no import cycle among src/service modules", () => {
    const local = new Map([...graph].map(([f, ts]) => [f, ts.filter((t) => t.startsWith("service/") && graph.has(t))]));
    expect(findCycle(local)).toBeNull();
  });
});

describe("the checker itself", () => {
  test("finds static, multi-line, type-only, re-export, side-effect and dynamic imports", () => {
    const src = [
      'import { a } from "./a.ts";',
      "import {",
      "  b, type B,",
      '} from "./b.ts";',
      'import type { C } from "../cli/c.ts";',
      'export { d } from "./d.ts";',
      'import "./e.ts";',
      'import t from "./templates/x.cmd" with { type: "text" };',
      'export interface I { /** not an import: taken from "./no.ts" */ x: number }',
      'const m = await import("./f.ts");',
    ].join("\n");
    expect(importSpecifiers(src).sort()).toEqual(["../cli/c.ts", "./a.ts", "./b.ts", "./d.ts", "./e.ts", "./f.ts", "./templates/x.cmd"]);
  });

  test("reports a cycle, and none in a graph without one", () => {
    const cyclic = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
    expect(findCycle(cyclic)).toEqual(["a", "b", "c", "a"]);
    expect(findCycle(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]]))).toBeNull();
  });
});

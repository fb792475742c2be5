import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { METHOD_SPECS } from "../../src/protocol/index.ts";
import { lazyMethod, lazySchemas } from "../../src/protocol/methods/types.ts";

describe("lazyMethod", () => {
  test("builds the schemas on the first read, once, and keeps the rest of the spec as given", () => {
    let builds = 0;
    const spec = lazyMethod({ name: "x.get", description: "d", scope: "operator.read", lenientParams: true }, () => {
      builds++;
      return { params: z.strictObject({ id: z.string() }), result: z.number() };
    });
    expect(builds).toBe(0);
    expect([spec.name, spec.description, spec.scope, spec.lenientParams]).toEqual(["x.get", "d", "operator.read", true]);
    expect(builds).toBe(0);
    expect(spec.params.safeParse({ id: "a" }).success).toBe(true);
    expect(spec.params.safeParse({ id: 1 }).success).toBe(false);
    expect(spec.result.safeParse(3).success).toBe(true);
    expect(spec.params).toBe(spec.params);
    expect(builds).toBe(1);
  });

  test("lazySchemas shares one build between its readers", () => {
    let builds = 0;
    const shared = lazySchemas(() => ({ Id: z.string(), n: ++builds }));
    expect(builds).toBe(0);
    expect(shared().Id).toBe(shared().Id);
    expect(builds).toBe(1);
  });
});

// Eager method schemas are what an idle gateway paid for (heap, and enough zod constructor calls at
// start-up for the JIT to compile it at its top tier: about 2 MB of idle RSS with 14k calls).
test("every protocol method builds its schemas on first use (lazyMethod), not at import", () => {
  const eager = Object.entries(METHOD_SPECS)
    .filter(([, spec]) => typeof Object.getOwnPropertyDescriptor(spec, "params")?.get !== "function" || typeof Object.getOwnPropertyDescriptor(spec, "result")?.get !== "function")
    .map(([name]) => name);
  expect(eager, "declare these with lazyMethod from src/protocol/methods/types.ts").toEqual([]);
  for (const spec of Object.values(METHOD_SPECS)) {
    expect(spec.params).toBeInstanceOf(z.ZodType);
    expect(spec.result).toBeInstanceOf(z.ZodType);
  }
});

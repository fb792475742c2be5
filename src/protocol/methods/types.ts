import type { z } from "zod";
import type { OperatorScope } from "../scopes.ts";

/** "always": callable with any scopes (health); "node": node role only. */
export type MethodScope = OperatorScope | "always" | "node";

export interface MethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  params: P;
  result: R;
  scope: MethodScope;
  /** The published CLI omits params or sends non-objects for some read methods; those get `{}`. */
  lenientParams?: boolean;
}

/** Builds the schemas now, at import; lazyMethod (below) is what keeps them off an idle gateway. */
export function defineMethod<P extends z.ZodType, R extends z.ZodType>(spec: MethodSpec<P, R>): MethodSpec<P, R> {
  return spec;
}

/** Memoizes a builder of schemas several methods share: built the first time one of them is read. */
export function lazySchemas<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}

/**
 * A method whose params/result schemas are built the first time anything reads them (its first
 * call, `bun run gen`), then kept. Constructing every method's zod schemas at start-up cost the idle
 * gateway heap for methods it may never serve, and enough calls of zod's constructor to make the
 * JIT compile it at its top tier (about 1 MB more RSS); the spec reads exactly like an eager one.
 */
export function lazyMethod<P extends z.ZodType, R extends z.ZodType>(
  spec: Omit<MethodSpec, "params" | "result">,
  build: () => { params: P; result: R },
): MethodSpec<P, R> {
  const schemas = lazySchemas(build);
  return {
    ...spec,
    get params() {
      return schemas().params;
    },
    get result() {
      return schemas().result;
    },
  };
}

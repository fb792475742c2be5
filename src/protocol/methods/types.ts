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

export function defineMethod<P extends z.ZodType, R extends z.ZodType>(spec: MethodSpec<P, R>): MethodSpec<P, R> {
  return spec;
}

import { z } from "zod";
import { defineMethod } from "./types.ts";

export const configGet = defineMethod({
  name: "config.get",
  description: "The active configuration with every secret replaced by __OPENCLAW_REDACTED__",
  params: z.strictObject({}),
  result: z.object({
    path: z.string(),
    exists: z.boolean(),
    raw: z.string().nullable(),
    parsed: z.unknown(),
    resolved: z.unknown(),
    config: z.unknown(),
    valid: z.boolean(),
    hash: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })),
    warnings: z.array(z.object({ path: z.string(), message: z.string() })),
    includedPaths: z.array(z.string()),
  }),
  scope: "operator.read",
  lenientParams: true,
});

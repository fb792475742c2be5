import { z } from "zod";
import { defineMethod } from "./types.ts";

export const logsTail = defineMethod({
  name: "logs.tail",
  description: "Read the gateway's JSON-lines file log from a cursor (byte offset)",
  params: z.strictObject({
    cursor: z.int().min(0).optional(),
    limit: z.int().min(1).max(5000).optional(),
    maxBytes: z.int().min(1).max(1_000_000).optional(),
  }),
  result: z.object({
    file: z.string(),
    cursor: z.int(),
    size: z.int(),
    lines: z.array(z.string()),
    truncated: z.boolean().optional(),
    reset: z.boolean().optional(),
    skippedBytes: z.int().optional(),
  }),
  scope: "operator.read",
});

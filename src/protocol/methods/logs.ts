import { z } from "zod";
import { lazyMethod } from "./types.ts";

export const LogsTailResultSchema = z.object({
  file: z.string(),
  cursor: z.int(),
  size: z.int(),
  lines: z.array(z.string()),
  truncated: z.boolean().optional(),
  reset: z.boolean().optional(),
  skippedBytes: z.int().optional(),
});
export type LogsTailResult = z.infer<typeof LogsTailResultSchema>;

export const logsTail = lazyMethod({
  name: "logs.tail",
  description: "Read the gateway's JSON-lines file log from a cursor (byte offset)",
  scope: "operator.read",
}, () => ({
  params: z.strictObject({
    cursor: z.int().min(0).optional(),
    limit: z.int().min(1).max(5000).optional(),
    maxBytes: z.int().min(1).max(1_000_000).optional(),
  }),
  result: LogsTailResultSchema,
}));

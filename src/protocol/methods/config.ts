import { z } from "zod";
import { lazyMethod } from "./types.ts";

export const configGet = lazyMethod({
  name: "config.get",
  description: "The active configuration with every secret replaced by __OPENCLAW_REDACTED__",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
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
}));

export const configSchema = lazyMethod({
  name: "config.schema",
  description: "The JSON Schema of the config file (what config.patch and config.apply validate against)",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
  params: z.strictObject({}),
  result: z.object({
    schema: z.record(z.string(), z.unknown()),
    uiHints: z.record(z.string(), z.unknown()),
    version: z.string(),
    generatedAt: z.string(),
  }),
}));

const SchemaType = z.union([z.string(), z.array(z.string())]);

export const configSchemaLookup = lazyMethod({
  name: "config.schema.lookup",
  description: "One node of the config schema by dotted path (\"\" is the root; list items and map entries are *), with a summary of its children",
  scope: "operator.read",
}, () => ({
  params: z.strictObject({ path: z.string().max(1024) }),
  result: z.object({
    path: z.string(),
    schema: z.record(z.string(), z.unknown()),
    children: z.array(
      z.object({
        key: z.string(),
        path: z.string(),
        type: SchemaType.optional(),
        required: z.boolean(),
        hasChildren: z.boolean(),
        description: z.string().optional(),
      }),
    ),
  }),
}));

const WriteParams = z.strictObject({
  raw: z.string().max(2 * 1024 * 1024),
  baseHash: z.string().min(1).optional(),
  sessionKey: z.string().optional(),
  note: z.string().optional(),
  restartDelayMs: z.int().min(0).optional(),
  replacePaths: z.array(z.string().min(1)).optional(),
});

const writeResult = (kind: "config-patch" | "config-apply") =>
  z.object({
    ok: z.literal(true),
    path: z.string(),
    hash: z.string(),
    config: z.unknown(),
    changedPaths: z.array(z.string()),
    sentinel: z.object({
      persisted: z.boolean(),
      payload: z.object({
        kind: z.literal(kind),
        status: z.enum(["ok", "skipped"]),
        ts: z.number(),
        sessionKey: z.string().optional(),
        message: z.string().nullable(),
        stats: z.object({ requiresRestart: z.boolean() }),
      }),
    }),
  });

export const configPatch = lazyMethod({
  name: "config.patch",
  description:
    "Merge a JSON5 merge patch (RFC 7386: null deletes, arrays replace) into the config file. baseHash must be config.get's hash; " +
    "a patch that shortens an existing list must name it in replacePaths. Validated in full before the file is written; " +
    "the file watcher then applies it hot or restarts",
  scope: "operator.admin",
}, () => ({
  params: WriteParams,
  result: writeResult("config-patch"),
}));

export const configApply = lazyMethod({
  name: "config.apply",
  description: "Replace the whole config file with a JSON5 document; same guards and result as config.patch",
  scope: "operator.admin",
}, () => ({
  params: WriteParams,
  result: writeResult("config-apply"),
}));

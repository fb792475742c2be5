import { isAbsolute } from "node:path";
import { z } from "zod";

export const SECRET_SOURCES = ["env", "file", "exec"] as const;
export type SecretSource = (typeof SECRET_SOURCES)[number];

export const PROVIDER_ALIAS_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
export const ENV_SECRET_ID_PATTERN = /^[A-Z][A-Z0-9_]{0,127}$/;
export const EXEC_SECRET_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,255}$/;

/** Per-source rules for `id`; the provider's own settings (file mode) are checked when resolving. */
function checkRefId(ref: { source: SecretSource; id: string }): string | undefined {
  switch (ref.source) {
    case "env":
      return ENV_SECRET_ID_PATTERN.test(ref.id) ? undefined : "env id must be an environment variable name (A-Z, 0-9, _)";
    case "file":
      return ref.id === "value" || ref.id.startsWith("/")
        ? undefined
        : 'file id must be an absolute JSON pointer ("/a/b") or "value" (singleValue mode)';
    case "exec":
      if (!EXEC_SECRET_ID_PATTERN.test(ref.id)) return "exec id must match [A-Za-z0-9][A-Za-z0-9._:/#-]*";
      return ref.id.split("/").some((seg) => seg === "." || seg === "..") ? 'exec id must not contain "." or ".." segments' : undefined;
  }
}

export const SecretRefSchema = z
  .object({
    source: z.enum(SECRET_SOURCES).describe("Where the secret lives: an environment variable, a file, or a command's output"),
    provider: z
      .string()
      .regex(PROVIDER_ALIAS_PATTERN)
      .optional()
      .describe('Alias under secrets.providers; env refs need none, file/exec refs default to "default"'),
    id: z.string().min(1).describe("env: variable name; file: JSON pointer (or \"value\"); exec: id passed to the command"),
  })
  .strict()
  .superRefine((ref, ctx) => {
    const problem = checkRefId(ref);
    if (problem) ctx.addIssue({ code: "custom", path: ["id"], message: problem });
  })
  .describe("Reference to a secret kept outside the config file, resolved when the config activates");

export type SecretRef = z.infer<typeof SecretRefSchema>;

function describeInput(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "array";
  return typeof input;
}

const SecretInputUnion = z.union([z.string(), SecretRefSchema], {
  error: (issue) => {
    const input = issue.input;
    if (issue.code === "invalid_union" && input !== null && typeof input === "object" && !Array.isArray(input)) {
      // The object alternative is the one the author meant: name its problems, not the string's.
      const refIssues = issue.errors[1] ?? [];
      const parts = refIssues.map((i) => `${i.path.length ? i.path.join(".") + ": " : ""}${i.message}`);
      return `Invalid SecretRef: ${parts.join("; ") || "expected {source, provider?, id}"}`;
    }
    return `Invalid input: expected a string or a SecretRef {source, provider?, id}, received ${describeInput(input)}`;
  },
});

/**
 * A secret-bearing key: a literal string (with `${VAR}` substitution) or a SecretRef.
 *
 * Statically typed as a string on purpose: the gateway runs on the activation's resolved config,
 * where every reference has been replaced by its value (or removed when it could not be resolved).
 * Only `LoadedConfig.config` — what the file says — can still hold a SecretRef object there; code
 * that reads a secret from it must check `isSecretRef` first.
 */
export function secretInput(description: string): z.ZodType<string> {
  return SecretInputUnion.describe(description) as unknown as z.ZodType<string>;
}

export function isSecretRef(value: unknown): value is SecretRef {
  return SecretRefSchema.safeParse(value).success;
}

const absolutePath = z
  .string()
  .min(1)
  .refine((p) => isAbsolute(p) || p === "~" || p.startsWith("~/"), "must be an absolute path (or start with ~/)");

export const EnvSecretProviderSchema = z
  .object({
    source: z.literal("env"),
    allowlist: z.array(z.string().regex(ENV_SECRET_ID_PATTERN)).optional().describe("Only these variables may be referenced"),
  })
  .strict()
  .describe("Secrets from the gateway's environment");

export const FileSecretProviderSchema = z
  .object({
    source: z.literal("file"),
    path: absolutePath.describe("The secrets file: a private regular file (mode 0600, one hard link, no symlink)"),
    mode: z
      .enum(["json", "singleValue"])
      .optional()
      .describe('"json" (default): ids are JSON pointers into the file; "singleValue": the whole file is the secret (id "value")'),
    maxBytes: z.int().positive().optional().describe("Largest file accepted (default 1 MiB)"),
  })
  .strict()
  .describe("Secrets read from a file");

export const ExecSecretProviderSchema = z
  .object({
    source: z.literal("exec"),
    command: absolutePath.describe("Absolute path of the resolver: a regular file owned by this user, not group/world-writable"),
    args: z.array(z.string()).optional().describe("Arguments passed to the command"),
    timeoutMs: z.int().positive().max(120_000).optional().describe("Kill the command after this long (default 5000)"),
    passEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional().describe("Environment variables passed to the command (nothing else is)"),
    maxOutputBytes: z.int().positive().optional().describe("Largest stdout accepted (default 1 MiB)"),
  })
  .strict()
  .describe('Secrets printed by a command: stdin {"protocolVersion":1,"provider","ids"} → stdout {"protocolVersion":1,"values","errors"}');

export const SecretProviderSchema = z.discriminatedUnion("source", [
  EnvSecretProviderSchema,
  FileSecretProviderSchema,
  ExecSecretProviderSchema,
]);
export type SecretProviderConfig = z.infer<typeof SecretProviderSchema>;

export const SecretsSchema = z
  .object({
    providers: z
      .record(z.string().regex(PROVIDER_ALIAS_PATTERN), SecretProviderSchema)
      .optional()
      .describe("Secret providers by alias, referenced from SecretRef.provider"),
  })
  .strict()
  .describe("Where SecretRefs in this file are resolved from");

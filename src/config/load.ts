import { readFileSync } from "node:fs";
import type { core } from "zod";
import { substituteEnv } from "./env-subst.ts";
import { formatIssuePath, ROOT_PATH, type ConfigIssue } from "./issues.ts";
import { parseJson5 } from "./json5.ts";
import { ConfigSchema, type OpenClawConfig } from "./schema.ts";

export type { ConfigIssue } from "./issues.ts";

export const DOCTOR_HINT = 'Run "openclaw doctor --fix" to repair, then retry.';

export class ConfigError extends Error {
  override name = "ConfigError";
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[]) {
    super(`Invalid config at ${file}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`);
    this.file = file;
    this.issues = issues;
  }
}

export interface LoadedConfig {
  /** Absolute path that was (or would have been) read. */
  path: string;
  exists: boolean;
  /** File text as read, or null when the file does not exist. */
  raw: string | null;
  /** Parsed document before env substitution (what the user wrote). */
  parsed: unknown;
  /** Validated config after env substitution. */
  config: OpenClawConfig;
  warnings: ConfigIssue[];
  /** "sha256:<hex>" of raw (of "" when missing); lets writers detect concurrent edits. */
  hash: string;
}

export function hashConfigText(raw: string): string {
  return `sha256:${new Bun.CryptoHasher("sha256").update(raw).digest("hex")}`;
}

function quote(value: unknown): string {
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function toConfigIssues(issue: core.$ZodIssue): ConfigIssue[] {
  const path = formatIssuePath(issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      // One issue per key so every offending key is listed on its own line.
      return issue.keys.map((key) => ({ path, message: `Unrecognized key: ${quote(key)}` }));
    case "invalid_value":
      return [
        {
          path,
          message: `Invalid input (allowed: ${issue.values.map(quote).join(", ")}), got: ${quote(issue.input)}`,
        },
      ];
    default:
      return [{ path, message: issue.message }];
  }
}

/** Validates an already parsed (and env-substituted) document. */
export function validateConfig(value: unknown, file: string): OpenClawConfig {
  const result = ConfigSchema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(file, result.error.issues.flatMap(toConfigIssues));
}

export function formatConfigError(err: ConfigError): string {
  return `${err.message}\n${DOCTOR_HINT}`;
}

/** A message's lines joined into one, for log lines that must stay one line. */
export function oneLine(text: string): string {
  return text.split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
}

/** `<file>: <path>: <problem>; <path>: <problem>` on one line. */
export function configErrorLine(err: ConfigError): string {
  return `${err.file}: ${err.issues.map((i) => `${i.path}: ${oneLine(i.message)}`).join("; ")}`;
}

/** The file's text, or null when it does not exist; other read errors throw ConfigError. */
export function readConfigText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(path, [{ path: ROOT_PATH, message: `Failed to read config: ${reason}` }]);
  }
}

/**
 * Reads, parses, substitutes and validates the config file. A missing file is not an error here
 * (startup guards decide what that means); anything unreadable or invalid throws ConfigError.
 */
export function loadConfig(path: string, env: Record<string, string | undefined>): LoadedConfig {
  const raw = readConfigText(path);
  if (raw === null) {
    return { path, exists: false, raw: null, parsed: {}, config: {}, warnings: [], hash: hashConfigText("") };
  }
  return loadConfigText(path, raw, env);
}

/** loadConfig for text already in hand (a config write checks what it is about to write). Throws ConfigError. */
export function loadConfigText(path: string, raw: string, env: Record<string, string | undefined>): LoadedConfig {
  const parsed = parseJson5(raw);
  if (!parsed.ok) {
    throw new ConfigError(path, [
      { path: ROOT_PATH, message: `JSON5 parse failed: ${parsed.message} at ${parsed.line}:${parsed.column}` },
    ]);
  }
  const substituted = substituteEnv(parsed.value, env);
  return {
    path,
    exists: true,
    raw,
    parsed: parsed.value,
    config: validateConfig(substituted.value, path),
    warnings: substituted.warnings,
    hash: hashConfigText(raw),
  };
}

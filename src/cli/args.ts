/** Arg fragments shared by client commands, and the parsing citty leaves to us (numbers, JSON, unknown flags). */
import { defineCommand, type ArgsDef, type ParsedArgs } from "citty";
import { UsageError } from "./errors.ts";

export const urlArgs = {
  url: { type: "string", description: "Gateway WebSocket URL (only --token/--password are sent to it)", valueHint: "ws://host:port" },
  token: { type: "string", description: "Gateway token" },
  password: { type: "string", description: "Gateway password" },
} as const satisfies ArgsDef;

export const jsonArg = {
  json: { type: "boolean", description: "Print machine-readable JSON" },
} as const satisfies ArgsDef;

export function timeoutArg(defaultMs: number) {
  return {
    timeout: { type: "string", description: "Timeout in milliseconds", default: String(defaultMs), valueHint: "ms" },
  } as const satisfies ArgsDef;
}

/** A whole number in [min, max]; anything else is a usage error naming the flag. */
export function parseIntArg(value: unknown, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = typeof value === "string" ? value.trim() : String(value);
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}-${max}`;
    throw new UsageError(`Invalid --${flag}: ${JSON.stringify(text)} (use a whole number ${range})`);
  }
  return n;
}

/** `--params` must be a JSON object, the shape every gateway method takes. */
export function parseJsonObjectArg(value: string | undefined, flag: string): Record<string, unknown> {
  if (value === undefined || value.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    throw new UsageError(`--${flag} must be valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UsageError(`--${flag} must be a JSON object, e.g. '{"key":"value"}'`);
  }
  return parsed as Record<string, unknown>;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * citty accepts any flag silently; a typo such as `--limt 5` would then run with defaults, so
 * commands reject flags they do not declare.
 */
export function rejectUnknownFlags(rawArgs: readonly string[], args: ArgsDef): void {
  const known = new Map<string, string | undefined>();
  for (const [name, def] of Object.entries(args)) {
    const alias = "alias" in def ? def.alias : undefined;
    const names = [name, kebab(name), camel(name), ...(Array.isArray(alias) ? alias : alias ? [alias] : [])];
    for (const n of names) known.set(n, def.type);
  }
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") return;
    if (!arg.startsWith("-") || arg === "-") continue;
    const body = arg.replace(/^--?/, "");
    const name = body.split("=", 1)[0]!;
    if (name === "help" || name === "h") continue;
    const type = known.get(name) ?? (name.startsWith("no-") ? booleanOnly(known.get(name.slice(3))) : undefined);
    if (type === undefined && !known.has(name)) throw new UsageError(`unknown option '${arg.split("=", 1)[0]}'`);
    if ((type === "string" || type === "enum") && !body.includes("=")) i++;
  }
}

function booleanOnly(type: string | undefined): string | undefined {
  return type === "boolean" ? type : undefined;
}

/** A leaf command: unknown flags refused (a typo must not run with defaults), then `body` with the parsed args. */
export function verb<A extends ArgsDef>(name: string, description: string, args: A, body: (a: ParsedArgs<A>) => Promise<void>) {
  return defineCommand({
    meta: { name, description },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      await body(a);
    },
  });
}

/**
 * How commands reach the global state: main.ts builds one GlobalContext, runCli adds the output
 * channel, and every command factory closes over the result. Nothing lives at module level, so
 * tests can run many CLIs side by side with their own env, paths and captured output.
 */
import { createConsola, type ConsolaInstance } from "consola/core";
import type { ResolvedPaths } from "../config/paths.ts";

export type Env = Record<string, string | undefined>;

/** Flags that come before the command (`openclaw --dev gateway …`). */
export interface GlobalFlags {
  dev: boolean;
  profile?: string;
  noColor: boolean;
  logLevel?: string;
}

export interface GlobalContext {
  env: Env;
  paths: ResolvedPaths;
  globals: GlobalFlags;
}

export interface Writable {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Human and machine output. Lines only: no command writes to process.stdout directly. */
export interface CliIO {
  /** One line on stdout. */
  out(line: string): void;
  /** Text on stdout as is, for output that streams in pieces (agent replies). */
  write(text: string): void;
  /** One line on stderr. */
  err(line: string): void;
  /** A JSON document on stdout: pretty (2-space) by default, one line with `compact`. */
  json(value: unknown, compact?: boolean): void;
  /** Whether ANSI colour is wanted on stdout. */
  readonly color: boolean;
  readonly consola: ConsolaInstance;
}

export interface CliContext extends GlobalContext {
  io: CliIO;
}

export function wantsColor(ctx: GlobalContext, stream: Writable): boolean {
  if (ctx.globals.noColor || (ctx.env.NO_COLOR ?? "") !== "") return false;
  const force = ctx.env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0") return true;
  return stream.isTTY === true;
}

/**
 * consola with a reporter that writes the arguments verbatim: the CLI prints exact texts that
 * scripts match on, so no badges, dates or throttling of repeated lines (log tails repeat).
 */
export function createIO(
  ctx: GlobalContext,
  streams: { stdout: Writable; stderr: Writable } = { stdout: process.stdout, stderr: process.stderr },
): CliIO {
  const consola = createConsola({
    throttle: 0,
    level: 5,
    reporters: [
      {
        log(entry) {
          const text = entry.args.map((a) => (typeof a === "string" ? a : String(a))).join(" ");
          (entry.level <= 1 ? streams.stderr : streams.stdout).write(`${text}\n`);
        },
      },
    ],
  });
  return {
    consola,
    color: wantsColor(ctx, streams.stdout),
    out: (line) => consola.log(line),
    write: (text) => streams.stdout.write(text),
    err: (line) => consola.error(line),
    json: (value, compact = false) => consola.log(JSON.stringify(value ?? null, null, compact ? undefined : 2)),
  };
}

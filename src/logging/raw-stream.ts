/**
 * `--raw-stream`: every model stream event an agent turn receives, appended as one JSON line
 * `{ts, runId, provider, model, event}` to a private (0600) file, for debugging provider adapters.
 * Lines go through the same redactor as the log, so a gateway token or provider API key that a
 * model echoes back never lands in the file.
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Redactor } from "./redact.ts";

export const RAW_STREAM_FILE_NAME = "raw-stream.jsonl";

export interface RawModelEvent {
  runId: string;
  provider: string;
  model: string;
  event: unknown;
}

export interface RawStreamWriter {
  readonly path: string;
  /** Appends one line; never throws (a failure is reported once, then the writer stays off). */
  write(e: RawModelEvent): void;
}

type Env = Record<string, string | undefined>;

function truthy(v: string | undefined): boolean {
  const s = v?.trim().toLowerCase();
  return s === "1" || s === "true" || s === "yes" || s === "on";
}

/**
 * Where raw stream events go, or undefined when the feature is off. On with `--raw-stream`, a
 * `--raw-stream-path`, or OPENCLAW_RAW_STREAM=1; the path is the flag, else
 * OPENCLAW_RAW_STREAM_PATH, else `<stateDir>/logs/raw-stream.jsonl`.
 */
export function resolveRawStreamPath(
  env: Env,
  stateDir: string,
  flags: { rawStream?: boolean; rawStreamPath?: string } = {},
): string | undefined {
  const flagPath = flags.rawStreamPath?.trim() || undefined;
  if (!flags.rawStream && !flagPath && !truthy(env.OPENCLAW_RAW_STREAM)) return undefined;
  return resolve(flagPath ?? (env.OPENCLAW_RAW_STREAM_PATH?.trim() || join(stateDir, "logs", RAW_STREAM_FILE_NAME)));
}

export function createRawStreamWriter(opts: {
  path: string;
  redactor: Redactor;
  now?: () => number;
  /** Told once about the first failure. */
  onError?: (err: unknown) => void;
}): RawStreamWriter {
  const { path, redactor } = opts;
  const now = opts.now ?? Date.now;
  let failed = false;
  let prepared = false;
  const prepare = () => {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // A file left by an earlier run may have been created under another umask.
    if (existsSync(path)) chmodSync(path, 0o600);
    prepared = true;
  };
  return {
    path,
    write(e) {
      if (failed) return;
      try {
        if (!prepared) prepare();
        // Every string inside the event is masked on its own (patterns, known secrets, sensitive keys),
        // so masking can never cut through the JSON syntax around it.
        const record = { ts: now(), runId: e.runId, provider: e.provider, model: e.model, event: redactor.value(e.event) };
        appendFileSync(path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
      } catch (err) {
        failed = true;
        opts.onError?.(err);
      }
    },
  };
}

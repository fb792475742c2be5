/**
 * Watches one config file. Editors save by writing a temp file and renaming it over the original,
 * which replaces the inode a file watch would hold, so the containing directory is watched and
 * events are filtered by name. Bursts are debounced; a change is reported only when the content
 * hash differs from the last one seen (a touch or an identical rewrite is ignored).
 */
import { watch, readFileSync, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";
import { hashConfigText } from "../../config/load.ts";

export const DEFAULT_DEBOUNCE_MS = 200;
/** A file rewritten continuously is still evaluated at least this often. */
export const DEFAULT_MAX_WAIT_MS = 1000;
export const MISSING_FILE_HASH = "missing";

export interface ConfigFileChange {
  /** `hashConfigText` of the new content, or MISSING_FILE_HASH. */
  hash: string;
  /** performance.now() of the first file event of the burst: the start of the reload latency. */
  firstEventAt: number;
}

export interface ConfigWatchOptions {
  /** The hash of the content already in use; equal content is not reported. */
  initialHash: string;
  debounceMs?: number;
  maxWaitMs?: number;
  onError?: (err: Error) => void;
}

export interface ConfigWatcher {
  close(): void;
  /** Re-reads the file now as if it had changed (used once after start-up). */
  check(firstEventAt?: number): void;
}

export function readConfigHash(path: string): string {
  try {
    return hashConfigText(readFileSync(path, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return MISSING_FILE_HASH;
    throw err;
  }
}

export function watchConfigFile(path: string, onChange: (change: ConfigFileChange) => void, opts: ConfigWatchOptions): ConfigWatcher {
  const name = basename(path);
  const debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const maxWaitMs = opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  let lastHash = opts.initialHash;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let firstEventAt: number | undefined;
  let closed = false;

  const fire = () => {
    timer = undefined;
    const t0 = firstEventAt ?? performance.now();
    firstEventAt = undefined;
    if (closed) return;
    let hash: string;
    try {
      hash = readConfigHash(path);
    } catch (err) {
      opts.onError?.(err as Error);
      return;
    }
    if (hash === lastHash) return;
    lastHash = hash;
    onChange({ hash, firstEventAt: t0 });
  };

  const schedule = (at = performance.now()) => {
    if (closed) return;
    firstEventAt ??= at;
    if (timer) clearTimeout(timer);
    const waited = performance.now() - firstEventAt;
    timer = setTimeout(fire, Math.max(0, Math.min(debounceMs, maxWaitMs - waited)));
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, filename) => {
      // Some platforms omit the name; then any event in the directory is worth a re-read.
      if (filename === null || filename === undefined || String(filename) === name) schedule();
    });
    watcher.on("error", (err) => opts.onError?.(err));
  } catch (err) {
    opts.onError?.(err as Error);
  }

  return {
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
    check(at?: number) {
      schedule(at);
    },
  };
}

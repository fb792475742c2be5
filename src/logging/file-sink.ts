import { closeSync, fdatasyncSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { datedFilePattern, defaultLogFile, localDay } from "./paths.ts";

export interface DatedFileOptions {
  profile: string | null;
  dir?: string;
}

export interface FileSinkOptions {
  path: string;
  maxBytes: number;
  maxFiles: number;
  /** When set the path follows the local date (defaultLogFile naming); a fixed path never rolls. */
  dated?: DatedFileOptions;
  now: Date;
  /** Called once, on the first failure; the sink is disabled afterwards. */
  onError(err: unknown): void;
}

/** `x.log` → `x.N.log`; names without `.log` just get `.N` appended. */
export function archivePath(path: string, n: number): string {
  return path.endsWith(".log") ? `${path.slice(0, -4)}.${n}.log` : `${path}.${n}`;
}

function ignoreMissing(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}

/**
 * Synchronous append-only JSONL sink. Log volume is low, so writeSync on a long-lived fd keeps lines
 * durable and ordered without a buffer that could be lost on crash.
 */
export class FileSink {
  path: string;
  failed = false;
  private fd: number | null = null;
  private size = 0;
  private day: string | null;
  private closed = false;

  constructor(private readonly opts: FileSinkOptions) {
    this.day = opts.dated ? localDay(opts.now) : null;
    this.path = opts.dated ? defaultLogFile({ ...opts.dated, now: opts.now }) : opts.path;
  }

  get active(): boolean {
    return !this.failed && !this.closed;
  }

  write(line: string, now: Date): void {
    if (!this.active) return;
    try {
      if (this.opts.dated) {
        const day = localDay(now);
        if (day !== this.day) this.rollToDay(day, now);
      }
      if (this.fd === null) this.open(now);
      const buf = Buffer.from(`${line}\n`);
      if (this.size > 0 && this.size + buf.length > this.opts.maxBytes) this.rotate(now);
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd!, buf, off, buf.length - off);
      this.size += buf.length;
    } catch (err) {
      this.failed = true;
      this.release();
      this.opts.onError(err);
    }
  }

  flush(): void {
    if (this.fd === null) return;
    try {
      fdatasyncSync(this.fd);
    } catch {
      // Best effort: every line already reached the kernel with writeSync.
    }
  }

  close(): void {
    this.closed = true;
    this.release();
  }

  private open(now: Date): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.fd = openSync(this.path, "a", 0o600);
    this.size = fstatSync(this.fd).size;
    if (this.opts.dated) this.pruneOldDays(now);
  }

  private release(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      closeSync(fd);
    } catch {
      // Already unusable; nothing more to do.
    }
  }

  private rotate(now: Date): void {
    this.release();
    const { maxFiles } = this.opts;
    if (maxFiles <= 0) {
      ignoreMissing(() => unlinkSync(this.path));
    } else {
      ignoreMissing(() => unlinkSync(archivePath(this.path, maxFiles)));
      for (let i = maxFiles - 1; i >= 1; i--) {
        ignoreMissing(() => renameSync(archivePath(this.path, i), archivePath(this.path, i + 1)));
      }
      ignoreMissing(() => renameSync(this.path, archivePath(this.path, 1)));
    }
    this.open(now);
  }

  private rollToDay(day: string, now: Date): void {
    this.release();
    this.day = day;
    this.path = defaultLogFile({ ...this.opts.dated!, now });
  }

  /**
   * Runs whenever a dated file is opened. Keeps today's and yesterday's files (anything older is past the 24 h retention). Judged by the
   * date in the name rather than mtime, so it follows the logger's clock and never races a writer.
   */
  private pruneOldDays(now: Date): void {
    const keepFrom = localDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1));
    const pattern = datedFilePattern(this.opts.dated!.profile);
    const dir = dirname(this.path);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const day = pattern.exec(name)?.[1];
      if (!day || day >= keepFrom) continue;
      try {
        unlinkSync(join(dir, name));
      } catch {
        // Retention is housekeeping; failing it must not take the log down.
      }
    }
  }
}

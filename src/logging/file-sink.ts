import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
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
  /**
   * Called when a write fails (disk full, directory gone, …): the sink drops lines until `retry()`.
   * `first` is false for the failures of later retries during the same outage.
   */
  onError(err: unknown, first: boolean): void;
  /** Called once a line is written again after an outage, with how long lines were dropped (ms). */
  onRecover?(outageMs: number): void;
}

/** How often a write checks that the path still names the open file (log dir removed, file moved away). */
const PATH_CHECK_MS = 1000;

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
 *
 * It never throws and never stops the process: a failed write (disk full, read-only, directory
 * gone) drops lines until the owner calls `retry()`, and the next line then reopens the file. A log
 * directory removed under an open file is noticed within a second and created again.
 */
export class FileSink {
  path: string;
  /** The last write failed; lines are dropped until retry(). */
  failed = false;
  private fd: number | null = null;
  private ino: bigint | null = null;
  private checkedAt = 0;
  private size = 0;
  private day: string | null;
  private closed = false;
  /** When the current outage began (Date.now()), or null while writes work. */
  private outageSince: number | null = null;

  constructor(private readonly opts: FileSinkOptions) {
    this.day = opts.dated ? localDay(opts.now) : null;
    this.path = opts.dated ? defaultLogFile({ ...opts.dated, now: opts.now }) : opts.path;
  }

  get active(): boolean {
    return !this.failed && !this.closed;
  }

  write(line: string, now: Date): void {
    if (this.closed || this.failed) return;
    try {
      if (this.opts.dated) {
        const day = localDay(now);
        if (day !== this.day) this.rollToDay(day, now);
      }
      if (this.fd !== null && Date.now() - this.checkedAt >= PATH_CHECK_MS) this.checkPath();
      if (this.fd === null) this.open(now);
      const buf = Buffer.from(`${line}\n`);
      if (this.size > 0 && this.size + buf.length > this.opts.maxBytes) this.rotate(now);
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd!, buf, off, buf.length - off);
      this.size += buf.length;
    } catch (err) {
      this.failed = true;
      this.release();
      const first = this.outageSince === null;
      this.outageSince ??= Date.now();
      this.opts.onError(err, first);
      return;
    }
    if (this.outageSince !== null) {
      const ms = Date.now() - this.outageSince;
      this.outageSince = null;
      this.opts.onRecover?.(ms);
    }
  }

  /** After a failure: the next line tries to open the file again. */
  retry(): void {
    this.failed = false;
  }

  /** Writes to a file that is no longer at our path would be lost: reopen (and recreate the directory). */
  private checkPath(): void {
    this.checkedAt = Date.now();
    let ino: bigint | null = null;
    try {
      ino = statSync(this.path, { bigint: true }).ino;
    } catch {
      // Gone (or unreachable): reopening recreates it, or fails and reports why.
    }
    if (ino === null || ino !== this.ino) this.release();
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
    const st = fstatSync(this.fd, { bigint: true });
    this.size = Number(st.size);
    this.ino = st.ino;
    this.checkedAt = Date.now();
    if (this.size > 0) this.dropPartialLine();
    if (this.opts.dated) this.pruneOldDays(now);
  }

  /**
   * A write cut short (disk full) leaves half a line at the end: cut it off, so the file holds whole
   * JSON lines only and the next line does not run into it. (Readers only ever pass whole lines.)
   */
  private dropPartialLine(): void {
    const tail = Buffer.alloc(Math.min(this.size, 64 * 1024));
    const from = this.size - tail.length;
    let got = 0;
    try {
      const fd = openSync(this.path, "r");
      try {
        got = readSync(fd, tail, 0, tail.length, from);
      } finally {
        closeSync(fd);
      }
    } catch {
      return; // unreadable: leave it as it is
    }
    if (got !== tail.length || tail[got - 1] === 0x0a) return;
    const nl = tail.lastIndexOf(0x0a);
    if (nl < 0 && from > 0) {
      this.size += writeSync(this.fd!, "\n"); // a "line" longer than we look back: just end it
      return;
    }
    this.size = from + nl + 1;
    ftruncateSync(this.fd!, this.size);
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

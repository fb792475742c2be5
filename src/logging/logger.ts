import { hostname as osHostname } from "node:os";
import { ConsoleSink, type ConsoleEntry, type ConsoleStyle, type Writable } from "./console-sink.ts";
import { FileSink, type DatedFileOptions } from "./file-sink.ts";
import { callSite, displaySubsystem, formatFileLine } from "./format.ts";
import { LEVEL_IDS, SILENT_ID, levelThreshold, type LogLevel } from "./levels.ts";
import { createRedactor, type Redactor } from "./redact.ts";

export type Fields = Record<string, unknown>;

export interface LoggerOptions {
  /** null: no file log. Ignored in favour of the dated name when `dated` is set. */
  file: string | null;
  /** Follow the local date with defaultLogFile naming (the default /tmp/openclaw file). */
  dated?: DatedFileOptions;
  fileLevel?: LogLevel;
  consoleLevel?: LogLevel;
  /** Default: pretty on a TTY, compact otherwise. */
  consoleStyle?: ConsoleStyle;
  maxFileBytes?: number;
  maxFiles?: number;
  /** Replaces the default pattern list. */
  redactPatterns?: string[];
  /** Exact secret strings (tokens, passwords) masked wherever they appear. */
  secrets?: () => string[];
  stdout?: Writable;
  stderr?: Writable;
  /** Force console colour on/off instead of TTY + NO_COLOR/FORCE_COLOR detection. */
  color?: boolean;
  now?: () => Date;
}

export interface Logger {
  child(subsystem: string): Logger;
  trace(msg: string, fields?: Fields): void;
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  fatal(msg: string, fields?: Fields): void;
  /** Lets hot paths skip building messages nobody will see. */
  enabled(level: LogLevel): boolean;
  readonly subsystem: string | undefined;
  readonly file: string | null;
  setLevels(l: { fileLevel?: LogLevel; consoleLevel?: LogLevel }): void;
  flush(): void;
  close(): void;
}

export const DEFAULT_MAX_FILE_BYTES = 104_857_600;
export const DEFAULT_MAX_FILES = 5;

const LEVEL_BY_ID = ["", "trace", "debug", "info", "warn", "error", "fatal"] as const;
const THIS_DIR = import.meta.dir;
/** Waits between attempts to reopen a failed file log (disk full, directory gone): 1 s, 2 s, 5 s, … 30 s. */
const FILE_RETRY_MS = [1000, 2000, 5000, 10_000, 30_000] as const;

/** State shared by a root logger and all its children; every child reads the same thresholds. */
class Core {
  fileId: number;
  consoleId: number;
  minId = SILENT_ID;
  readonly hostname = osHostname();
  readonly fileSink: FileSink | null;
  readonly consoleSink: ConsoleSink;
  readonly redactor: Redactor;
  readonly now: () => Date;
  readonly stderr: Writable;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retries = 0;

  constructor(opts: LoggerOptions) {
    this.now = opts.now ?? (() => new Date());
    this.stderr = opts.stderr ?? process.stderr;
    this.fileId = levelThreshold(opts.fileLevel);
    this.consoleId = levelThreshold(opts.consoleLevel);
    this.redactor = createRedactor({ patterns: opts.redactPatterns, secrets: opts.secrets });
    this.consoleSink = new ConsoleSink({
      style: opts.consoleStyle,
      stdout: opts.stdout ?? process.stdout,
      stderr: this.stderr,
      color: opts.color,
    });
    const wantFile = opts.file !== null || opts.dated !== undefined;
    this.fileSink = wantFile
      ? new FileSink({
          path: opts.file ?? "",
          dated: opts.dated,
          maxBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
          maxFiles: opts.maxFiles ?? DEFAULT_MAX_FILES,
          now: this.now(),
          onError: (err, first) => this.fileFailed(err, first),
          onRecover: (ms) => this.fileRecovered(ms),
        })
      : null;
    this.refresh();
  }

  refresh(): void {
    const fileId = this.fileSink?.active ? this.fileId : SILENT_ID;
    this.minId = Math.min(fileId, this.consoleId);
  }

  /**
   * A failed file write never reaches the caller: one line on stderr per outage, lines dropped
   * (at no cost) until a timer lets the sink try again, with growing waits while it keeps failing.
   */
  private fileFailed(err: unknown, first: boolean): void {
    if (first) {
      this.retries = 0;
      const reason = err instanceof Error ? err.message : String(err);
      this.report(`file log disabled (${this.fileSink?.path}): ${reason}; retrying in the background, lines are dropped until it works again`);
    }
    this.refresh();
    const wait = FILE_RETRY_MS[Math.min(this.retries++, FILE_RETRY_MS.length - 1)]!;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.fileSink?.retry();
      this.refresh();
    }, wait);
    this.retryTimer.unref?.();
  }

  private fileRecovered(outageMs: number): void {
    this.report(`file log resumed (${this.fileSink?.path}); lines of the last ${Math.ceil(outageMs / 1000)} s were dropped`);
  }

  private report(text: string): void {
    try {
      this.stderr.write(`[logging] ${text}\n`);
    } catch {
      // Nowhere left to report to.
    }
  }

  stopRetrying(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  emit(log: LoggerImpl, levelId: number, msg: string, fields: Fields | undefined): void {
    const date = this.now();
    let raw: Fields | undefined;
    if (fields && typeof fields === "object") {
      for (const _ in fields) {
        raw = fields;
        break;
      }
    }
    const { message, fields: clean } = this.redactor.record(typeof msg === "string" ? msg : String(msg), raw);
    const sink = this.fileSink;
    if (sink && levelId >= this.fileId && sink.active) {
      const line = formatFileLine({
        levelId,
        bindings: log.bindings,
        message,
        fields: clean,
        date,
        hostname: this.hostname,
        path: levelId >= LEVEL_IDS.error ? callSite(THIS_DIR) : undefined,
      });
      sink.write(line, date);
    }
    if (levelId >= this.consoleId) {
      const entry: ConsoleEntry = {
        levelName: LEVEL_BY_ID[levelId] as ConsoleEntry["levelName"],
        levelId,
        subsystem: log.subsystem,
        display: log.display,
        message,
        fields: clean,
        date,
      };
      this.consoleSink.write(entry);
    }
  }
}

class LoggerImpl implements Logger {
  readonly bindings: string | undefined;
  readonly display: string | undefined;

  constructor(
    private readonly core: Core,
    readonly subsystem: string | undefined,
  ) {
    this.bindings = subsystem === undefined ? undefined : JSON.stringify({ subsystem });
    this.display = subsystem === undefined ? undefined : displaySubsystem(subsystem);
  }

  get file(): string | null {
    return this.core.fileSink?.path ?? null;
  }

  child(subsystem: string): Logger {
    const name = this.subsystem === undefined ? subsystem : `${this.subsystem}/${subsystem}`;
    return new LoggerImpl(this.core, name);
  }

  // Each method compares one number before doing anything else: disabled calls must stay ~free.
  trace(msg: string, fields?: Fields): void {
    if (this.core.minId <= 1) this.core.emit(this, 1, msg, fields);
  }
  debug(msg: string, fields?: Fields): void {
    if (this.core.minId <= 2) this.core.emit(this, 2, msg, fields);
  }
  info(msg: string, fields?: Fields): void {
    if (this.core.minId <= 3) this.core.emit(this, 3, msg, fields);
  }
  warn(msg: string, fields?: Fields): void {
    if (this.core.minId <= 4) this.core.emit(this, 4, msg, fields);
  }
  error(msg: string, fields?: Fields): void {
    if (this.core.minId <= 5) this.core.emit(this, 5, msg, fields);
  }
  fatal(msg: string, fields?: Fields): void {
    if (this.core.minId <= 6) this.core.emit(this, 6, msg, fields);
  }

  enabled(level: LogLevel): boolean {
    return level !== "silent" && LEVEL_IDS[level] >= this.core.minId;
  }

  setLevels(l: { fileLevel?: LogLevel; consoleLevel?: LogLevel }): void {
    if (l.fileLevel !== undefined) this.core.fileId = levelThreshold(l.fileLevel);
    if (l.consoleLevel !== undefined) this.core.consoleId = levelThreshold(l.consoleLevel);
    this.core.refresh();
  }

  flush(): void {
    this.core.fileSink?.flush();
  }

  /** Stops the file sink; console output keeps working so shutdown messages still show. */
  close(): void {
    this.core.fileSink?.close();
    this.core.stopRetrying();
    this.core.refresh();
  }
}

export function createLogger(opts: LoggerOptions): Logger {
  const core = new Core(opts);
  const root = new LoggerImpl(core, undefined);
  if (core.redactor.invalid.length > 0) {
    root.child("logging").warn("ignoring invalid redact patterns", { patterns: core.redactor.invalid });
  }
  return root;
}

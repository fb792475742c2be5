import { createConsola, type ConsolaInstance, type LogObject } from "consola/core";
import { fieldsTail, localIsoTime } from "./format.ts";

export type ConsoleStyle = "pretty" | "json" | "compact";
export interface Writable {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface ConsoleEntry {
  levelName: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  levelId: number;
  subsystem: string | undefined;
  display: string | undefined;
  message: string;
  fields: Record<string, unknown> | undefined;
  date: Date;
}

export interface ConsoleSinkOptions {
  style?: ConsoleStyle;
  stdout: Writable;
  stderr: Writable;
  /** Overrides TTY / NO_COLOR / FORCE_COLOR detection. */
  color?: boolean;
  env?: Record<string, string | undefined>;
}

const ANSI = {
  reset: "\x1b[0m",
  gray: "\x1b[90m",
  cyan: "\x1b[36m",
  yellow: "\x1b[33m",
  red: "\x1b[31m",
  boldRed: "\x1b[1;31m",
};

const LEVEL_COLOR: Record<ConsoleEntry["levelName"], string> = {
  trace: ANSI.gray,
  debug: ANSI.gray,
  info: "",
  warn: ANSI.yellow,
  error: ANSI.red,
  fatal: ANSI.boldRed,
};

export function wantsColor(stream: Writable, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  return stream.isTTY === true;
}

export function formatConsoleLine(e: ConsoleEntry, style: ConsoleStyle, color: boolean): string {
  const time = localIsoTime(e.date);
  if (style === "json") {
    return JSON.stringify({ time, level: e.levelName, subsystem: e.subsystem, message: e.message });
  }
  const tail = e.levelId >= 4 ? fieldsTail(e.fields) : "";
  if (!color || style === "compact") {
    return `${time}${e.display ? ` [${e.display}]` : ""} ${e.message}${tail}`;
  }
  const c = LEVEL_COLOR[e.levelName];
  const tag = e.display ? ` ${ANSI.cyan}[${e.display}]${ANSI.reset}` : "";
  const body = c ? `${c}${e.message}${tail}${ANSI.reset}` : `${e.message}${tail}`;
  return `${ANSI.gray}${time}${ANSI.reset}${tag} ${body}`;
}

/**
 * Console output goes through a private consola instance so the CLI's consola-based helpers share
 * the same streams; the logger has already filtered by level, so consola's own level, throttling
 * and formatting are switched off and a single reporter renders our format.
 */
export class ConsoleSink {
  readonly consola: ConsolaInstance;
  readonly style: ConsoleStyle;

  constructor(opts: ConsoleSinkOptions) {
    const env = opts.env ?? process.env;
    this.style = opts.style ?? (opts.stdout.isTTY ? "pretty" : "compact");
    const colorOut = opts.color ?? wantsColor(opts.stdout, env);
    const colorErr = opts.color ?? wantsColor(opts.stderr, env);
    const style = this.style;
    this.consola = createConsola({
      level: Number.POSITIVE_INFINITY,
      throttle: 0,
      throttleMin: Number.POSITIVE_INFINITY,
      stdout: opts.stdout as NodeJS.WriteStream,
      stderr: opts.stderr as NodeJS.WriteStream,
      reporters: [
        {
          log(obj: LogObject, ctx) {
            const entry = obj.entry as ConsoleEntry | undefined;
            if (!entry) return;
            const toErr = entry.levelId >= 4;
            const stream = (toErr ? ctx.options.stderr : ctx.options.stdout) as Writable | undefined;
            stream?.write(`${formatConsoleLine(entry, style, toErr ? colorErr : colorOut)}\n`);
          },
        },
      ],
    });
  }

  write(entry: ConsoleEntry): void {
    try {
      this.consola[entry.levelName]({ message: entry.message, tag: entry.display ?? "", date: entry.date, entry });
    } catch {
      // A broken terminal (EPIPE) must not turn logging into a crash.
    }
  }
}

/** Turns the gateway's tslog-style JSONL lines into `<time> <level> <subsystem> <message>`. */

export interface LogEntry {
  time: string;
  level: string;
  subsystem: string;
  message: string;
  raw: string;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `"0"` holds the logger bindings as a JSON string when the logger is a subsystem child. */
function bindingsOf(value: unknown): Obj | null {
  if (typeof value !== "string" || !value.startsWith("{")) return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return isObj(parsed) && (typeof parsed.subsystem === "string" || typeof parsed.module === "string") ? parsed : null;
  } catch {
    return null;
  }
}

function argText(v: unknown): string {
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function toUtc(time: string): string {
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? time : d.toISOString();
}

/**
 * Parses one file log line; null when it is not a log record (then it is shown raw).
 * Also accepts the console JSON style `{time, level, subsystem, message}`.
 */
export function parseLogLine(raw: string, opts: { utc?: boolean } = {}): LogEntry | null {
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObj(obj)) return null;
  const meta = isObj(obj._meta) ? obj._meta : undefined;
  if (!meta && typeof obj.level !== "string") return null;

  const localTime = typeof obj.time === "string" ? obj.time : undefined;
  const utcTime = typeof meta?.date === "string" ? meta.date : undefined;
  const time = opts.utc ? (utcTime ?? (localTime ? toUtc(localTime) : "")) : (localTime ?? utcTime ?? "");

  const levelName = typeof meta?.logLevelName === "string" ? meta.logLevelName : obj.level;
  const level = typeof levelName === "string" ? levelName.toLowerCase() : "info";

  const bindings = bindingsOf(obj["0"]);
  let subsystem = "";
  if (bindings) subsystem = String(bindings.subsystem ?? bindings.module);
  else if (typeof obj.subsystem === "string") subsystem = obj.subsystem;

  const args: string[] = [];
  for (let i = bindings ? 1 : 0; String(i) in obj; i++) args.push(argText(obj[String(i)]));
  const message = args.length > 0 ? args.join(" ") : typeof obj.message === "string" ? obj.message : "";
  return { time, level, subsystem, message, raw };
}

const LEVEL_COLORS: Record<string, number> = { trace: 90, debug: 90, info: 32, warn: 33, error: 31, fatal: 35 };

function paint(text: string, code: number | undefined, color: boolean): string {
  return color && code !== undefined ? `\x1b[${code}m${text}\x1b[39m` : text;
}

export function formatLogEntry(e: LogEntry, opts: { color?: boolean } = {}): string {
  const color = opts.color ?? false;
  const parts = [paint(e.time, 90, color), paint(e.level, LEVEL_COLORS[e.level], color)];
  if (e.subsystem) parts.push(paint(e.subsystem, 36, color));
  parts.push(e.message);
  return parts.filter((p) => p !== "").join(" ");
}

/** The `--json` record of one line: a log record, or the raw text when it does not parse. */
export function logJsonRecord(raw: string, opts: { utc?: boolean } = {}): Record<string, unknown> {
  const e = parseLogLine(raw, opts);
  if (!e) return { type: "raw", raw };
  return { type: "log", time: e.time, level: e.level, subsystem: e.subsystem, message: e.message, raw };
}

export const TRUNCATED_NOTICE = "Log tail truncated (increase --limit or --max-bytes).";

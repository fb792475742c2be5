export type LogLevel = "silent" | "fatal" | "error" | "warn" | "info" | "debug" | "trace";

/** tslog numbering, which the published CLI reads back from `_meta.logLevelId`. */
export const LEVEL_IDS: Record<Exclude<LogLevel, "silent">, number> = {
  trace: 1,
  debug: 2,
  info: 3,
  warn: 4,
  error: 5,
  fatal: 6,
};

/** Threshold above every real level, so "silent" disables a sink with the same numeric comparison. */
export const SILENT_ID = 7;

export const LEVEL_NAMES = ["", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] as const;

/** Minimum level id a sink accepts; `undefined` maps to the documented default. */
export function levelThreshold(level: LogLevel | undefined, fallback: LogLevel = "info"): number {
  const l = level ?? fallback;
  return l === "silent" ? SILENT_ID : LEVEL_IDS[l];
}

/** Config and env values are user input: case and whitespace are forgiven, anything else is rejected. */
export function parseLogLevel(v: string | undefined): LogLevel | undefined {
  if (typeof v !== "string") return undefined;
  const s = v.trim().toLowerCase();
  return s === "silent" || Object.hasOwn(LEVEL_IDS, s) ? (s as LogLevel) : undefined;
}

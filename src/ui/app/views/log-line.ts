/**
 * One line of the gateway's JSON-lines file log, read for display: the tslog-shaped record keeps
 * its arguments under "0", "1", … (a bindings JSON string first when the logger has a subsystem),
 * the level under _meta and a local ISO time. A line that is not such a record is shown as it is.
 * No DOM here: the logs view renders what this returns, tests read it directly.
 */
export const LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
export type Level = (typeof LEVELS)[number];

export interface LogLine {
  raw: string;
  /** "12:04:05.123", or "" when the line carries no time. */
  time: string;
  level: Level;
  subsystem: string;
  /** The subsystem as the console shows it: no "gateway/" (channels/, providers/) prefix, the last two parts. */
  tag: string;
  message: string;
  /** ` key=value …` of the record's fields, or "". */
  fields: string;
  /** What the text filter searches (lower case). */
  haystack: string;
}

const MAX_FIELDS = 600;

function levelOf(name: unknown): Level {
  const l = typeof name === "string" ? name.toLowerCase() : "";
  if (l === "fatal") return "error";
  return (LEVELS as readonly string[]).includes(l) ? (l as Level) : "info";
}

function subsystemOf(bindings: unknown): string {
  if (typeof bindings !== "string" || !bindings.startsWith("{")) return "";
  try {
    const parsed = JSON.parse(bindings) as { subsystem?: unknown };
    return typeof parsed.subsystem === "string" ? parsed.subsystem : "";
  } catch {
    return "";
  }
}

function fieldText(v: unknown): string {
  if (typeof v === "string") return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function fieldsOf(value: unknown): string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value === undefined ? "" : ` ${fieldText(value)}`;
  let out = "";
  for (const [k, v] of Object.entries(value)) {
    out += ` ${k}=${fieldText(v)}`;
    if (out.length > MAX_FIELDS) return `${out.slice(0, MAX_FIELDS)}…`;
  }
  return out;
}

/** "2026-11-21T12:04:05.123+01:00" → "12:04:05.123" (the gateway's local time, as its console shows it). */
function clock(time: unknown): string {
  if (typeof time !== "string") return "";
  const m = /T(\d\d:\d\d:\d\d(?:\.\d+)?)/.exec(time);
  return m ? m[1]! : time;
}

export function parseLogLine(raw: string): LogLine {
  let rec: Record<string, unknown> | undefined;
  if (raw.startsWith("{")) {
    try {
      const v = JSON.parse(raw);
      if (v && typeof v === "object" && !Array.isArray(v)) rec = v as Record<string, unknown>;
    } catch {
      rec = undefined;
    }
  }
  if (!rec) return finish({ raw, time: "", level: "info", subsystem: "", message: raw, fields: "" });
  const meta = (rec._meta && typeof rec._meta === "object" ? rec._meta : {}) as Record<string, unknown>;
  const subsystem = subsystemOf(meta.name) || subsystemOf(rec["0"]);
  // Arguments after the bindings (when there are any) and the message are the record's fields.
  const args: unknown[] = [];
  for (let i = 0; Object.hasOwn(rec, String(i)); i++) args.push(rec[String(i)]);
  const firstArg = subsystem && typeof args[0] === "string" && subsystemOf(args[0]) ? 1 : 0;
  const message = typeof rec.message === "string" ? rec.message : typeof args[firstArg] === "string" ? (args[firstArg] as string) : "";
  const rest = args.slice(firstArg + (args[firstArg] === message ? 1 : 0));
  return finish({
    raw,
    time: clock(rec.time ?? meta.date),
    level: levelOf(meta.logLevelName ?? rec.level),
    subsystem,
    message,
    fields: rest.map(fieldsOf).join(""),
  });
}

const AREA_PREFIXES = ["gateway/", "channels/", "providers/"];

function tagOf(subsystem: string): string {
  const area = AREA_PREFIXES.find((p) => subsystem.startsWith(p) && subsystem.length > p.length);
  const parts = (area ? subsystem.slice(area.length) : subsystem).split("/").filter(Boolean);
  return parts.slice(-2).join("/");
}

function finish(l: Omit<LogLine, "haystack" | "tag">): LogLine {
  return { ...l, tag: tagOf(l.subsystem), haystack: `${l.subsystem} ${l.message}${l.fields}`.toLowerCase() };
}

/** Whether a line passes the level checkboxes and the text filter (lower case, already trimmed). */
export function matches(line: LogLine, levels: ReadonlySet<Level>, text: string): boolean {
  return levels.has(line.level) && (text === "" || line.haystack.includes(text));
}

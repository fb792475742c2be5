import { relative } from "node:path";
import { LEVEL_NAMES } from "./levels.ts";

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** ISO-8601 in local time with a ±HH:MM offset, matching the observed `time` field and console prefix. */
export function localIsoTime(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? "+" : "-";
  const abs = Math.abs(off);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

const HIDDEN_PREFIXES = ["gateway/", "channels/", "providers/"];

/** Console tag: the area prefix is noise on a gateway console, and deep paths are cut to the last two parts. */
export function displaySubsystem(subsystem: string): string {
  let s = subsystem;
  for (const p of HIDDEN_PREFIXES) {
    if (s.startsWith(p) && s.length > p.length) {
      s = s.slice(p.length);
      break;
    }
  }
  const parts = s.split("/").filter(Boolean);
  return parts.length > 2 ? parts.slice(-2).join("/") : parts.join("/");
}

export const FIELDS_TAIL_MAX = 2048;

function tailValue(v: unknown): string {
  if (typeof v === "string") return v.length > 0 && !/[\s"=]/.test(v) ? v : JSON.stringify(v);
  if (v === undefined) return "undefined";
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** ` key=value …` for warn+ console lines; quoted only when a bare value would be ambiguous. */
export function fieldsTail(fields: Record<string, unknown> | undefined): string {
  if (!fields) return "";
  let out = "";
  for (const key in fields) {
    out += ` ${key}=${tailValue(fields[key])}`;
    if (out.length > FIELDS_TAIL_MAX) return `${out.slice(0, FIELDS_TAIL_MAX - 1)}…`;
  }
  return out;
}

export interface FileRecord {
  levelId: number;
  /** JSON string of the bindings, or undefined for the root logger (tslog then has no "0" bindings slot). */
  bindings: string | undefined;
  message: string;
  fields: Record<string, unknown> | undefined;
  date: Date;
  hostname: string;
  path?: CallSite;
}

/** One tslog-compatible JSONL line (without the newline). Key order matters only for human readers. */
export function formatFileLine(r: FileRecord): string {
  const args: unknown[] = r.bindings === undefined ? [r.message] : [r.bindings, r.message];
  if (r.fields) args.push(r.fields);
  const line: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) line[i] = args[i];
  const meta: Record<string, unknown> = {
    runtime: "bun",
    runtimeVersion: Bun.version,
    hostname: r.hostname,
    date: r.date.toISOString(),
    logLevelId: r.levelId,
    logLevelName: LEVEL_NAMES[r.levelId],
    name: r.bindings ?? "openclaw",
  };
  if (r.bindings !== undefined) meta.parentNames = ["openclaw"];
  if (r.path) meta.path = r.path;
  line._meta = meta;
  line.time = localIsoTime(r.date);
  line.hostname = r.hostname;
  line.message = r.message;
  return JSON.stringify(line);
}

export interface CallSite {
  fullFilePath: string;
  fileName: string;
  fileNameWithLine: string;
  fileColumn: string;
  fileLine: string;
  filePath: string;
  filePathWithLine: string;
  method?: string;
}

const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;

/** First stack frame outside this module; only computed for error/fatal, where tslog records it. */
export function callSite(skipDir: string): CallSite | undefined {
  const stack = new Error().stack?.split("\n") ?? [];
  for (const frame of stack.slice(1)) {
    const m = FRAME.exec(frame);
    if (!m) continue;
    const [, method, rawFile, line, col] = m;
    const file = rawFile!.replace(/^file:\/\//, "");
    if (file.startsWith(skipDir) || file.startsWith("node:") || file === "native") continue;
    const fileName = file.split("/").pop()!;
    const filePath = relative(process.cwd(), file);
    return {
      fullFilePath: `${file}:${line}:${col}`,
      fileName,
      fileNameWithLine: `${fileName}:${line}`,
      fileColumn: col!,
      fileLine: line!,
      filePath,
      filePathWithLine: `${filePath}:${line}`,
      ...(method ? { method } : {}),
    };
  }
  return undefined;
}

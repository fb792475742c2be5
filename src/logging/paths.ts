import { accessSync, chmodSync, constants, lstatSync, mkdirSync } from "node:fs";
import { tmpdir as osTmpdir } from "node:os";
import { join } from "node:path";

/** Shared by every profile on the host; only used when it is a private directory we own. */
export const PREFERRED_LOG_ROOT = "/tmp/openclaw";

export interface DefaultLogFileOptions {
  profile: string | null;
  now?: Date;
  /** Use this directory as-is (tests, `logging.file`-style overrides). */
  dir?: string;
  /** Base for the per-user fallback directory; defaults to os.tmpdir(). */
  tmpdir?: string;
  /** Expected owner of the log directory; defaults to the process uid. */
  uid?: number;
  /** Replaces /tmp/openclaw so tests never touch the real shared directory. */
  root?: string;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Local calendar day: operators look for "today's" file in their own timezone. */
export function localDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/*
 * Profile names become part of a file name, so anything outside [a-z0-9-] is escaped with a dash
 * code that can be decoded back unambiguously:
 *   "-" → "--"   "_" → "-0"   uppercase X → "-1x"   any other code point → "-2" + 6 hex digits
 * e.g. "Work_1" → "-1work-01". A name already made of [a-z0-9-] is kept verbatim unless it contains
 * "-" followed by "-", "0", "1" or "2" (that would decode differently), in which case it is escaped too
 * ("work-1" → "work--1").
 */
const ESCAPE_MARKER = /-[-012]/;

export function encodeProfileName(name: string): string {
  if (/^[a-z0-9-]+$/.test(name) && !ESCAPE_MARKER.test(name)) return name;
  let out = "";
  for (const ch of name) {
    if (/[a-z0-9]/.test(ch)) out += ch;
    else if (ch === "-") out += "--";
    else if (ch === "_") out += "-0";
    else if (/[A-Z]/.test(ch)) out += `-1${ch.toLowerCase()}`;
    else out += `-2${ch.codePointAt(0)!.toString(16).padStart(6, "0")}`;
  }
  return out;
}

export function decodeProfileName(encoded: string): string {
  return encoded.replace(/-(?:-|0|1([a-z])|2([0-9a-f]{6}))/g, (m, upper?: string, hex?: string) => {
    if (m === "--") return "-";
    if (m === "-0") return "_";
    if (upper) return upper.toUpperCase();
    return String.fromCodePoint(Number.parseInt(hex!, 16));
  });
}

function filePrefix(profile: string | null): string {
  return profile ? `openclaw-${encodeProfileName(profile)}-` : "openclaw-";
}

export function logFileName(profile: string | null, now: Date): string {
  return `${filePrefix(profile)}${localDay(now)}.log`;
}

/** Matches this profile's dated files and their rotation archives; group 1 is the day. */
export function datedFilePattern(profile: string | null): RegExp {
  return new RegExp(`^${filePrefix(profile)}(\\d{4}-\\d{2}-\\d{2})(?:\\.\\d+)?\\.log$`);
}

/** A world-shared temp path is only trusted if it is a real directory, ours, private and writable. */
function ensurePrivateDir(path: string, uid: number | undefined): boolean {
  try {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    const st = lstatSync(path);
    if (!st.isDirectory()) return false;
    if (uid !== undefined && st.uid !== uid) return false;
    if ((st.mode & 0o077) !== 0) chmodSync(path, 0o700);
    accessSync(path, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function resolveLogDir(opts: Omit<DefaultLogFileOptions, "profile" | "now" | "dir"> = {}): string {
  const uid = opts.uid ?? process.getuid?.();
  const root = opts.root ?? PREFERRED_LOG_ROOT;
  if (ensurePrivateDir(root, uid)) return root;
  const fallback = join(opts.tmpdir ?? osTmpdir(), `openclaw-${uid ?? "user"}`);
  // Even if this fails the path is still returned: the file sink reports the error when it opens.
  ensurePrivateDir(fallback, uid);
  return fallback;
}

export function defaultLogFile(opts: DefaultLogFileOptions): string {
  const dir = opts.dir ?? resolveLogDir(opts);
  return join(dir, logFileName(opts.profile, opts.now ?? new Date()));
}

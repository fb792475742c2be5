/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week) and their next fire
 * time, in an IANA time zone or the process's local one.
 *
 * Syntax: `*`, lists `a,b`, ranges `a-b`, steps `*∕n`, `a-b/n`, `a/n` (a to the field's end),
 * month names jan…dec, day names sun…sat (0 and 7 are Sunday), and the @yearly, @monthly,
 * @weekly, @daily, @midnight and @hourly shorthands. As in classic cron, when both day fields are
 * restricted a day matches if either does; when one of them starts with `*` only the other counts.
 *
 * Time zones: matching happens on wall-clock time. A wall time skipped by a DST jump fires at the
 * first instant after the jump; a wall time that occurs twice fires on its first occurrence only.
 */

export class CronParseError extends Error {}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { name: "day-of-week", min: 0, max: 7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const MINUTE = 60_000;
/** Far enough for Feb 29 on a given weekday (and past a century's skipped leap year). */
const SEARCH_YEARS = 12;

function value(token: string, f: FieldSpec, source: string): number {
  const lower = token.toLowerCase();
  const named = f.names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + (f.name === "month" ? 1 : 0);
  if (!/^\d+$/.test(token)) throw new CronParseError(`invalid ${f.name} field "${source}": "${token}" is not a number${f.names ? " or name" : ""}`);
  const n = Number(token);
  if (n < f.min || n > f.max) throw new CronParseError(`invalid ${f.name} field "${source}": ${n} is outside ${f.min}-${f.max}`);
  return n;
}

function parseField(source: string, f: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const part of source.split(",")) {
    if (part === "") throw new CronParseError(`invalid ${f.name} field "${source}": empty list item`);
    const [range, stepText, extra] = part.split("/");
    if (extra !== undefined) throw new CronParseError(`invalid ${f.name} field "${source}": more than one "/"`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new CronParseError(`invalid ${f.name} field "${source}": step must be a positive number`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === "*") [lo, hi] = [f.min, f.max];
    else if (range!.includes("-")) {
      const [a, b, more] = range!.split("-");
      if (more !== undefined || !a || !b) throw new CronParseError(`invalid ${f.name} field "${source}": bad range "${range}"`);
      [lo, hi] = [value(a, f, source), value(b, f, source)];
      if (lo > hi) throw new CronParseError(`invalid ${f.name} field "${source}": range ${a}-${b} runs backwards`);
    } else {
      lo = value(range!, f, source);
      hi = stepText === undefined ? lo : f.max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  if (f.name === "day-of-week" && out.delete(7)) out.add(0);
  return out;
}

/** Wall-clock reading of an instant, as milliseconds of a UTC date with the same fields. */
type WallClock = (instant: number) => number;

function zoneClock(tz: string | undefined): WallClock {
  if (!tz) {
    return (t) => {
      const d = new Date(t);
      return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds());
    };
  }
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
    });
  } catch {
    throw new CronParseError(`unknown time zone "${tz}"`);
  }
  return (t) => {
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(t)) if (part.type !== "literal") p[part.type] = Number(part.value);
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  };
}

export interface CronExpression {
  readonly expr: string;
  readonly tz?: string;
  /** The first fire time strictly after `afterMs`, or null when the expression never fires. */
  next(afterMs: number): number | null;
}

export function parseCron(expr: string, tz?: string): CronExpression {
  const trimmed = expr.trim();
  const expanded = MACROS[trimmed.toLowerCase()] ?? trimmed;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5 || parts[0] === "") {
    throw new CronParseError(`cron expression "${expr}" must have 5 fields (minute hour day-of-month month day-of-week), got ${parts[0] === "" ? 0 : parts.length}`);
  }
  const [minutes, hours, doms, months, dows] = parts.map((p, i) => parseField(p, FIELDS[i]!));
  // Classic cron: a day field written with a leading * does not restrict (so "*/2" in one
  // field ANDs with the other, while two explicit lists OR).
  const domStar = parts[2]!.startsWith("*");
  const dowStar = parts[4]!.startsWith("*");
  const wall = zoneClock(tz);

  const dayMatches = (d: Date) => {
    const dom = doms!.has(d.getUTCDate());
    const dow = dows!.has(d.getUTCDay());
    return domStar || dowStar ? dom && dow : dom || dow;
  };

  /** Instants showing wall time `w`: none in a DST gap, two in an overlap. */
  const instantsOf = (w: number): number[] => {
    const offsets = new Set([wall(w - 26 * 3_600_000) - (w - 26 * 3_600_000), wall(w + 26 * 3_600_000) - (w + 26 * 3_600_000)]);
    const found = [...offsets].map((o) => w - o).filter((t) => wall(t) === w).sort((a, b) => a - b);
    // In a gap, the offset from before the jump lands just after it.
    return found.length > 0 ? found : [w - [...offsets][0]!];
  };

  return {
    expr: trimmed,
    ...(tz ? { tz } : {}),
    next(afterMs: number): number | null {
      const startWall = Math.floor(wall(afterMs) / MINUTE) * MINUTE + MINUTE;
      const limit = startWall + SEARCH_YEARS * 366 * 24 * 60 * MINUTE;
      let t = startWall;
      while (t <= limit) {
        const d = new Date(t);
        const [y, mo, day, h] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()];
        if (!months!.has(mo + 1)) {
          t = Date.UTC(y, mo + 1, 1);
          continue;
        }
        if (!dayMatches(d)) {
          t = Date.UTC(y, mo, day + 1);
          continue;
        }
        if (!hours!.has(h)) {
          t = Date.UTC(y, mo, day, h + 1);
          continue;
        }
        if (minutes!.has(d.getUTCMinutes())) {
          const hit = instantsOf(t).find((i) => i > afterMs);
          if (hit !== undefined) return hit;
        }
        t += MINUTE;
      }
      return null;
    },
  };
}

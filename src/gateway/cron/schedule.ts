/** When a job fires next. Parsed cron expressions are kept per scheduler (a time zone formatter is not free). */
import { parseCron, type CronExpression } from "./cron-expr.ts";
import type { CronSchedule } from "./types.ts";

export class ScheduleClock {
  private readonly parsed = new Map<string, CronExpression>();

  cron(expr: string, tz?: string): CronExpression {
    const key = `${tz ?? ""}\n${expr}`;
    let c = this.parsed.get(key);
    if (!c) {
      c = parseCron(expr, tz);
      if (this.parsed.size > 500) this.parsed.clear();
      this.parsed.set(key, c);
    }
    return c;
  }

  /**
   * The first slot strictly after `afterMs` (an `at` job's one slot whatever `afterMs` is: a
   * missed one still runs once). null: never again.
   */
  next(schedule: CronSchedule, afterMs: number, createdAtMs: number): number | null {
    switch (schedule.kind) {
      case "at":
        return Date.parse(schedule.at);
      case "every": {
        const anchor = schedule.anchorMs ?? createdAtMs;
        if (afterMs < anchor) return anchor;
        return anchor + (Math.floor((afterMs - anchor) / schedule.everyMs) + 1) * schedule.everyMs;
      }
      case "cron":
        return this.cron(schedule.expr, schedule.tz).next(afterMs);
    }
  }
}

/** ISO 8601 text or epoch milliseconds (number or digits) → epoch ms; NaN when neither. */
export function parseAt(at: string | number): number {
  if (typeof at === "number") return Number.isFinite(at) ? at : NaN;
  const s = at.trim();
  if (/^\d{10,}$/.test(s)) return Number(s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return NaN;
  return Date.parse(s);
}

import { describe, expect, test } from "bun:test";
import { CronParseError, parseCron } from "../../../src/gateway/cron/cron-expr.ts";

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString().replace(":00.000Z", "Z"));

/** The first `n` fire times after `from`, in UTC. */
function fires(expr: string, from: string, n = 3, tz = "UTC"): Array<string | null> {
  const c = parseCron(expr, tz);
  const out: Array<string | null> = [];
  let t: number | null = Date.parse(from);
  for (let i = 0; i < n && t !== null; i++) {
    t = c.next(t);
    out.push(iso(t));
  }
  return out;
}

// 2026-03-07 is a Saturday.
const FROM = "2026-03-07T10:17:30Z";

describe("next fire times (UTC)", () => {
  const table: Array<[string, string[]]> = [
    ["* * * * *", ["2026-03-07T10:18Z", "2026-03-07T10:19Z", "2026-03-07T10:20Z"]],
    ["*/15 * * * *", ["2026-03-07T10:30Z", "2026-03-07T10:45Z", "2026-03-07T11:00Z"]],
    ["5,35 */6 * * *", ["2026-03-07T12:05Z", "2026-03-07T12:35Z", "2026-03-07T18:05Z"]],
    ["10-20/5 10 * * *", ["2026-03-07T10:20Z", "2026-03-08T10:10Z", "2026-03-08T10:15Z"]],
    ["0 9 * * mon-fri", ["2026-03-09T09:00Z", "2026-03-10T09:00Z", "2026-03-11T09:00Z"]],
    ["0 9 * * MON,wed,5", ["2026-03-09T09:00Z", "2026-03-11T09:00Z", "2026-03-13T09:00Z"]],
    ["0 0 * * 7", ["2026-03-08T00:00Z", "2026-03-15T00:00Z", "2026-03-22T00:00Z"]],
    ["0 0 1 jan,jul *", ["2026-07-01T00:00Z", "2027-01-01T00:00Z", "2027-07-01T00:00Z"]],
    ["0 0 1 */4 *", ["2026-05-01T00:00Z", "2026-09-01T00:00Z", "2027-01-01T00:00Z"]],
    ["30 8 15 mar-may *", ["2026-03-15T08:30Z", "2026-04-15T08:30Z", "2026-05-15T08:30Z"]],
    ["0 0 29 feb *", ["2028-02-29T00:00Z", "2032-02-29T00:00Z", "2036-02-29T00:00Z"]],
    ["0 0 31 * *", ["2026-03-31T00:00Z", "2026-05-31T00:00Z", "2026-07-31T00:00Z"]],
    // Both day fields restricted: either matches (the 13th, or any Friday).
    ["0 0 13 * fri", ["2026-03-13T00:00Z", "2026-03-20T00:00Z", "2026-03-27T00:00Z"]],
    ["0 0 1,15 * 5", ["2026-03-13T00:00Z", "2026-03-15T00:00Z", "2026-03-20T00:00Z"]],
    // A day field starting with * does not restrict: the other one ANDs (odd days that are Mondays).
    ["0 0 */2 * mon", ["2026-03-09T00:00Z", "2026-03-23T00:00Z", "2026-04-13T00:00Z"]],
    ["0 12 * jan,jul sun", ["2026-07-05T12:00Z", "2026-07-12T12:00Z", "2026-07-19T12:00Z"]],
    ["@hourly", ["2026-03-07T11:00Z", "2026-03-07T12:00Z", "2026-03-07T13:00Z"]],
    ["@daily", ["2026-03-08T00:00Z", "2026-03-09T00:00Z", "2026-03-10T00:00Z"]],
    ["@weekly", ["2026-03-08T00:00Z", "2026-03-15T00:00Z", "2026-03-22T00:00Z"]],
    ["@monthly", ["2026-04-01T00:00Z", "2026-05-01T00:00Z", "2026-06-01T00:00Z"]],
    ["@yearly", ["2027-01-01T00:00Z", "2028-01-01T00:00Z", "2029-01-01T00:00Z"]],
    ["0 5/8 * * *", ["2026-03-07T13:00Z", "2026-03-07T21:00Z", "2026-03-08T05:00Z"]],
  ];
  for (const [expr, want] of table) test(expr, () => expect(fires(expr, FROM)).toEqual(want));

  test("a time exactly on a slot moves to the next one", () => {
    expect(fires("0 * * * *", "2026-03-07T10:00:00Z", 1)).toEqual(["2026-03-07T11:00Z"]);
  });

  test("an expression that never fires answers null", () => {
    expect(parseCron("0 0 30 feb *", "UTC").next(Date.parse(FROM))).toBeNull();
    expect(parseCron("0 0 31 apr,jun,sep,nov *", "UTC").next(Date.parse(FROM))).toBeNull();
  });
});

describe("time zones", () => {
  test("wall-clock times in the zone", () => {
    expect(fires("0 9 * * *", FROM, 2, "Europe/Berlin")).toEqual(["2026-03-08T08:00Z", "2026-03-09T08:00Z"]);
    expect(fires("0 9 * * *", "2026-07-01T00:00:00Z", 1, "Asia/Kolkata")).toEqual(["2026-07-01T03:30Z"]);
  });

  test("a time skipped by the spring jump fires right after it", () => {
    // US DST starts 2026-03-08 at 02:00 EST -> 03:00 EDT.
    expect(fires("30 2 * * *", FROM, 3, "America/New_York")).toEqual(["2026-03-08T07:30Z", "2026-03-09T06:30Z", "2026-03-10T06:30Z"]);
  });

  test("a time that occurs twice in the autumn fires once", () => {
    // US DST ends 2026-11-01 at 02:00 EDT -> 01:00 EST; 01:30 happens at 05:30Z and 06:30Z.
    expect(fires("30 1 * * *", "2026-10-31T12:00:00Z", 3, "America/New_York")).toEqual(["2026-11-01T05:30Z", "2026-11-02T06:30Z", "2026-11-03T06:30Z"]);
  });
});

describe("errors", () => {
  const bad: Array<[string, string]> = [
    ["* * * *", 'cron expression "* * * *" must have 5 fields (minute hour day-of-month month day-of-week), got 4'],
    ["", "must have 5 fields"],
    ["60 * * * *", 'invalid minute field "60": 60 is outside 0-59'],
    ["* 24 * * *", 'invalid hour field "24": 24 is outside 0-23'],
    ["* * 0 * *", 'invalid day-of-month field "0": 0 is outside 1-31'],
    ["* * * 13 *", 'invalid month field "13": 13 is outside 1-12'],
    ["* * * * 8", 'invalid day-of-week field "8": 8 is outside 0-7'],
    ["*/0 * * * *", 'invalid minute field "*/0": step must be a positive number'],
    ["5-1 * * * *", 'invalid minute field "5-1": range 5-1 runs backwards'],
    ["* * * foo *", 'invalid month field "foo": "foo" is not a number or name'],
    ["1,,2 * * * *", 'invalid minute field "1,,2": empty list item'],
    ["1/2/3 * * * *", 'invalid minute field "1/2/3": more than one "/"'],
  ];
  for (const [expr, message] of bad) {
    test(JSON.stringify(expr), () => {
      expect(() => parseCron(expr)).toThrow(CronParseError);
      expect(() => parseCron(expr)).toThrow(message);
    });
  }
  test("an unknown time zone", () => {
    expect(() => parseCron("* * * * *", "Mars/Olympus")).toThrow('unknown time zone "Mars/Olympus"');
  });
});

// How the Logs view reads the gateway's file log: lines written by the real formatter, with and
// without a subsystem and fields, and lines that are not JSON at all.
import { describe, expect, test } from "bun:test";
import { formatFileLine } from "../../src/logging/format.ts";
import { LEVELS, matches, parseLogLine } from "../../src/ui/app/views/log-line.ts";

const date = new Date(2026, 10, 21, 12, 4, 5, 123);
const line = (levelId: number, message: string, opts: { subsystem?: string; fields?: Record<string, unknown> } = {}) =>
  formatFileLine({
    levelId, message, date, hostname: "box",
    bindings: opts.subsystem === undefined ? undefined : JSON.stringify({ subsystem: opts.subsystem }),
    fields: opts.fields,
  });

describe("parseLogLine", () => {
  test("a subsystem's line with fields: time, level, console tag, message and key=value fields", () => {
    const l = parseLogLine(line(4, "slow consumer dropped", { subsystem: "gateway/ws", fields: { connId: "c1", bytes: 1024, note: "two words" } }));
    expect(l).toMatchObject({ time: "12:04:05.123", level: "warn", subsystem: "gateway/ws", tag: "ws", message: "slow consumer dropped" });
    expect(l.fields).toBe(' connId=c1 bytes=1024 note="two words"');
  });

  test("the root logger's line (no bindings slot) and every level; fatal counts as error", () => {
    expect(parseLogLine(line(3, "listening"))).toMatchObject({ level: "info", subsystem: "", tag: "", message: "listening", fields: "" });
    const names = [1, 2, 3, 4, 5, 6].map((id) => parseLogLine(line(id, "x")).level);
    expect(names).toEqual(["trace", "debug", "info", "warn", "error", "error"]);
  });

  test("deep subsystems keep their last two parts for the tag", () => {
    expect(parseLogLine(line(3, "m", { subsystem: "channels/telegram/bot/poll" })).tag).toBe("bot/poll");
  });

  test("a line that is not a JSON record is shown as it is, at info", () => {
    expect(parseLogLine("plain text line")).toMatchObject({ level: "info", message: "plain text line", time: "" });
    expect(parseLogLine("{not json")).toMatchObject({ message: "{not json" });
    expect(parseLogLine("[1,2]")).toMatchObject({ message: "[1,2]" });
  });

  test("matches: the level set and a lower-case text over subsystem, message and fields", () => {
    const l = parseLogLine(line(5, "Upstream Failed", { subsystem: "providers/openai", fields: { status: 502 } }));
    const all = new Set(LEVELS);
    expect(matches(l, all, "")).toBe(true);
    expect(matches(l, all, "upstream")).toBe(true);
    expect(matches(l, all, "openai")).toBe(true);
    expect(matches(l, all, "status=502")).toBe(true);
    expect(matches(l, all, "nothing")).toBe(false);
    expect(matches(l, new Set(["info", "warn"] as const), "")).toBe(false);
  });
});

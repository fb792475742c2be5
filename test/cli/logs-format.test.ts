import { describe, expect, test } from "bun:test";
import { createLogPrinter } from "../../src/cli/logs/index.ts";
import { formatLogEntry, logJsonRecord, parseLogLine, TRUNCATED_NOTICE } from "../../src/cli/logs/format.ts";
import { captureIO, testContext } from "./helpers.ts";

// The line format captured from the published gateway (ops.md §4.1).
const TSLOG =
  '{"0":"{\\"subsystem\\":\\"gateway\\"}","1":"http server listening (…)","_meta":{"runtime":"node","runtimeVersion":"26.10.0","hostname":"vm","date":"2026-11-21T13:01:09.473Z","logLevelId":3,"logLevelName":"INFO","name":"{\\"subsystem\\":\\"gateway\\"}","parentNames":["openclaw"]},"time":"2026-11-21T14:01:09.473+01:00","hostname":"vm","message":"http server listening (…)"}';

describe("parseLogLine", () => {
  test("a tslog line gives time, level, subsystem and message", () => {
    expect(parseLogLine(TSLOG)).toEqual({
      time: "2026-11-21T14:01:09.473+01:00",
      level: "info",
      subsystem: "gateway",
      message: "http server listening (…)",
      raw: TSLOG,
    });
  });

  test("--utc uses the UTC date", () => {
    expect(parseLogLine(TSLOG, { utc: true })?.time).toBe("2026-11-21T13:01:09.473Z");
    const noMeta = JSON.stringify({ level: "warn", time: "2026-11-21T14:00:00.000+01:00", message: "m" });
    expect(parseLogLine(noMeta, { utc: true })?.time).toBe("2026-11-21T13:00:00.000Z");
  });

  test("structured fields and module bindings are kept", () => {
    const line = JSON.stringify({
      0: JSON.stringify({ module: "cron" }), 1: "tick failed", 2: { conn: "abc" },
      _meta: { date: "2026-01-01T00:00:00.000Z", logLevelName: "ERROR" }, time: "2026-01-01T00:00:00.000+00:00",
    });
    expect(parseLogLine(line)).toMatchObject({ subsystem: "cron", level: "error", message: 'tick failed {"conn":"abc"}' });
  });

  test("the root logger has no bindings slot", () => {
    const line = JSON.stringify({ 0: "plain root message", _meta: { logLevelName: "DEBUG", date: "2026-01-01T00:00:00.000Z" } });
    expect(parseLogLine(line)).toMatchObject({ subsystem: "", level: "debug", message: "plain root message", time: "2026-01-01T00:00:00.000Z" });
  });

  test("the console JSON style is understood too", () => {
    const line = '{"time":"2026-11-21T13:12:49.303+00:00","level":"info","subsystem":"gateway","message":"loading configuration…"}';
    expect(parseLogLine(line)).toMatchObject({ level: "info", subsystem: "gateway", message: "loading configuration…" });
  });

  test("anything else is not a log record", () => {
    expect(parseLogLine("not json")).toBeNull();
    expect(parseLogLine("[1,2]")).toBeNull();
    expect(parseLogLine('{"hello":"world"}')).toBeNull();
  });
});

describe("output", () => {
  test("plain line format", () => {
    expect(formatLogEntry(parseLogLine(TSLOG)!)).toBe("2026-11-21T14:01:09.473+01:00 info gateway http server listening (…)");
  });

  test("colour only when asked", () => {
    expect(formatLogEntry(parseLogLine(TSLOG)!, { color: true })).toContain("\x1b[32minfo\x1b[39m");
  });

  test("json records", () => {
    expect(logJsonRecord(TSLOG)).toEqual({
      type: "log", time: "2026-11-21T14:01:09.473+01:00", level: "info", subsystem: "gateway", message: "http server listening (…)", raw: TSLOG,
    });
    expect(logJsonRecord("garbage")).toEqual({ type: "raw", raw: "garbage" });
  });

  const page = { file: "/tmp/openclaw/openclaw-2026-11-21.log", cursor: 10, size: 10, lines: [TSLOG, "garbage"], truncated: true };

  test("plain printer: header, lines (raw when unparseable), truncation notice last", () => {
    const cap = captureIO(testContext());
    const printer = createLogPrinter(cap.io, { json: false, utc: false, color: false });
    printer.page(page);
    printer.page({ ...page, lines: [], truncated: false });
    expect(cap.stdout.join("")).toBe(
      [`Log file: ${page.file}`, "2026-11-21T14:01:09.473+01:00 info gateway http server listening (…)", "garbage", TRUNCATED_NOTICE, ""].join("\n"),
    );
  });

  test("json printer: meta first, one compact record per line", () => {
    const cap = captureIO(testContext());
    const printer = createLogPrinter(cap.io, { json: true, utc: false, color: false });
    printer.page(page);
    printer.notice("[logs] gateway reconnected");
    const lines = cap.stdout.join("").trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ type: "meta", file: page.file, sourceKind: "file", cursor: 10, size: 10 });
    expect(lines[1].type).toBe("log");
    expect(lines[2]).toEqual({ type: "raw", raw: "garbage" });
    expect(lines[3]).toEqual({ type: "notice", message: TRUNCATED_NOTICE });
    expect(lines[4]).toEqual({ type: "notice", message: "[logs] gateway reconnected" });
    expect(cap.stderr).toEqual([]);
  });
});

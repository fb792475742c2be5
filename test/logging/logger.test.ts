import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { localIsoTime } from "../../src/logging/format.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { capture, FIXED, setup, tempDir } from "./helpers.ts";

const savedTZ = process.env.TZ;
afterEach(() => {
  if (savedTZ === undefined) delete process.env.TZ;
  else process.env.TZ = savedTZ;
});

describe("file line format", () => {
  test("tslog-style record with bindings, message and fields", () => {
    const { log, fileLines } = setup();
    log.child("gateway").info("http server listening", { port: 18789 });
    const [rec] = fileLines();
    expect(Object.keys(rec!)).toEqual(["0", "1", "2", "_meta", "time", "hostname", "message"]);
    expect(rec!["0"]).toBe('{"subsystem":"gateway"}');
    expect(JSON.parse(rec!["0"])).toEqual({ subsystem: "gateway" });
    expect(rec!["1"]).toBe("http server listening");
    expect(rec!["2"]).toEqual({ port: 18789 });
    expect(rec!.message).toBe("http server listening");
    expect(rec!._meta).toMatchObject({
      runtime: "bun",
      runtimeVersion: Bun.version,
      date: "2026-11-21T13:01:09.473Z",
      logLevelId: 3,
      logLevelName: "INFO",
      name: '{"subsystem":"gateway"}',
      parentNames: ["openclaw"],
    });
    expect(rec!._meta.hostname).toBe(rec!.hostname);
    expect(rec!._meta.path).toBeUndefined();
    expect(rec!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/);
    expect(new Date(rec!.time).getTime()).toBe(FIXED.getTime());
  });

  test("omits \"2\" without fields and nests child subsystems", () => {
    const { log, fileLines } = setup();
    log.child("gateway").child("ws").info("hello");
    log.child("gateway").info("empty", {});
    const [a, b] = fileLines();
    expect(a!["0"]).toBe('{"subsystem":"gateway/ws"}');
    expect("2" in a!).toBe(false);
    expect("2" in b!).toBe(false);
  });

  test("level names and ids, with a call site for error and fatal", () => {
    const { log, fileLines } = setup({ fileLevel: "trace" });
    const g = log.child("gateway");
    g.trace("t");
    g.debug("d");
    g.info("i");
    g.warn("w");
    g.error("e");
    g.fatal("f");
    const recs = fileLines();
    expect(recs.map((r) => [r._meta.logLevelId, r._meta.logLevelName])).toEqual([
      [1, "TRACE"],
      [2, "DEBUG"],
      [3, "INFO"],
      [4, "WARN"],
      [5, "ERROR"],
      [6, "FATAL"],
    ]);
    expect(recs[3]!._meta.path).toBeUndefined();
    expect(recs[4]!._meta.path.fileName).toBe("logger.test.ts");
    expect(recs[5]!._meta.path.fileNameWithLine).toMatch(/^logger\.test\.ts:\d+$/);
  });

  test("time carries the local offset", () => {
    process.env.TZ = "Asia/Kolkata";
    expect(localIsoTime(FIXED)).toBe("2026-11-21T18:31:09.473+05:30");
    process.env.TZ = "America/Los_Angeles";
    expect(localIsoTime(FIXED)).toBe("2026-11-21T05:01:09.473-08:00");
    process.env.TZ = "UTC";
    expect(localIsoTime(FIXED)).toBe("2026-11-21T13:01:09.473+00:00");
  });

  test("errors and odd values in fields serialise safely", () => {
    const { log, fileLines } = setup();
    const cyc: Record<string, unknown> = { a: 1 };
    cyc.self = cyc;
    log.child("x").info("odd", { err: new Error("boom"), big: 10n, cyc, when: FIXED, nothing: undefined });
    const f = fileLines()[0]!["2"];
    expect(f.err.message).toBe("boom");
    expect(f.big).toBe("10");
    expect(f.cyc).toEqual({ a: 1, self: "[Circular]" });
    expect(f.when).toBe(FIXED.toISOString());
  });
});

describe("levels", () => {
  test("file and console thresholds are independent", () => {
    const { log, fileLines, stdout, stderr } = setup({ fileLevel: "debug", consoleLevel: "warn" });
    const g = log.child("gateway");
    g.trace("t");
    g.debug("d");
    g.info("i");
    g.warn("w");
    expect(fileLines().map((r) => r.message)).toEqual(["d", "i", "w"]);
    expect(stdout.lines()).toEqual([]);
    expect(stderr.lines()).toHaveLength(1);
  });

  test("enabled() reflects the most verbose sink and setLevels applies live", () => {
    const { log, fileLines, stdout } = setup({ fileLevel: "info", consoleLevel: "silent" });
    const g = log.child("gateway");
    expect(g.enabled("debug")).toBe(false);
    expect(g.enabled("info")).toBe(true);
    expect(g.enabled("silent")).toBe(false);
    g.debug("hidden");
    log.setLevels({ consoleLevel: "debug" });
    expect(g.enabled("debug")).toBe(true);
    g.debug("shown");
    log.setLevels({ fileLevel: "silent", consoleLevel: "silent" });
    expect(g.enabled("fatal")).toBe(false);
    g.fatal("nowhere");
    expect(fileLines()).toEqual([]);
    expect(stdout.lines()).toHaveLength(1);
    expect(stdout.lines()[0]).toContain("shown");
  });

  test("disabled calls do no work (no clock, no redaction)", () => {
    let clock = 0;
    let secrets = 0;
    const log = createLogger({
      file: null,
      consoleLevel: "info",
      stdout: capture(),
      stderr: capture(),
      now: () => (clock++, FIXED),
      secrets: () => (secrets++, ["s3cr3t-value"]),
    });
    const g = log.child("gateway/ws");
    // No work is shown by the counters, not by a stopwatch (speed belongs in `bun run bench`).
    for (let i = 0; i < 1_000_000; i++) g.debug("frame", { i });
    expect(clock).toBe(0);
    expect(secrets).toBe(0);
  });
});

describe("redaction wiring", () => {
  test("secrets() is consulted once per emitted call, not per string", () => {
    let calls = 0;
    const { log } = setup({ secrets: () => (calls++, ["abcdefghijklmnop"]) });
    log.child("x").info("m", { a: "1", b: "2", c: { d: "3" } });
    expect(calls).toBe(1);
  });

  test("invalid redact patterns are reported once at creation", () => {
    const { stderr, log } = setup({ redactPatterns: ["(broken"] });
    expect(stderr.lines()).toHaveLength(1);
    expect(stderr.lines()[0]).toContain("[logging] ignoring invalid redact patterns");
    log.info("fine");
  });
});

describe("write failures", () => {
  test("an unopenable file never throws, reports once, and console keeps working", async () => {
    const dir = tempDir();
    const blocker = join(dir, "blocker");
    await Bun.write(blocker, "file, not a directory");
    const stdout = capture();
    const stderr = capture();
    const log = createLogger({ file: join(blocker, "x.log"), stdout, stderr, now: () => FIXED });
    const g = log.child("gateway");
    expect(() => {
      g.info("one");
      g.info("two");
      g.error("three");
    }).not.toThrow();
    const reports = stderr.lines().filter((l) => l.startsWith("[logging]"));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain("file log disabled");
    expect(stdout.lines()).toHaveLength(2);
    expect(log.enabled("info")).toBe(true);
  });

  test("a file sink that fails alone stops costing work", async () => {
    const dir = tempDir();
    await Bun.write(join(dir, "blocker"), "x");
    const log = createLogger({
      file: join(dir, "blocker", "x.log"),
      fileLevel: "debug",
      consoleLevel: "silent",
      stdout: capture(),
      stderr: capture(),
    });
    expect(log.enabled("debug")).toBe(true);
    log.info("fails");
    expect(log.enabled("debug")).toBe(false);
  });

  test("close() stops the file sink without throwing on later calls", () => {
    const { log, fileLines } = setup();
    log.info("before");
    log.close();
    expect(() => log.info("after")).not.toThrow();
    expect(fileLines().map((r) => r.message)).toEqual(["before"]);
  });
});

import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { displaySubsystem, localIsoTime } from "../../src/logging/format.ts";
import { createLogger, type LoggerOptions } from "../../src/logging/logger.ts";
import { capture, tempDir } from "./helpers.ts";

const FIXED = new Date("2026-11-21T13:01:09.473Z");

function setup(extra: Partial<LoggerOptions> = {}) {
  const dir = tempDir();
  const file = join(dir, "test.log");
  const stdout = capture();
  const stderr = capture();
  const log = createLogger({ file, stdout, stderr, now: () => FIXED, ...extra });
  // The sink opens lazily, so "no file yet" just means "nothing logged".
  const fileLines = () =>
    (existsSync(file) ? readFileSync(file, "utf8") : "")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>);
  return { dir, file, stdout, stderr, log, fileLines };
}

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
    const start = performance.now();
    for (let i = 0; i < 1_000_000; i++) g.debug("frame", { i });
    const elapsed = performance.now() - start;
    expect(clock).toBe(0);
    expect(secrets).toBe(0);
    expect(elapsed).toBeLessThan(500);
  });
});

describe("console", () => {
  test("info/debug go to stdout, warn and above to stderr", () => {
    const { log, stdout, stderr } = setup({ consoleLevel: "trace" });
    const g = log.child("gateway");
    g.trace("t");
    g.debug("d");
    g.info("i");
    g.warn("w");
    g.error("e");
    g.fatal("f");
    expect(stdout.lines().map((l) => l.split(" ").pop())).toEqual(["t", "d", "i"]);
    expect(stderr.lines().map((l) => l.split(" ").pop())).toEqual(["w", "e", "f"]);
  });

  test("compact line: local time, [subsystem], message; fields only on warn+", () => {
    process.env.TZ = "UTC";
    const { log, stdout, stderr } = setup();
    const ws = log.child("gateway").child("ws");
    ws.info("loading configuration…", { a: 1 });
    ws.warn("unauthorized", { conn: "abc", reason: "token_mismatch", guidance: "use the gateway token", n: 2, ok: true });
    expect(stdout.chunks).toEqual(["2026-11-21T13:01:09.473+00:00 [ws] loading configuration…\n"]);
    expect(stderr.chunks).toEqual([
      '2026-11-21T13:01:09.473+00:00 [ws] unauthorized conn=abc reason=token_mismatch guidance="use the gateway token" n=2 ok=true\n',
    ]);
  });

  test("fields tail is capped at 2 KiB", () => {
    const { log, stderr } = setup();
    log.child("gateway").warn("big", { blob: "x".repeat(5000) });
    const line = stderr.lines()[0]!;
    const tail = line.slice(line.indexOf(" blob="));
    expect(tail.length).toBeLessThanOrEqual(2048);
    expect(tail.endsWith("…")).toBe(true);
  });

  test("json style", () => {
    process.env.TZ = "UTC";
    const { log, stdout } = setup({ consoleStyle: "json" });
    log.child("gateway").info("loading configuration…");
    expect(JSON.parse(stdout.lines()[0]!)).toEqual({
      time: "2026-11-21T13:01:09.473+00:00",
      level: "info",
      subsystem: "gateway",
      message: "loading configuration…",
    });
  });

  test("colour only on a TTY without NO_COLOR, or when forced", () => {
    const esc = "\x1b[";
    const tty = capture(true);
    // The test preload sets NO_COLOR=1, which must win over a TTY.
    createLogger({ file: null, stdout: tty, stderr: capture(true), now: () => FIXED }).child("gateway").info("hi");
    expect(tty.chunks.join("")).not.toContain(esc);

    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      const tty2 = capture(true);
      createLogger({ file: null, stdout: tty2, stderr: capture(true), now: () => FIXED }).child("gateway").info("hi");
      expect(tty2.chunks.join("")).toContain(esc);
      const pipe = capture(false);
      createLogger({ file: null, stdout: pipe, stderr: capture(), now: () => FIXED }).child("gateway").info("hi");
      expect(pipe.chunks.join("")).not.toContain(esc);
    } finally {
      if (saved !== undefined) process.env.NO_COLOR = saved;
    }
    const forced = capture(false);
    createLogger({ file: null, stdout: forced, stderr: capture(), color: true, consoleStyle: "pretty", now: () => FIXED })
      .child("gateway")
      .info("hi");
    expect(forced.chunks.join("")).toContain(esc);
  });

  test("subsystem display rule", () => {
    expect(displaySubsystem("gateway")).toBe("gateway");
    expect(displaySubsystem("gateway/ws")).toBe("ws");
    expect(displaySubsystem("gateway/reload")).toBe("reload");
    expect(displaySubsystem("channels/telegram")).toBe("telegram");
    expect(displaySubsystem("providers/openai/stream")).toBe("openai/stream");
    expect(displaySubsystem("agents/main/tools/exec")).toBe("tools/exec");
    expect(displaySubsystem("reload")).toBe("reload");
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

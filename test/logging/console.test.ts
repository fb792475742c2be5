import { afterEach, describe, expect, test } from "bun:test";
import { displaySubsystem } from "../../src/logging/format.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { capture, FIXED, setup } from "./helpers.ts";

const savedTZ = process.env.TZ;
afterEach(() => {
  if (savedTZ === undefined) delete process.env.TZ;
  else process.env.TZ = savedTZ;
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

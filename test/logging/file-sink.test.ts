import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { archivePath } from "../../src/logging/file-sink.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { capture, tempDir } from "./helpers.ts";

const quiet = () => ({ stdout: capture(), stderr: capture(), consoleLevel: "silent" as const });
const messages = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l).message as string);

describe("file sink", () => {
  test("creates the directory and a private file", () => {
    const dir = join(tempDir(), "nested", "logs");
    const file = join(dir, "a.log");
    const log = createLogger({ file, ...quiet() });
    log.info("hello");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(log.file).toBe(file);
  });

  test("appends to an existing file", () => {
    const file = join(tempDir(), "a.log");
    writeFileSync(file, '{"message":"old"}\n');
    createLogger({ file, ...quiet() }).info("new");
    expect(messages(file)).toEqual(["old", "new"]);
  });

  test("archive naming", () => {
    expect(archivePath("/t/openclaw-2026-11-21.log", 1)).toBe("/t/openclaw-2026-11-21.1.log");
    expect(archivePath("/t/gateway.txt", 3)).toBe("/t/gateway.txt.3");
  });
});

describe("rotation", () => {
  test("rotates before exceeding maxFileBytes and keeps maxFiles archives", () => {
    const dir = tempDir();
    const file = join(dir, "openclaw-2026-11-21.log");
    const maxFileBytes = 1000;
    const log = createLogger({ file, maxFileBytes, maxFiles: 2, ...quiet() });
    const total = 20;
    for (let i = 0; i < total; i++) log.info(`line ${i} ${"x".repeat(100)}`);

    expect(readdirSync(dir).sort()).toEqual([
      "openclaw-2026-11-21.1.log",
      "openclaw-2026-11-21.2.log",
      "openclaw-2026-11-21.log",
    ]);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(maxFileBytes);

    // Newest lines live in the live file, older ones shift to .1 then .2, and the order is unbroken.
    const seen = [archivePath(file, 2), archivePath(file, 1), file].flatMap(messages).map((m) => Number(m.split(" ")[1]));
    expect(seen.at(-1)).toBe(total - 1);
    expect(seen).toEqual(seen.map((_, i) => seen[0]! + i));
    expect(seen[0]).toBeGreaterThan(0);
  });

  test("maxFiles 0 truncates instead of archiving", () => {
    const dir = tempDir();
    const file = join(dir, "a.log");
    const log = createLogger({ file, maxFileBytes: 600, maxFiles: 0, ...quiet() });
    for (let i = 0; i < 10; i++) log.info(`line ${i} ${"x".repeat(100)}`);
    expect(readdirSync(dir)).toEqual(["a.log"]);
    expect(messages(file).at(-1)).toStartWith("line 9");
  });

  test("an oversized single line is still written", () => {
    const file = join(tempDir(), "a.log");
    createLogger({ file, maxFileBytes: 50, ...quiet() }).info("y".repeat(500));
    expect(messages(file)).toEqual(["y".repeat(500)]);
  });
});

describe("date rollover", () => {
  test("a dated logger switches files when the local date changes", () => {
    const dir = tempDir();
    let now = new Date(2026, 10, 21, 23, 59, 58);
    const log = createLogger({ file: null, dated: { profile: "dev", dir }, now: () => now, ...quiet() });
    expect(log.file).toBe(join(dir, "openclaw-dev-2026-11-21.log"));
    log.info("late");
    now = new Date(2026, 10, 22, 0, 0, 1);
    log.info("early");
    expect(log.file).toBe(join(dir, "openclaw-dev-2026-11-22.log"));
    expect(messages(join(dir, "openclaw-dev-2026-11-21.log"))).toEqual(["late"]);
    expect(messages(join(dir, "openclaw-dev-2026-11-22.log"))).toEqual(["early"]);
  });

  test("a fixed path never rolls", () => {
    const file = join(tempDir(), "fixed.log");
    let now = new Date(2026, 10, 21, 23, 0);
    const log = createLogger({ file, now: () => now, ...quiet() });
    log.info("a");
    now = new Date(2026, 10, 25, 1, 0);
    log.info("b");
    expect(log.file).toBe(file);
    expect(messages(file)).toEqual(["a", "b"]);
  });

  test("dated files older than yesterday are pruned, only for this profile", () => {
    const dir = tempDir();
    const old = ["openclaw-dev-2026-11-18.log", "openclaw-dev-2026-11-18.1.log", "openclaw-dev-2026-11-19.log"];
    const kept = ["openclaw-dev-2026-11-20.log", "openclaw-2026-11-01.log", "openclaw-work-2026-11-01.log", "notes.txt"];
    for (const n of [...old, ...kept]) writeFileSync(join(dir, n), "");
    const now = new Date(2026, 10, 21, 8, 0);
    createLogger({ file: null, dated: { profile: "dev", dir }, now: () => now, ...quiet() }).info("x");
    for (const n of old) expect(existsSync(join(dir, n))).toBe(false);
    for (const n of kept) expect(existsSync(join(dir, n))).toBe(true);
  });
});

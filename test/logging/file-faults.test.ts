// The file log on storage that fails under it: a removed log directory and a full disk never
// throw into the caller, are reported once, and the log carries on when the storage is back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createLogger } from "../../src/logging/logger.ts";
import { mountTmpfs, tmpfsUnavailable, type Tmpfs } from "../fixtures/tmpfs.ts";
import { capture, tempDir } from "./helpers.ts";

const noTmpfs = tmpfsUnavailable();
if (noTmpfs) console.log(`[file-faults] skipping the full-disk test: ${noTmpfs}`);

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);

/** Logs a numbered line until `done()` holds: the logger's own retry clock decides when, the test only waits. */
async function logUntil(log: ReturnType<typeof createLogger>, prefix: string, done: () => boolean, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; ; i++) {
    log.info(`${prefix} ${i}`);
    if (done()) return i;
    if (Date.now() > deadline) throw new Error(`gave up after ${i + 1} lines`);
    await Bun.sleep(50);
  }
}

describe("file log faults", () => {
  test("a log directory removed while running is created again, and later lines land in the new file", async () => {
    const dir = join(tempDir(), "logs");
    const file = join(dir, "gateway.log");
    const stderr = capture();
    const log = createLogger({ file, consoleLevel: "silent", stdout: capture(), stderr });
    log.info("before");
    rmSync(dir, { recursive: true, force: true });
    const n = await logUntil(log, "after", () => lines(file).some((l) => JSON.parse(l).message.startsWith("after ")));
    const messages = lines(file).map((l) => JSON.parse(l).message as string);
    expect(messages.at(-1)).toBe(`after ${n}`);
    expect(messages).not.toContain("before"); // that file was removed with its directory
    expect(stderr.lines()).toEqual([]); // nothing failed: the sink just opened the file again
    log.close();
  }, 30_000);

  describe.skipIf(!!noTmpfs)("on a full disk", () => {
    let fs: Tmpfs;
    beforeAll(() => {
      fs = mountTmpfs("1m");
    });
    afterAll(() => fs?.unmount());

    test("writes never throw, the outage is reported once, and the log resumes (whole lines only) when space is back", async () => {
      const file = join(fs.dir, "logs", "gateway.log");
      const stderr = capture();
      const log = createLogger({ file, consoleLevel: "silent", stdout: capture(), stderr });
      log.info("before");
      fs.fill();
      const reports = () => stderr.lines().filter((l) => l.startsWith("[logging]"));
      try {
        expect(() => {
          // Enough to run past the free room left in the file's last page.
          for (let i = 0; i < 200; i++) log.info(`during ${i} ${"x".repeat(200)}`);
        }).not.toThrow();
        expect(reports()).toHaveLength(1);
        expect(reports()[0]).toMatch(/^\[logging\] file log disabled \(.*gateway\.log\): .*ENOSPC.*retrying/);
        log.error("still no throw");
      } finally {
        fs.free();
      }
      await logUntil(log, "after", () => reports().some((l) => l.includes("file log resumed")));
      expect(reports()).toHaveLength(2);
      expect(reports()[1]).toMatch(/^\[logging\] file log resumed \(.*gateway\.log\); lines of the last \d+ s were dropped/);
      const messages = lines(file).map((l) => JSON.parse(l).message as string); // a cut line would not parse
      expect(messages[0]).toBe("before");
      expect(messages.at(-1)).toMatch(/^after \d+$/);
      log.close();
    }, 30_000);
  });
});

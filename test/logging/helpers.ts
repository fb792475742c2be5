import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, type LoggerOptions } from "../../src/logging/logger.ts";

export function tempDir(prefix = "log-"): string {
  return mkdtempSync(join(process.env.OPENCLAW_TEST_TMP ?? tmpdir(), prefix));
}

export interface Capture {
  chunks: string[];
  isTTY?: boolean;
  write(s: string): boolean;
  lines(): string[];
}

export function capture(isTTY?: boolean): Capture {
  const chunks: string[] = [];
  return {
    chunks,
    isTTY,
    write(s: string) {
      chunks.push(s);
      return true;
    },
    lines() {
      return chunks.join("").split("\n").filter(Boolean);
    },
  };
}

export const FIXED = new Date("2026-11-21T13:01:09.473Z");

export function setup(extra: Partial<LoggerOptions> = {}) {
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

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

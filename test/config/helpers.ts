import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Fresh directory under the per-run temp HOME that the test preload sets up. */
export function tempDir(prefix = "config-"): string {
  const base = process.env.OPENCLAW_TEST_TMP;
  if (!base) throw new Error("OPENCLAW_TEST_TMP is not set; is test/preload.ts loaded?");
  return mkdtempSync(join(base, prefix));
}

export function writeConfig(text: string, name = "openclaw.json"): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

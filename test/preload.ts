// Runs before any test module: every test sees a private HOME and no gateway credentials,
// so nothing reads or writes the developer's ~/.openclaw or /tmp/openclaw.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const home = mkdtempSync(join(tmpdir(), "openclaw-test-home-"));
process.env.HOME = home;
process.env.OPENCLAW_HOME = home;
process.env.OPENCLAW_TEST_TMP = home;
for (const key of Object.keys(process.env)) {
  if (key.startsWith("OPENCLAW_") && key !== "OPENCLAW_HOME" && key !== "OPENCLAW_TEST_TMP") delete process.env[key];
}
process.env.NO_COLOR = "1";

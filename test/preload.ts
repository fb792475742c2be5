// Runs before any test module: every test sees a private HOME and no gateway credentials,
// so nothing reads or writes the developer's ~/.openclaw or /tmp/openclaw.
import { plugin } from "bun";
import { setDefaultTimeout } from "bun:test";
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

// The default per-test timeout. Bun's own is 5 s and bunfig.toml has no key for it; a test that does
// real I/O must still pass on a busy 2-core CI machine. Tests that compile, package or spawn processes
// set larger limits of their own.
export const DEFAULT_TEST_TIMEOUT_MS = 15_000;
setDefaultTimeout(DEFAULT_TEST_TIMEOUT_MS);
// Bun 1.4 keeps a preload's setDefaultTimeout() for the first test file only and resets it before the
// next (oven-sh/bun#43787); a call at the top of a test file holds for that file. So each test file is
// loaded with that call in front of its first line (same line, so line numbers in failures are unchanged).
plugin({
  name: "openclaw-default-test-timeout",
  setup(build) {
    build.onLoad({ filter: /\.test\.[cm]?[jt]sx?$/ }, async ({ path }) => {
      const source = await Bun.file(path).text();
      const prelude = `import { setDefaultTimeout as __openclawDefaultTimeout } from "bun:test"; __openclawDefaultTimeout(${DEFAULT_TEST_TIMEOUT_MS});`;
      return { contents: prelude + source, loader: /x$/.test(path) ? "tsx" : "ts" };
    });
  },
});

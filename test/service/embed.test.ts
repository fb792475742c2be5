// The templates are real files imported as text: a compiled binary must carry them (and name
// itself, not bun + main.ts, as the service command), even when run far from the source tree.
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { TEMPLATES } from "../../src/service/templates.ts";
import { tempDir } from "../fixtures/gateway.ts";

const dir = tempDir("embed-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("every template is the file's exact text when run from source", () => {
  for (const [name, text] of Object.entries(TEMPLATES)) {
    expect(typeof text).toBe("string");
    expect(text).toBe(readFileSync(resolve(import.meta.dir, "../../src/service/templates", name), "utf8"));
  }
});

test("bun build --compile embeds them; the binary's service command is itself", () => {
  const built = join(dir, "build", "print-templates");
  const b = Bun.spawnSync([process.execPath, "build", "--compile", join(import.meta.dir, "fixtures/print-templates.ts"), "--outfile", built], { stderr: "pipe", stdout: "pipe" });
  expect(b.exitCode).toBe(0);
  // Moved away from the build dir and started elsewhere, so nothing can be read from disk.
  const exe = join(dir, "moved-openclaw");
  copyFileSync(built, exe);
  const r = Bun.spawnSync([exe], { cwd: "/", stdout: "pipe", stderr: "pipe" });
  expect(r.stderr.toString()).toBe("");
  const out = JSON.parse(r.stdout.toString()) as { templates: Record<string, string>; program: string[] };
  expect(out.templates).toEqual({ ...TEMPLATES });
  expect(out.program).toEqual([exe]);
}, 120_000); // compiles an executable

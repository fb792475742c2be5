// build.ts on a tiny stand-in entry: the host executable carries the baked-in version and ignores
// a .env next to it; a release build names its output per target, packages it and writes SHA256SUMS.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pkg from "../../package.json" with { type: "json" };

const ROOT = resolve(import.meta.dir, "../..");
const ENTRY = join(import.meta.dir, "fixtures", "print-version.ts");
let dir = "";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "openclaw-build-test-"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function run(argv: string[], cwd = ROOT) {
  const res = Bun.spawnSync(argv, { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const out = res.stdout.toString();
  if (res.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${res.exitCode}\n${res.stderr.toString()}\n${out}`);
  return out;
}

test("--single compiles dist/openclaw with the version baked in and no .env loading", () => {
  const outdir = join(dir, "single");
  const log = run([process.execPath, "build.ts", "--single", "--entry", ENTRY, "--outdir", outdir]);
  expect(log).toContain("openclaw");
  const exe = join(outdir, process.platform === "win32" ? "openclaw.exe" : "openclaw");
  const [version, buildId] = run([exe]).trim().split(" ");
  expect(version).toBe(pkg.version);
  expect(buildId).toMatch(new RegExp(`^${pkg.version.replaceAll(".", "\\.")}-([0-9a-f]{4,40}|nogit)$`));
  // No sidecar source map: it is embedded.
  expect([...new Bun.Glob("*.map").scanSync(outdir)]).toEqual([]);
  // Started in a directory with a .env, the executable must not read it.
  const cwd = join(dir, "with-dotenv");
  mkdirSync(cwd, { recursive: true });
  writeFileSync(join(cwd, ".env"), "OPENCLAW_BUILD_TEST_DOTENV=loaded\n");
  expect(run([exe, "--env", "OPENCLAW_BUILD_TEST_DOTENV"], cwd).trim()).toBe("(unset)");
}, 120_000); // compiles an executable

const os = ({ linux: "linux", darwin: "darwin", win32: "windows" } as Record<string, string>)[process.platform];
const hostTarget = os && (process.arch === "x64" || process.arch === "arm64") ? `bun-${os}-${process.arch}` : undefined;

test.skipIf(hostTarget === undefined)("a release build names outputs per target, packages them and writes SHA256SUMS", async () => {
  const outdir = join(dir, "release");
  run([process.execPath, "build.ts", "--targets", hostTarget!, "--entry", ENTRY, "--outdir", outdir]);
  const name = `openclaw-${os}-${process.arch}${os === "windows" ? ".exe" : ""}`;
  const archive = `openclaw-${pkg.version}-${os}-${process.arch}${os === "windows" ? ".zip" : ".tar.gz"}`;
  const sums = await Bun.file(join(outdir, "SHA256SUMS")).text();
  const hash = async (file: string) => new Bun.CryptoHasher("sha256").update(await Bun.file(join(outdir, file)).bytes()).digest("hex");
  expect(sums).toBe(`${await hash(name)}  ${name}\n${await hash(archive)}  ${archive}\n`);
  // Only the packaging for this one target: a formula for it (macOS/Linux) or a scoop manifest (Windows).
  expect(await Bun.file(join(outdir, "openclaw.rb")).exists()).toBe(os !== "windows");
  expect(await Bun.file(join(outdir, "openclaw.json")).exists()).toBe(os === "windows");
}, 120_000); // compiles an executable, then archives and checksums it

test("--package-only packages binaries already in --outdir without compiling", async () => {
  const outdir = join(dir, "package-only");
  mkdirSync(outdir, { recursive: true });
  writeFileSync(join(outdir, "openclaw-linux-arm64"), "not really a binary\n");
  const log = run([process.execPath, "build.ts", "--package-only", "--targets", "bun-linux-arm64", "--outdir", outdir]);
  expect(log).toContain("packaging");
  expect(await Bun.file(join(outdir, `openclaw-${pkg.version}-linux-arm64.tar.gz`)).exists()).toBe(true);
  expect(await Bun.file(join(outdir, "openclaw.rb")).text()).toContain(`openclaw-${pkg.version}-linux-arm64.tar.gz`);
}, 60_000); // runs build.ts in a process of its own

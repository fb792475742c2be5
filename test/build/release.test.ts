// build.ts packaging steps (archives, SHA256SUMS, Homebrew formula, scoop manifest) on small fake
// binaries in a temp dir: no compiling, so this stays fast. Archives are checked with the system's
// own tar / unzip / python3 zipfile where present.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { archiveFileName, packageRelease, parseChecksums, releaseFileName, TARGETS, zipArchive } from "../../build.ts";

// Packaging and the checks with tar, unzip and python3 run real processes: room for a slow CI machine.
setDefaultTimeout(60_000);

const VERSION = "1.2.3";
const BASE = "https://downloads.example.test/openclaw/v{version}";
const BASE_NOW = "https://downloads.example.test/openclaw/v1.2.3";
const has = (tool: string) => Bun.which(tool) !== null;
let root = "";
let dir = "";
const content = new Map<string, Uint8Array>();

function fake(name: string): Uint8Array {
  // Compressible text plus a little noise, so deflate has work and outputs differ per target.
  const noise = crypto.getRandomValues(new Uint8Array(512));
  return new Uint8Array([...new TextEncoder().encode(`#!/bin/sh\necho ${name}\n`.repeat(400)), ...noise]);
}

function sha256(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

function run(argv: string[], cwd = dir) {
  const res = Bun.spawnSync(argv, { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: res.exitCode, out: res.stdout.toString(), err: res.stderr.toString(), bytes: res.stdout };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "openclaw-release-test-"));
  dir = join(root, "dist");
  mkdirSync(dir);
  for (const t of TARGETS) {
    const name = releaseFileName(t);
    const bytes = fake(name);
    content.set(name, bytes);
    writeFileSync(join(dir, name), bytes);
    chmodSync(join(dir, name), 0o644); // the archive says 0755 whatever the file has
  }
  await packageRelease({ dir, version: VERSION, releaseBaseUrl: BASE, meta: { license: "MIT" } });
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

test("writes an archive per target, SHA256SUMS, the formula and the scoop manifest", () => {
  expect(readdirSync(dir).sort()).toEqual(
    [
      ...TARGETS.map(releaseFileName),
      ...TARGETS.map((t) => archiveFileName(VERSION, t)),
      "SHA256SUMS",
      "openclaw.rb",
      "openclaw.json",
    ].sort(),
  );
  expect(TARGETS.map((t) => archiveFileName(VERSION, t))).toEqual([
    "openclaw-1.2.3-linux-x64.tar.gz",
    "openclaw-1.2.3-linux-arm64.tar.gz",
    "openclaw-1.2.3-darwin-x64.tar.gz",
    "openclaw-1.2.3-darwin-arm64.tar.gz",
    "openclaw-1.2.3-windows-x64.zip",
  ]);
});

test("SHA256SUMS covers binaries and archives and verifies", async () => {
  const text = await Bun.file(join(dir, "SHA256SUMS")).text();
  const sums = parseChecksums(text);
  expect(sums.size).toBe(10);
  for (const [name, hash] of sums) expect(sha256(await Bun.file(join(dir, name)).bytes())).toBe(hash);
  if (has("sha256sum")) {
    const res = run(["sha256sum", "-c", "SHA256SUMS"]);
    expect(res.code).toBe(0);
    expect(res.out.trim().split("\n")).toHaveLength(10);
  }
});

describe("archives", () => {
  const unix = TARGETS.filter((t) => t.os !== "windows");

  test.skipIf(!has("tar"))("each tar.gz holds one entry, openclaw, mode 0755, the binary's bytes", () => {
    for (const t of unix) {
      const archive = archiveFileName(VERSION, t);
      const listing = run(["tar", "-tvzf", archive]);
      expect(listing.code).toBe(0);
      const lines = listing.out.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^-rwxr-xr-x\s.*\sopenclaw$/);
      const extracted = run(["tar", "-xOzf", archive, "openclaw"]);
      expect(sha256(extracted.bytes)).toBe(sha256(content.get(releaseFileName(t))!));
    }
  });

  test("each tar.gz also reads back with Bun.Archive", async () => {
    for (const t of unix) {
      const files = await new Bun.Archive(await Bun.file(join(dir, archiveFileName(VERSION, t))).bytes()).files();
      expect([...files.keys()]).toEqual(["openclaw"]);
      expect(sha256(await files.get("openclaw")!.bytes())).toBe(sha256(content.get(releaseFileName(t))!));
    }
  });

  const zipName = "openclaw-1.2.3-windows-x64.zip";

  test.skipIf(!has("unzip"))("the zip lists openclaw.exe and tests clean with unzip", () => {
    const list = run(["unzip", "-l", zipName]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/\sopenclaw\.exe\n/);
    expect(list.out).toMatch(/\s1 file\n?$/);
    expect(run(["unzip", "-tq", zipName]).code).toBe(0);
  });

  const pyCheck = (zip: string) =>
    run([
      "python3",
      "-c",
      "import hashlib,sys,zipfile\n" +
        "z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None\n" +
        "for i in z.infolist(): print(i.filename, oct(i.external_attr>>16), i.compress_type, hashlib.sha256(z.read(i)).hexdigest())",
      zip,
    ]);

  test.skipIf(!has("python3"))("the zip reads back with python3 zipfile: deflated, 0755, the binary's bytes", () => {
    const res = pyCheck(zipName);
    expect(res.err).toBe("");
    expect(res.out.trim()).toBe(`openclaw.exe 0o100755 8 ${sha256(content.get("openclaw-windows-x64.exe")!)}`);
  });

  test.skipIf(!has("python3"))("incompressible input is stored, not deflated", () => {
    const data = crypto.getRandomValues(new Uint8Array(4096));
    const zip = join(root, "random.zip");
    writeFileSync(zip, zipArchive("x.bin", data, new Date("2030-05-06T07:08:10Z")));
    expect(pyCheck(zip).out.trim()).toBe(`x.bin 0o100755 0 ${sha256(data)}`);
  });
});

describe("Homebrew formula", () => {
  let rb = "";
  let sums = new Map<string, string>();
  beforeAll(async () => {
    rb = await Bun.file(join(dir, "openclaw.rb")).text();
    sums = parseChecksums(await Bun.file(join(dir, "SHA256SUMS")).text());
  });

  test("class, metadata, install, service and test blocks", () => {
    expect(rb).toContain("class Openclaw < Formula\n");
    expect(rb).toMatch(/^ {2}desc "[^"]{10,79}"$/m);
    expect(rb).toContain(`  version "1.2.3"\n`);
    expect(rb).toContain(`  license "MIT"\n`);
    expect(rb).toContain(`  homepage "https://downloads.example.test"\n`);
    expect(rb).toContain(`    bin.install "openclaw"\n`);
    expect(rb).toMatch(
      /\n {2}service do\n {4}run \[opt_bin\/"openclaw", "gateway", "run"\]\n {4}keep_alive true\n {4}log_path var\/"log\/[^"]+"\n {4}error_log_path var\/"log\/[^"]+"\n {2}end\n/,
    );
    expect(rb).toContain(`shell_output("#{bin}/openclaw --version")`);
    expect(rb.trimEnd().endsWith("end")).toBe(true);
  });

  test("each OS/arch block pairs its url with the sha256 from SHA256SUMS", () => {
    for (const [os, hbOs] of [["darwin", "macos"], ["linux", "linux"]] as const) {
      for (const [arch, hbArch] of [["arm64", "arm"], ["x64", "intel"]] as const) {
        const file = `openclaw-1.2.3-${os}-${arch}.tar.gz`;
        const hash = sums.get(file)!;
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
        const block = new RegExp(
          `on_${hbOs} do\\n(?:.*\\n)*? {4}on_${hbArch} do\\n {6}url "${BASE_NOW.replaceAll(".", "\\.")}/${file.replaceAll(".", "\\.")}"\\n {6}sha256 "${hash}"\\n {4}end\\n`,
        );
        expect(rb).toMatch(block);
      }
    }
    expect(rb).not.toContain("windows");
  });
});

test("scoop manifest: parses, the windows zip's url and hash, bin, checkver, autoupdate", async () => {
  const m = await Bun.file(join(dir, "openclaw.json")).json();
  const sums = parseChecksums(await Bun.file(join(dir, "SHA256SUMS")).text());
  expect(m.version).toBe("1.2.3");
  expect(typeof m.description).toBe("string");
  expect(m.homepage).toBe("https://downloads.example.test");
  expect(m.license).toBe("MIT");
  expect(m.architecture["64bit"]).toEqual({
    url: `${BASE_NOW}/openclaw-1.2.3-windows-x64.zip`,
    hash: sums.get("openclaw-1.2.3-windows-x64.zip")!,
  });
  expect(m.bin).toBe("openclaw.exe");
  expect(m.checkver).toBeDefined();
  expect(m.autoupdate.architecture["64bit"].url).toBe(
    "https://downloads.example.test/openclaw/v$version/openclaw-$version-windows-x64.zip",
  );
  expect(m.autoupdate.hash.url).toBe("$baseurl/SHA256SUMS");
});

test("default release URL: GitHub, so checkver follows GitHub releases", async () => {
  const d = join(root, "github");
  mkdirSync(d);
  const win = TARGETS.find((t) => t.os === "windows")!;
  writeFileSync(join(d, releaseFileName(win)), fake("w"));
  await packageRelease({ dir: d, version: VERSION, targets: [win] });
  const m = await Bun.file(join(d, "openclaw.json")).json();
  expect(m.architecture["64bit"].url).toBe(
    "https://github.com/openclaw-bun/gateway/releases/download/v1.2.3/openclaw-1.2.3-windows-x64.zip",
  );
  expect(m.checkver).toEqual({ github: "https://github.com/openclaw-bun/gateway" });
  expect(m.homepage).toBe("https://github.com/openclaw-bun/gateway");
  expect(m.license).toBe("Unknown");
  // No macOS/Linux target: no formula.
  expect(existsSync(join(d, "openclaw.rb"))).toBe(false);
});

test("a missing binary is an error naming it", async () => {
  const d = join(root, "missing");
  mkdirSync(d);
  await expect(packageRelease({ dir: d, version: VERSION, targets: [TARGETS[0]!] })).rejects.toThrow(
    /missing .*openclaw-linux-x64 \(compile it first, or leave bun-linux-x64 out of --targets\)/,
  );
});

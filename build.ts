// build.ts: `bun run build`. Compiles the gateway into standalone executables (Bun.build + compile)
// and packages them for release.
//
//   bun run build                  every release target -> dist/openclaw-<os>-<arch>[.exe], then the
//                                  release files below
//   bun run build --single         this machine only    -> dist/openclaw
//   bun run build --package-only   the release files for binaries already in --outdir (no compile)
//
//   --entry PATH              entry point (default src/main.ts)
//   --outdir DIR              output directory (default dist)
//   --targets a,b             release build of a subset of the table, by target name (e.g. bun-linux-arm64)
//   --release-base-url URL    where the archives will be downloadable; `{version}` is replaced
//                             (default https://github.com/openclaw-bun/gateway/releases/download/v{version})
//
// Release files, next to the binaries:
//   openclaw-<version>-<os>-<arch>.tar.gz    Linux/macOS: one entry, `openclaw`, mode 0755
//   openclaw-<version>-windows-x64.zip       Windows: one entry, `openclaw.exe`
//   SHA256SUMS                               binaries and archives, as `sha256sum -c` reads it
//   openclaw.rb                              Homebrew formula (urls + sha256 taken from SHA256SUMS)
//   openclaw.json                            scoop manifest (url + hash taken from SHA256SUMS)
// Archives are written by this script (gzip/deflate from Bun), so no tar or zip is needed; their
// timestamps come from SOURCE_DATE_EPOCH when set, else from the binary.
//
// The Control UI (src/ui) is built first, staged in a temporary directory and embedded in every
// executable (scripts/control-ui-embed.ts); the binaries serve it without any file next to them.
//
// The version is baked in with `define`: OPENCLAW_BUILD_VERSION (package.json version) and
// OPENCLAW_BUILD_ID (<version>-<short git sha | nogit>), read by src/version.ts. The executables do not
// read .env or bunfig.toml from the directory they are started in.
//
// A build is a list of steps run in order over one context. The packaging steps only read the
// output directory, so `packageRelease` (exported for tests) runs them on any directory of binaries.

import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { controlUiPlugin, stageControlUi } from "./scripts/control-ui-embed.ts";

const ROOT = import.meta.dir;

// ------------------------------------------------------------------ targets

export interface Target {
  name: Bun.Build.CompileTarget;
  os: "linux" | "darwin" | "windows";
  arch: "x64" | "arm64";
}

export const TARGETS: readonly Target[] = [
  { name: "bun-linux-x64", os: "linux", arch: "x64" },
  { name: "bun-linux-arm64", os: "linux", arch: "arm64" },
  { name: "bun-darwin-x64", os: "darwin", arch: "x64" },
  { name: "bun-darwin-arm64", os: "darwin", arch: "arm64" },
  { name: "bun-windows-x64", os: "windows", arch: "x64" },
];

export function releaseFileName(t: Target): string {
  return `openclaw-${t.os}-${t.arch}${t.os === "windows" ? ".exe" : ""}`;
}

export function archiveFileName(version: string, t: Target): string {
  return `openclaw-${version}-${t.os}-${t.arch}${t.os === "windows" ? ".zip" : ".tar.gz"}`;
}

export const DEFAULT_RELEASE_BASE_URL = "https://github.com/openclaw-bun/gateway/releases/download/v{version}";

// ------------------------------------------------------------------ options

interface Options {
  single: boolean;
  packageOnly: boolean;
  entry: string;
  outdir: string;
  targets: readonly Target[];
  /** May contain `{version}`. */
  releaseBaseUrl: string;
}

function usage(message: string): never {
  console.error(`build: ${message}`);
  console.error("usage: bun run build [--single | --package-only] [--entry PATH] [--outdir DIR] [--targets bun-linux-x64,...]");
  console.error("                     [--release-base-url URL]");
  process.exit(2);
}

function parseOptions(argv: readonly string[]): Options {
  let single = false;
  let packageOnly = false;
  let releaseBaseUrl = DEFAULT_RELEASE_BASE_URL;
  let entry = "src/main.ts";
  let outdir = "dist";
  let targets: readonly Target[] = TARGETS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    switch (arg) {
      case "--single":
        single = true;
        break;
      case "--package-only":
        packageOnly = true;
        break;
      case "--release-base-url":
        releaseBaseUrl = value().replace(/\/+$/, "");
        if (!/^https?:\/\/[^/]/.test(releaseBaseUrl)) usage(`--release-base-url must be an http(s) URL, got ${releaseBaseUrl}`);
        break;
      case "--entry":
        entry = value();
        break;
      case "--outdir":
        outdir = value();
        break;
      case "--targets": {
        const names = value().split(",").map((s) => s.trim()).filter(Boolean);
        targets = names.map(
          (n) => TARGETS.find((t) => t.name === n) ?? usage(`unknown target ${n} (known: ${TARGETS.map((t) => t.name).join(", ")})`),
        );
        break;
      }
      default:
        usage(`unknown argument ${arg}`);
    }
  }
  if (single && argv.includes("--targets")) usage("--single and --targets do not go together");
  if (single && packageOnly) usage("--single and --package-only do not go together");
  return { single, packageOnly, entry: resolve(entry), outdir: resolve(outdir), targets, releaseBaseUrl };
}

// ------------------------------------------------------------------ version

interface PackageJson {
  version?: unknown;
  description?: unknown;
  homepage?: unknown;
  license?: unknown;
}

async function readPackageJson(): Promise<PackageJson> {
  return (await Bun.file(join(ROOT, "package.json")).json()) as PackageJson;
}

function packageVersion(pkg: PackageJson): string {
  if (typeof pkg.version !== "string" || pkg.version === "") throw new Error("package.json has no version");
  return pkg.version;
}

function shortSha(): string {
  try {
    const res = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: ROOT, stdout: "pipe", stderr: "ignore" });
    const sha = res.stdout.toString().trim();
    return res.exitCode === 0 && /^[0-9a-f]{4,40}$/.test(sha) ? sha : "nogit";
  } catch {
    return "nogit"; // no git on this machine
  }
}

// ------------------------------------------------------------------ compile

interface Artifact {
  /** undefined: the host's own runtime (--single). */
  target: Target | undefined;
  path: string;
  bytes: number;
  ms: number;
}

/** What the formula and the manifest say about the project. */
export interface ReleaseMeta {
  /** package.json description (scoop). */
  description: string;
  homepage: string;
  /** SPDX id; undefined: not declared (the formula omits it, scoop says "Unknown"). */
  license: string | undefined;
}

interface Context {
  opts: Options;
  version: string;
  buildId: string;
  meta: ReleaseMeta;
  artifacts: Artifact[];
  /** The staged Control UI manifest module (stageUi), embedded by every compile. */
  uiManifest?: string;
}

/** A path as printed: relative to the working directory when it is below it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

async function compile(ctx: Context, target: Target | undefined, outfile: string): Promise<Artifact> {
  const t0 = performance.now();
  const result = await Bun.build({
    entrypoints: [ctx.opts.entry],
    // No target for --single: Bun embeds the runtime it is running on, nothing to download.
    compile: { ...(target ? { target: target.name } : {}), outfile, autoloadDotenv: false, autoloadBunfig: false },
    format: "esm",
    // Code reached only through import() (the channels; Baileys behind WhatsApp) becomes chunks of
    // its own, evaluated when first imported: without it a gateway with no WhatsApp paid ~5 MiB of
    // idle memory for code it never runs.
    splitting: true,
    minify: true,
    bytecode: true,
    // Embedded in the executable (zstd) so stack traces point at src/; the .map file Bun also
    // writes next to it is removed below.
    sourcemap: "linked",
    define: {
      OPENCLAW_BUILD_VERSION: JSON.stringify(ctx.version),
      OPENCLAW_BUILD_ID: JSON.stringify(ctx.buildId),
      OPENCLAW_EMBEDDED_UI: ctx.uiManifest ? "true" : "false",
    },
    plugins: ctx.uiManifest ? [controlUiPlugin(ctx.uiManifest)] : [],
    throw: false,
  });
  const label = target?.name ?? "host";
  if (!result.success) {
    const details = result.logs.map((l) => `  ${l.message ?? String(l)}`).join("\n");
    throw new Error(`compile for ${label} failed:\n${details}`);
  }
  for (const log of result.logs) console.warn(`  ${label}: ${log.message ?? String(log)}`);
  for (const out of result.outputs) if (out.kind === "sourcemap") rmSync(out.path, { force: true });
  const exe = result.outputs.find((o) => o.kind === "entry-point")?.path ?? outfile;
  const ms = performance.now() - t0;
  const bytes = statSync(exe).size;
  console.log(`${shown(exe).padEnd(40)} ${mib(bytes).padStart(10)}  ${(ms / 1000).toFixed(1)}s  ${label}`);
  return { target, path: exe, bytes, ms };
}

// ------------------------------------------------------------------ steps

type Step = (ctx: Context) => Promise<void>;

/** The Control UI, built once for every target (browser code is the same everywhere). */
const stageUi: Step = async (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), "openclaw-ui-"));
  const t0 = performance.now();
  const { manifest, bundle } = await stageControlUi(dir);
  ctx.uiManifest = manifest;
  const gz = bundle.files.reduce((n, f) => n + (f.br ?? f.body).length, 0);
  note(dir, `control UI ${bundle.buildId}: ${bundle.files.length} files, ${(gz / 1024).toFixed(1)} KiB brotli  ${((performance.now() - t0) / 1000).toFixed(1)}s`);
};

/** Removes the staging directory (also after a failed step). */
function unstageUi(ctx: Context): void {
  if (ctx.uiManifest) rmSync(join(ctx.uiManifest, ".."), { recursive: true, force: true });
  ctx.uiManifest = undefined;
}

/** dist/openclaw for the machine running the build. */
const compileHost: Step = async (ctx) => {
  const outfile = join(ctx.opts.outdir, process.platform === "win32" ? "openclaw.exe" : "openclaw");
  ctx.artifacts.push(await compile(ctx, undefined, outfile));
};

/** dist/openclaw-<os>-<arch>[.exe] for every selected target (other runtimes are fetched by Bun). */
const compileTargets: Step = async (ctx) => {
  for (const t of ctx.opts.targets) ctx.artifacts.push(await compile(ctx, t, join(ctx.opts.outdir, releaseFileName(t))));
};

const note = (path: string, what: string) => console.log(`${shown(path).padEnd(40)} ${what}`);

/** The binaries a packaging step works from; each selected target must have one. */
function binaries(ctx: Context): Array<{ target: Target; path: string }> {
  return ctx.opts.targets.map((target) => {
    const path = join(ctx.opts.outdir, releaseFileName(target));
    if (!existsSync(path)) throw new Error(`missing ${shown(path)} (compile it first, or leave ${target.name} out of --targets)`);
    return { target, path };
  });
}

/** Archive timestamps: SOURCE_DATE_EPOCH (reproducible builds) or the binary's own mtime. */
function archiveTime(binary: string): Date {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return Number.isInteger(epoch) && epoch > 0 ? new Date(epoch * 1000) : statSync(binary).mtime;
}

/** dist/openclaw-<version>-<os>-<arch>.tar.gz | .zip, the binary inside as openclaw[.exe]. */
const writeArchives: Step = async (ctx) => {
  for (const { target, path } of binaries(ctx)) {
    const data = await Bun.file(path).bytes();
    const mtime = archiveTime(path);
    const out = join(ctx.opts.outdir, archiveFileName(ctx.version, target));
    const bytes = target.os === "windows" ? zipArchive("openclaw.exe", data, mtime) : tarGz("openclaw", data, mtime);
    await Bun.write(out, bytes);
    note(out, mib(bytes.length).padStart(10));
  }
};

function sha256(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

/** dist/SHA256SUMS over the binaries and archives, in the format `sha256sum -c` reads. */
const writeChecksums: Step = async (ctx) => {
  const files = binaries(ctx).flatMap(({ target, path }) => [path, join(ctx.opts.outdir, archiveFileName(ctx.version, target))]);
  const lines: string[] = [];
  for (const f of files) lines.push(`${sha256(await Bun.file(f).bytes())}  ${relative(ctx.opts.outdir, f)}`);
  const path = join(ctx.opts.outdir, "SHA256SUMS");
  await Bun.write(path, `${lines.join("\n")}\n`);
  note(path, `${String(lines.length).padStart(6)} files`);
};

/** SHA256SUMS as name → hash; what the formula and the manifest are generated from. */
export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trimEnd());
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}

async function readChecksums(ctx: Context): Promise<Map<string, string>> {
  return parseChecksums(await Bun.file(join(ctx.opts.outdir, "SHA256SUMS")).text());
}

/** The download URL of one release file. */
function releaseUrl(ctx: Context, file: string): string {
  return `${ctx.opts.releaseBaseUrl.replaceAll("{version}", ctx.version)}/${file}`;
}

function hashOf(sums: Map<string, string>, file: string): string {
  const h = sums.get(file);
  if (!h) throw new Error(`SHA256SUMS has no line for ${file}`);
  return h;
}

/** https://github.com/<owner>/<repo> when releases live on GitHub. */
function githubRepo(baseUrl: string): string | undefined {
  return /^(https:\/\/github\.com\/[^/]+\/[^/]+)\/releases\/download\//.exec(baseUrl)?.[1];
}

const rubyString = (s: string) => JSON.stringify(s).replaceAll("#{", "\\#{");

/** dist/openclaw.rb: a Homebrew formula for the macOS and Linux archives of this build. */
const writeFormula: Step = async (ctx) => {
  const path = join(ctx.opts.outdir, "openclaw.rb");
  const unix = ctx.opts.targets.filter((t) => t.os !== "windows");
  if (unix.length === 0) {
    rmSync(path, { force: true });
    console.log(`${"(Homebrew formula)".padEnd(40)} skipped: no macOS or Linux target`);
    return;
  }
  const sums = await readChecksums(ctx);
  const block = (os: Target["os"], homebrewOs: string) => {
    const ts = unix.filter((t) => t.os === os);
    if (ts.length === 0) return [];
    const lines = [`  on_${homebrewOs} do`];
    for (const t of ts) {
      const file = archiveFileName(ctx.version, t);
      lines.push(
        `    on_${t.arch === "arm64" ? "arm" : "intel"} do`,
        `      url ${rubyString(releaseUrl(ctx, file))}`,
        `      sha256 ${rubyString(hashOf(sums, file))}`,
        "    end",
      );
    }
    return [...lines, "  end", ""];
  };
  const text = [
    `# Homebrew formula for openclaw ${ctx.version}, generated by build.ts from SHA256SUMS. Do not edit by hand.`,
    "class Openclaw < Formula",
    `  desc "Always-on gateway for the OpenClaw personal AI assistant"`,
    `  homepage ${rubyString(ctx.meta.homepage)}`,
    `  version ${rubyString(ctx.version)}`,
    ...(ctx.meta.license ? [`  license ${rubyString(ctx.meta.license)}`] : []),
    "",
    ...block("darwin", "macos"),
    ...block("linux", "linux"),
    "  def install",
    `    bin.install "openclaw"`,
    "  end",
    "",
    "  def caveats",
    "    <<~EOS",
    "      The service runs `openclaw gateway run`, which needs ~/.openclaw/openclaw.json first:",
    "        gateway.mode \"local\", and a gateway.auth.token (else every start generates a new one).",
    "      Then: brew services start openclaw",
    "      (Use either brew services or `openclaw gateway install`, not both.)",
    "    EOS",
    "  end",
    "",
    "  service do",
    `    run [opt_bin/"openclaw", "gateway", "run"]`,
    "    keep_alive true",
    `    log_path var/"log/openclaw-gateway.log"`,
    `    error_log_path var/"log/openclaw-gateway.err.log"`,
    "  end",
    "",
    "  test do",
    `    assert_match version.to_s, shell_output("#{bin}/openclaw --version")`,
    "  end",
    "end",
    "",
  ].join("\n");
  await Bun.write(path, text);
  const covered = unix.map((t) => `${t.os}-${t.arch}`).join(", ");
  note(path, unix.length === 4 ? "Homebrew formula" : `Homebrew formula (only ${covered})`);
};

/** dist/openclaw.json: a scoop manifest for the Windows archive of this build. */
const writeScoopManifest: Step = async (ctx) => {
  const path = join(ctx.opts.outdir, "openclaw.json");
  const win = ctx.opts.targets.find((t) => t.os === "windows");
  if (!win) {
    rmSync(path, { force: true });
    console.log(`${"(scoop manifest)".padEnd(40)} skipped: no Windows target`);
    return;
  }
  const sums = await readChecksums(ctx);
  const file = archiveFileName(ctx.version, win);
  // Autoupdate: the same URL with the version left to scoop.
  const template = ctx.opts.releaseBaseUrl.includes("{version}")
    ? ctx.opts.releaseBaseUrl
    : ctx.opts.releaseBaseUrl.replaceAll(ctx.version, "{version}");
  const repo = githubRepo(ctx.opts.releaseBaseUrl);
  const manifest = {
    version: ctx.version,
    description: ctx.meta.description,
    homepage: ctx.meta.homepage,
    license: ctx.meta.license ?? "Unknown",
    architecture: { "64bit": { url: releaseUrl(ctx, file), hash: hashOf(sums, file) } },
    bin: "openclaw.exe",
    checkver: repo ? { github: repo } : { url: ctx.meta.homepage, regex: "v?(\\d+\\.\\d+\\.\\d+)" },
    autoupdate: {
      architecture: {
        "64bit": { url: `${template.replaceAll("{version}", "$version")}/openclaw-$version-${win.os}-${win.arch}.zip` },
      },
      hash: { url: "$baseurl/SHA256SUMS" },
    },
  };
  await Bun.write(path, `${JSON.stringify(manifest, null, 2)}\n`);
  note(path, "scoop manifest");
};

// ------------------------------------------------------------------ archive writers

/** DOS date/time fields (UTC, 2-second resolution, 1980 at the earliest). */
function dosDateTime(d: Date): { time: number; date: number } {
  const y = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((y - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** A zip with one deflated file (Unix mode 0755 recorded, for unzip on macOS/Linux). Under 4 GiB. */
export function zipArchive(name: string, data: Uint8Array<ArrayBuffer>, mtime: Date): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const deflated = Bun.deflateSync(data, { level: 6 }); // raw deflate, as zip wants it; 9 costs 2.5x the time for ~2%
  const stored = deflated.length >= data.length; // never larger than the input
  const body = stored ? data : deflated;
  const crc = Bun.hash.crc32(data) >>> 0;
  const { time, date } = dosDateTime(mtime);
  if (body.length > 0xfffffff0 || data.length > 0xfffffff0) throw new Error(`${name}: too large for a zip without zip64`);

  const local = new DataView(new ArrayBuffer(30));
  local.setUint32(0, 0x04034b50, true); // local file header
  local.setUint16(4, 20, true); // version needed: 2.0
  local.setUint16(6, 0, true); // flags
  local.setUint16(8, stored ? 0 : 8, true); // method: stored | deflate
  local.setUint16(10, time, true);
  local.setUint16(12, date, true);
  local.setUint32(14, crc, true);
  local.setUint32(18, body.length, true);
  local.setUint32(22, data.length, true);
  local.setUint16(26, nameBytes.length, true);
  local.setUint16(28, 0, true); // extra length

  const central = new DataView(new ArrayBuffer(46));
  central.setUint32(0, 0x02014b50, true); // central directory header
  central.setUint16(4, (3 << 8) | 20, true); // made by: Unix, 2.0
  central.setUint16(6, 20, true);
  central.setUint16(8, 0, true);
  central.setUint16(10, stored ? 0 : 8, true);
  central.setUint16(12, time, true);
  central.setUint16(14, date, true);
  central.setUint32(16, crc, true);
  central.setUint32(20, body.length, true);
  central.setUint32(24, data.length, true);
  central.setUint16(28, nameBytes.length, true);
  // extra, comment, disk number, internal attributes: 0
  central.setUint32(38, (0o100755 << 16) >>> 0, true); // external attributes: regular file, rwxr-xr-x
  central.setUint32(42, 0, true); // offset of the local header

  const centralOffset = 30 + nameBytes.length + body.length;
  const centralSize = 46 + nameBytes.length;
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true); // end of central directory
  end.setUint16(8, 1, true); // entries on this disk
  end.setUint16(10, 1, true); // entries in all
  end.setUint32(12, centralSize, true);
  end.setUint32(16, centralOffset, true);

  return concat([new Uint8Array(local.buffer), nameBytes, body, new Uint8Array(central.buffer), nameBytes, new Uint8Array(end.buffer)]);
}

/** A gzipped ustar archive with one regular file, mode 0755, owned by 0:0. */
export function tarGz(name: string, data: Uint8Array<ArrayBuffer>, mtime: Date): Uint8Array {
  if (name.length > 100) throw new Error(`${name}: name too long for a plain ustar header`);
  const header = new Uint8Array(512);
  const put = (offset: number, length: number, text: string) => {
    header.set(new TextEncoder().encode(text).subarray(0, length), offset);
  };
  const octal = (n: number, width: number) => `${n.toString(8).padStart(width - 1, "0")}\0`;
  put(0, 100, name);
  put(100, 8, octal(0o755, 8));
  put(108, 8, octal(0, 8)); // uid
  put(116, 8, octal(0, 8)); // gid
  put(124, 12, octal(data.length, 12));
  put(136, 12, octal(Math.floor(mtime.getTime() / 1000), 12));
  put(148, 8, "        "); // checksum field counts as spaces while summing
  put(156, 1, "0"); // regular file
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  put(265, 32, "root");
  put(297, 32, "root");
  let sum = 0;
  for (const b of header) sum += b;
  put(148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  const padding = (512 - (data.length % 512)) % 512;
  const tar = concat([header, data, new Uint8Array(padding), new Uint8Array(1024)]); // two zero blocks end it
  return Bun.gzipSync(tar, { level: 6 }); // 9 costs 2.5x the time for ~2% smaller
}

function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const SINGLE_STEPS: readonly Step[] = [stageUi, compileHost];
const PACKAGE_STEPS: readonly Step[] = [writeArchives, writeChecksums, writeFormula, writeScoopManifest];
const RELEASE_STEPS: readonly Step[] = [stageUi, compileTargets, ...PACKAGE_STEPS];

/** The packaging steps on a directory that already holds openclaw-<os>-<arch>[.exe] per target. */
export async function packageRelease(input: {
  dir: string;
  version: string;
  targets?: readonly Target[];
  releaseBaseUrl?: string;
  meta?: Partial<ReleaseMeta>;
}): Promise<void> {
  const opts: Options = {
    single: false,
    packageOnly: true,
    entry: "",
    outdir: resolve(input.dir),
    targets: input.targets ?? TARGETS,
    releaseBaseUrl: input.releaseBaseUrl ?? DEFAULT_RELEASE_BASE_URL,
  };
  const meta = { ...releaseMeta({}, opts.releaseBaseUrl), ...input.meta };
  const ctx: Context = { opts, version: input.version, buildId: input.version, meta, artifacts: [] };
  for (const step of PACKAGE_STEPS) await step(ctx);
}

function releaseMeta(pkg: PackageJson, releaseBaseUrl: string): ReleaseMeta {
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  return {
    description: str(pkg.description) ?? "OpenClaw Gateway",
    homepage: str(pkg.homepage) ?? githubRepo(releaseBaseUrl) ?? new URL(releaseBaseUrl).origin,
    license: str(pkg.license),
  };
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const opts = parseOptions(Bun.argv.slice(2));
  if (!opts.packageOnly && !(await Bun.file(opts.entry).exists())) usage(`entry ${shown(opts.entry)} does not exist`);
  const pkg = await readPackageJson();
  const version = packageVersion(pkg);
  const ctx: Context = { opts, version, buildId: `${version}-${shortSha()}`, meta: releaseMeta(pkg, opts.releaseBaseUrl), artifacts: [] };
  mkdirSync(opts.outdir, { recursive: true });
  console.log(`openclaw ${ctx.buildId} (bun ${Bun.version}), ${opts.packageOnly ? `packaging ${shown(opts.outdir)}` : `entry ${shown(opts.entry)}`}`);
  const t0 = performance.now();
  const steps = opts.single ? SINGLE_STEPS : opts.packageOnly ? PACKAGE_STEPS : RELEASE_STEPS;
  try {
    for (const step of steps) await step(ctx);
  } finally {
    unstageUi(ctx);
  }
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    console.error(`build: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

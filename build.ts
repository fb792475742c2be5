// build.ts: `bun run build`. Compiles the gateway into standalone executables (Bun.build + compile).
//
//   bun run build                  every release target -> dist/openclaw-<os>-<arch>[.exe] + dist/SHA256SUMS
//   bun run build --single         this machine only    -> dist/openclaw
//
//   --entry PATH      entry point (default src/main.ts)
//   --outdir DIR      output directory (default dist)
//   --targets a,b     release build of a subset of the table, by target name (e.g. bun-linux-arm64)
//
// The version is baked in with `define`: OPENCLAW_BUILD_VERSION (package.json version) and
// OPENCLAW_BUILD_ID (<version>-<short git sha | nogit>), read by src/version.ts. The executables do not
// read .env or bunfig.toml from the directory they are started in.
//
// A build is a list of steps run in order over one context; the release list is where packaging
// steps (archives, Homebrew, scoop) go when they are written.

import { mkdirSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const ROOT = import.meta.dir;

// ------------------------------------------------------------------ targets

interface Target {
  name: Bun.Build.CompileTarget;
  os: "linux" | "darwin" | "windows";
  arch: "x64" | "arm64";
}

const TARGETS: readonly Target[] = [
  { name: "bun-linux-x64", os: "linux", arch: "x64" },
  { name: "bun-linux-arm64", os: "linux", arch: "arm64" },
  { name: "bun-darwin-x64", os: "darwin", arch: "x64" },
  { name: "bun-darwin-arm64", os: "darwin", arch: "arm64" },
  { name: "bun-windows-x64", os: "windows", arch: "x64" },
];

function releaseFileName(t: Target): string {
  return `openclaw-${t.os}-${t.arch}${t.os === "windows" ? ".exe" : ""}`;
}

// ------------------------------------------------------------------ options

interface Options {
  single: boolean;
  entry: string;
  outdir: string;
  targets: readonly Target[];
}

function usage(message: string): never {
  console.error(`build: ${message}`);
  console.error("usage: bun run build [--single] [--entry PATH] [--outdir DIR] [--targets bun-linux-x64,...]");
  process.exit(2);
}

function parseOptions(argv: readonly string[]): Options {
  let single = false;
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
  return { single, entry: resolve(entry), outdir: resolve(outdir), targets };
}

// ------------------------------------------------------------------ version

async function packageVersion(): Promise<string> {
  const pkg = (await Bun.file(join(ROOT, "package.json")).json()) as { version?: unknown };
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

interface Context {
  opts: Options;
  version: string;
  buildId: string;
  artifacts: Artifact[];
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
    minify: true,
    bytecode: true,
    // Embedded in the executable (zstd) so stack traces point at src/; the .map file Bun also
    // writes next to it is removed below.
    sourcemap: "linked",
    define: {
      OPENCLAW_BUILD_VERSION: JSON.stringify(ctx.version),
      OPENCLAW_BUILD_ID: JSON.stringify(ctx.buildId),
    },
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

/** dist/openclaw for the machine running the build. */
const compileHost: Step = async (ctx) => {
  const outfile = join(ctx.opts.outdir, process.platform === "win32" ? "openclaw.exe" : "openclaw");
  ctx.artifacts.push(await compile(ctx, undefined, outfile));
};

/** dist/openclaw-<os>-<arch>[.exe] for every selected target (other runtimes are fetched by Bun). */
const compileTargets: Step = async (ctx) => {
  for (const t of ctx.opts.targets) ctx.artifacts.push(await compile(ctx, t, join(ctx.opts.outdir, releaseFileName(t))));
};

/** dist/SHA256SUMS over this run's artifacts, in the format `sha256sum -c` reads. */
const writeChecksums: Step = async (ctx) => {
  const lines: string[] = [];
  for (const a of ctx.artifacts) {
    const hasher = new Bun.CryptoHasher("sha256");
    hasher.update(await Bun.file(a.path).bytes());
    lines.push(`${hasher.digest("hex")}  ${relative(ctx.opts.outdir, a.path)}`);
  }
  const path = join(ctx.opts.outdir, "SHA256SUMS");
  await Bun.write(path, `${lines.join("\n")}\n`);
  console.log(`${shown(path).padEnd(40)} ${String(lines.length).padStart(6)} files`);
};

const SINGLE_STEPS: readonly Step[] = [compileHost];
const RELEASE_STEPS: readonly Step[] = [compileTargets, writeChecksums];

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const opts = parseOptions(Bun.argv.slice(2));
  if (!(await Bun.file(opts.entry).exists())) usage(`entry ${shown(opts.entry)} does not exist`);
  const version = await packageVersion();
  const ctx: Context = { opts, version, buildId: `${version}-${shortSha()}`, artifacts: [] };
  mkdirSync(opts.outdir, { recursive: true });
  console.log(`openclaw ${ctx.buildId} (bun ${Bun.version}), entry ${shown(opts.entry)}`);
  const t0 = performance.now();
  for (const step of opts.single ? SINGLE_STEPS : RELEASE_STEPS) await step(ctx);
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
}

main().catch((err: unknown) => {
  console.error(`build: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

// Fake service managers on PATH and an in-process CLI bound to a private HOME.
//
// Each fake (`systemctl`, `launchctl`, `schtasks`, `loginctl`, `cmd.exe`) is a small sh script that
// appends its argv as one JSON array line to $FAKE_SVC_LOG and prints canned output chosen by env:
//   FAKE_<TOOL>_<SUB>_OUT / _ERR / _CODE
// where TOOL is the tool name upper-cased (cmd.exe → CMD_EXE) and SUB is its first argument that
// does not start with "-", upper-cased, "/" dropped, "-" → "_" (daemon-reload → DAEMON_RELOAD,
// /Query → QUERY, show-user → SHOW_USER). Unset means exit 0 with no output.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createIO, type GlobalContext } from "../../src/cli/context.ts";
import { runCli } from "../../src/cli/index.ts";
import { resolvePaths } from "../../src/config/paths.ts";
import { tempDir } from "../fixtures/gateway.ts";

export const FAKE_TOOLS = ["systemctl", "launchctl", "schtasks", "loginctl", "cmd.exe"] as const;

const FAKE_SCRIPT = `#!/bin/sh
name=$(basename "$0")
line="[\\"$name\\""
for a in "$@"; do
  esc=$(printf '%s' "$a" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/"/\\\\"/g')
  line="$line,\\"$esc\\""
done
printf '%s]\\n' "$line" >> "$FAKE_SVC_LOG"
tool=$(printf '%s' "$name" | tr 'a-z.-' 'A-Z__')
sub=""
for a in "$@"; do
  case "$a" in
    -*) ;;
    *) sub="$a"; break ;;
  esac
done
sub=$(printf '%s' "$sub" | tr -d '/' | tr 'a-z-' 'A-Z_' | tr -cd 'A-Z0-9_')
eval "out=\\\${FAKE_\${tool}_\${sub}_OUT-}"
eval "err=\\\${FAKE_\${tool}_\${sub}_ERR-}"
eval "code=\\\${FAKE_\${tool}_\${sub}_CODE-0}"
[ -n "$out" ] && printf '%s\\n' "$out"
[ -n "$err" ] && printf '%s\\n' "$err" >&2
exit "$code"
`;

export interface ServiceSandbox {
  home: string;
  bin: string;
  log: string;
  env: Record<string, string>;
  /** Every fake call so far, argv[0] being the tool name. */
  calls(): string[][];
  clearCalls(): void;
}

export function makeSandbox(opts: { platform?: "linux" | "darwin" | "win32"; env?: Record<string, string>; config?: object } = {}): ServiceSandbox {
  const home = tempDir("svc-home-");
  const bin = join(home, "fake-bin");
  mkdirSync(bin, { recursive: true });
  for (const tool of FAKE_TOOLS) {
    writeFileSync(join(bin, tool), FAKE_SCRIPT);
    chmodSync(join(bin, tool), 0o755);
  }
  const log = join(home, "calls.jsonl");
  writeFileSync(log, "");
  if (opts.config) {
    mkdirSync(join(home, ".openclaw"), { recursive: true });
    writeFileSync(join(home, ".openclaw", "openclaw.json"), JSON.stringify(opts.config));
  }
  const env: Record<string, string> = {
    HOME: home,
    USER: "alice",
    PATH: `${bin}:${process.env.PATH}`,
    FAKE_SVC_LOG: log,
    NO_COLOR: "1",
    OPENCLAW_SERVICE_PLATFORM: opts.platform ?? "linux",
    OPENCLAW_SERVICE_ROOT: join(home, "root"),
    OPENCLAW_LOG_DIR: join(home, "logs"),
    FAKE_LOGINCTL_SHOW_USER_OUT: "Linger=yes",
    ...opts.env,
  };
  return {
    home, bin, log, env,
    calls: () => readFileSync(log, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as string[]),
    clearCalls: () => writeFileSync(log, ""),
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(sb: ServiceSandbox, argv: string[], extraEnv: Record<string, string> = {}, globals: { profile?: string; dev?: boolean } = {}): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...sb.env, ...extraEnv };
  const ctx: GlobalContext = {
    env,
    paths: resolvePaths({ env, profile: globals.profile, dev: globals.dev, cwd: sb.home }),
    globals: { dev: globals.dev ?? false, noColor: true, ...(globals.profile ? { profile: globals.profile } : {}) },
  };
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = createIO(ctx, { stdout: { write: (s: string) => stdout.push(s) }, stderr: { write: (s: string) => stderr.push(s) } });
  const code = await runCli(ctx, argv, io);
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}

export function json<T = Record<string, unknown>>(r: CliRun): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

export function userUnit(sb: ServiceSandbox, name = "openclaw-gateway.service"): string {
  return join(sb.home, ".config", "systemd", "user", name);
}

export function plistPath(sb: ServiceSandbox, label = "ai.openclaw.gateway"): string {
  return join(sb.home, "Library", "LaunchAgents", `${label}.plist`);
}

export function stateFile(sb: ServiceSandbox, name: string, profile?: string): string {
  return join(sb.home, profile ? `.openclaw-${profile}` : ".openclaw", name);
}

export function hasTool(name: string): boolean {
  return Bun.which(name) !== null;
}

export function exists(path: string): boolean {
  return existsSync(path);
}

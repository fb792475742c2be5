/** Running the `tailscale` CLI: one-shot commands with a timeout, and errors worded with the command line. */
import { existsSync } from "node:fs";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Env = Record<string, string | undefined>;

/** Thrown when the command could not run at all or exited non-zero; `missing` when the binary does not exist. */
export class TailscaleCommandError extends Error {
  constructor(message: string, readonly result?: CommandResult, readonly missing = false) {
    super(message);
  }
}

const MAC_APP_BINARY = "/Applications/Tailscale.app/Contents/MacOS/Tailscale";

/** `tailscale` on PATH, then the macOS app, else the bare name (whose spawn then fails with ENOENT). */
export function resolveTailscaleBinary(env: Env): string {
  const onPath = Bun.which("tailscale", { PATH: env.PATH ?? "" });
  if (onPath) return onPath;
  if (process.platform === "darwin" && existsSync(MAC_APP_BINARY)) return MAC_APP_BINARY;
  return "tailscale";
}

export function commandLine(argv: readonly string[]): string {
  return argv.map((a, i) => (i === 0 && a.includes("/") ? a.slice(a.lastIndexOf("/") + 1) : a)).join(" ");
}

/** Runs argv to completion; rejects with TailscaleCommandError on spawn failure, non-zero exit or timeout. */
export async function runCommand(argv: string[], env: Env, timeoutMs: number): Promise<CommandResult> {
  let proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  try {
    proc = Bun.spawn(argv, { env: env as Record<string, string>, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  } catch {
    const name = argv[0] ?? "";
    throw new TailscaleCommandError(`Command failed with ENOENT: ${commandLine(argv)} spawn ${commandLine([name])} ENOENT`, undefined, true);
  }
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  const result = { code, stdout, stderr };
  if (proc.signalCode === "SIGKILL") throw new TailscaleCommandError(`Command timed out after ${timeoutMs}ms: ${commandLine(argv)}`, result);
  if (code !== 0) throw new TailscaleCommandError(`Command failed with exit code ${code}: ${commandLine(argv)}\n${(stderr || stdout).trim()}`, result);
  return result;
}

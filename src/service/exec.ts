/**
 * The OS boundary of service management: every `systemctl`, `launchctl`, `schtasks`, `loginctl`
 * (and Windows `cmd.exe`) call goes through one `run(argv)`, so tests can put fake tools first on
 * PATH or swap the whole thing.
 */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ServiceManagerExec {
  run(argv: string[]): Promise<ExecResult>;
}

type Env = Record<string, string | undefined>;

export const EXEC_TIMEOUT_MS = 30_000;
/** What a shell reports for a missing command; callers treat it as "no such service manager". */
export const NOT_FOUND = 127;
export const TIMED_OUT = 124;

function cleanEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Spawns the real tools, looked up on the PATH of `env` (not of this process). */
export function createProcessExec(env: Env, timeoutMs = EXEC_TIMEOUT_MS): ServiceManagerExec {
  return {
    async run(argv) {
      const [cmd, ...rest] = argv;
      if (cmd === undefined) throw new Error("empty argv");
      const resolved = Bun.which(cmd, { PATH: env.PATH ?? "" });
      if (resolved === null) return { code: NOT_FOUND, stdout: "", stderr: `${cmd}: command not found` };
      const proc = Bun.spawn([resolved, ...rest], {
        env: cleanEnv(env),
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
        timeout: timeoutMs,
        killSignal: "SIGKILL",
      });
      const [stdout, stderr, code] = await Promise.all([
        new Response(proc.stdout).text(),
        new Response(proc.stderr).text(),
        proc.exited,
      ]);
      if (proc.signalCode !== null && proc.signalCode !== undefined) {
        return { code: TIMED_OUT, stdout, stderr: stderr || `${cmd} timed out after ${timeoutMs}ms` };
      }
      return { code, stdout, stderr };
    },
  };
}

/** An argv as one readable line: words with spaces or quotes are double-quoted. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((a) => (a === "" || /[\s"']/.test(a) ? `"${a.replaceAll('"', '\\"')}"` : a)).join(" ");
}

/** The first non-empty line of a failed command's output, for error messages. */
export function firstLine(r: ExecResult): string {
  const text = `${r.stderr}\n${r.stdout}`.split("\n").map((l) => l.trim()).find((l) => l !== "");
  return text ?? `exit code ${r.code}`;
}

// Runs the CLI in-process with captured output, for tests of parsing and formatting.
import { resolvePaths } from "../../src/config/paths.ts";
import { createIO, type CliIO, type GlobalContext } from "../../src/cli/context.ts";
import { runCli } from "../../src/cli/index.ts";

export interface Captured {
  io: CliIO;
  stdout: string[];
  stderr: string[];
}

export function captureIO(ctx: GlobalContext, isTTY = false): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io = createIO(ctx, { stdout: { write: (s: string) => stdout.push(s), isTTY }, stderr: { write: (s: string) => stderr.push(s) } });
  return { io, stdout, stderr };
}

export function testContext(env: Record<string, string | undefined> = {}): GlobalContext {
  const fullEnv = { HOME: process.env.HOME, ...env };
  return { env: fullEnv, paths: resolvePaths({ env: fullEnv }), globals: { dev: false, noColor: false } };
}

export async function run(argv: string[], env: Record<string, string | undefined> = {}) {
  const ctx = testContext(env);
  const cap = captureIO(ctx);
  const code = await runCli(ctx, argv, cap.io);
  return { code, stdout: cap.stdout.join(""), stderr: cap.stderr.join("") };
}

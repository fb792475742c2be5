/** Bad command line: exit 2, like every other usage error. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly exitCode = 2;
}

/**
 * An expected failure: printed as `Error: <message>` (or the JSON error shape with --json) and
 * never with a stack. `type` is the stable machine-readable name in the JSON shape.
 */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly type = "cli_error",
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The command already reported the failure itself; only the exit code is left to apply. */
export class ExitError extends Error {
  override name = "ExitError";
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

const ANSI = /\x1b\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

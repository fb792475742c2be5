/**
 * `gateway run`'s side of the service env file (OPENCLAW_ENV_FILE, see src/service/env-file.ts):
 * load it or stop with exit 78, so a supervisor does not restart-loop on a malformed file.
 */
import { applyEnvFile, EnvFileError } from "../../service/env-file.ts";
import type { CliContext } from "../context.ts";
import { ExitError } from "../errors.ts";

export function loadEnvFileForRun(ctx: Pick<CliContext, "env" | "io">): void {
  try {
    const r = applyEnvFile(ctx.env);
    if (r.warning) ctx.io.err(r.warning);
  } catch (err) {
    if (!(err instanceof EnvFileError)) throw err;
    ctx.io.err(`Gateway failed to start: ${err.message}`);
    throw new ExitError(78);
  }
}

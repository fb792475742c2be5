import { ErrorCodes, GatewayError, secretsMethods } from "../../protocol/index.ts";
import { SecretsUnavailableError } from "../../config/secrets.ts";
import { implement } from "./registry.ts";

export const secretsReloadMethod = implement(secretsMethods.secretsReload, async (_params, { gw }) => {
  const reload = gw.options.reloadSecrets;
  if (!reload) throw new GatewayError(ErrorCodes.UNAVAILABLE, "secrets reload is not available on this gateway");
  try {
    const { warningCount } = await reload();
    return { ok: true as const, warningCount };
  } catch (err) {
    // The previous snapshot stays active; the message names the key and the reason, never a value.
    const message = err instanceof SecretsUnavailableError ? err.message : `secrets reload failed: ${(err as Error)?.message ?? String(err)}`;
    throw new GatewayError(ErrorCodes.UNAVAILABLE, `${message} (previous secrets kept)`);
  }
});

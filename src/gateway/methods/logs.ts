import { ErrorCodes, GatewayError, logsMethods } from "../../protocol/index.ts";
import { tailLogFile } from "../../logging/tail.ts";
import { implement } from "./registry.ts";

export const logsTailMethod = implement(logsMethods.logsTail, async (params, { gw }) => {
  const logger = gw.options.logger;
  const file = logger.file;
  if (!file) throw new GatewayError(ErrorCodes.UNAVAILABLE, "log read failed: the gateway has no file log");
  try {
    return await tailLogFile(file, params);
  } catch (err) {
    throw new GatewayError(ErrorCodes.UNAVAILABLE, `log read failed: ${(err as Error).message}`);
  }
});

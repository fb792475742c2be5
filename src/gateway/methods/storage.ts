import { StorageError } from "../../agents/sessions.ts";
import { ErrorCodes, GatewayError } from "../../protocol/index.ts";

/** A session store fault as the protocol error: UNAVAILABLE, the reason without file paths, retryable when it may clear up. */
export function storageGatewayError(err: StorageError): GatewayError {
  return new GatewayError(ErrorCodes.UNAVAILABLE, err.publicMessage, { retryable: err.retryable });
}

/** Runs a handler's direct reads and writes of the session store, turning a StorageError into UNAVAILABLE. */
export function withStore<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof StorageError ? storageGatewayError(err) : err;
  }
}

/** One device.* RPC for a `devices` verb: the shared reporting call, plus the one retry devices need. */
import { GatewayRequestError } from "../../client/errors.ts";
import type { CliContext } from "../context.ts";
import { callOrExit, type ClientCallArgs, type ClientIdentity } from "../rpc.ts";

export const PAIRING: ClientIdentity = { clientId: "cli", mode: "cli", scopes: ["operator.pairing"] };
export const ADMIN: ClientIdentity = { clientId: "cli", mode: "cli", scopes: ["operator.admin"] };

export type DeviceCallArgs = ClientCallArgs;

/** Calls `method`; on failure prints the error (JSON with --json) and exits 1. */
export function deviceCall<T>(ctx: CliContext, a: DeviceCallArgs, method: string, params: unknown, identities: ClientIdentity[]): Promise<T> {
  return callOrExit<T>(ctx, a, method, params, identities, {
    // Approving a non-operator role needs admin: the next identity asks for it.
    retryNext: (err) => err instanceof GatewayRequestError && err.message === "device pairing approval denied",
  });
}

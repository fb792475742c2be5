/** One device.* RPC for a `devices` verb: target, call, and the errors every verb reports the same way. */
import { GatewayRequestError, GatewayTransportError } from "../../client/errors.ts";
import { parseIntArg } from "../args.ts";
import type { CliContext } from "../context.ts";
import { ExitError } from "../errors.ts";
import { callGateway, describeError, errorJson, isGatewayError, resolveCliTarget, type ClientIdentity } from "../rpc.ts";

export const PAIRING: ClientIdentity = { clientId: "cli", mode: "cli", scopes: ["operator.pairing"] };
export const ADMIN: ClientIdentity = { clientId: "cli", mode: "cli", scopes: ["operator.admin"] };

export interface DeviceCallArgs {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
  json?: boolean;
}

/** Calls `method`; on failure prints the error (JSON with --json) and exits 1. */
export async function deviceCall<T>(ctx: CliContext, a: DeviceCallArgs, method: string, params: unknown, identities: ClientIdentity[]): Promise<T> {
  const timeoutMs = parseIntArg(a.timeout ?? "10000", "timeout", 1);
  const target = await resolveCliTarget(ctx, { url: a.url, token: a.token, password: a.password });
  let last: unknown;
  for (const identity of identities) {
    try {
      return await callGateway<T>(target, { identity, method, params, timeoutMs });
    } catch (err) {
      last = err;
      // Approving a non-operator role needs admin: the next identity asks for it.
      if (!(err instanceof GatewayRequestError && err.message === "device pairing approval denied")) break;
    }
  }
  if (!isGatewayError(last)) throw last;
  if (a.json) ctx.io.json(errorJson(last, target));
  else {
    ctx.io.err(`${method} failed: ${describeError(last)}`);
    if (last instanceof GatewayTransportError) ctx.io.err(`Gateway target: ${target.url} (${target.urlSource})`);
  }
  throw new ExitError(1);
}

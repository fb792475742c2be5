import { defineCommand } from "citty";
import { GatewayTransportError } from "../../client/errors.ts";
import { jsonArg, parseIntArg, parseJsonObjectArg, rejectUnknownFlags, timeoutArg, urlArgs } from "../args.ts";
import type { CliContext } from "../context.ts";
import { ExitError } from "../errors.ts";
import { callGateway, describeError, errorJson, isGatewayError, resolveCliTarget } from "../rpc.ts";
import { scopesForMethod } from "./scopes.ts";

const args = {
  method: { type: "positional", description: "Gateway method, e.g. health or system-presence", required: true },
  params: { type: "string", description: "Method params as a JSON object", default: "{}", valueHint: "json" },
  ...jsonArg,
  ...urlArgs,
  ...timeoutArg(10_000),
  "expect-final": { type: "boolean", description: "Wait for the final response of a two-stage method (agent)" },
} as const;

export function createGatewayCallCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "call", description: "Call a gateway method and print its result as JSON" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      const params = parseJsonObjectArg(a.params, "params");
      const timeoutMs = parseIntArg(a.timeout, "timeout", 1);
      const target = await resolveCliTarget(ctx, { url: a.url, token: a.token, password: a.password });
      try {
        const payload = await callGateway(target, {
          identity: { clientId: "cli", mode: "cli", scopes: scopesForMethod(a.method) },
          method: a.method,
          params,
          timeoutMs,
          expectFinal: a["expect-final"] === true,
        });
        ctx.io.json(payload);
      } catch (err) {
        if (!isGatewayError(err)) throw err;
        if (a.json) {
          ctx.io.json(errorJson(err, target));
        } else {
          ctx.io.err(`Gateway call failed: ${describeError(err)}`);
          if (err instanceof GatewayTransportError) ctx.io.err(`Gateway target: ${target.url} (${target.urlSource})`);
        }
        throw new ExitError(1);
      }
    },
  });
}

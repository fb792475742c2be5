import { defineCommand } from "citty";
import { jsonArg, parseIntArg, rejectUnknownFlags, timeoutArg, urlArgs } from "../args.ts";
import type { CliContext } from "../context.ts";
import { ExitError } from "../errors.ts";
import { callGateway, CLI_READER, describeError, errorJson, isGatewayError, resolveCliTarget } from "../rpc.ts";

const args = { ...jsonArg, ...urlArgs, ...timeoutArg(10_000) } as const;

export function createGatewayHealthCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "health", description: "Check that the gateway answers (health RPC)" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      const timeoutMs = parseIntArg(a.timeout, "timeout", 1);
      const target = await resolveCliTarget(ctx, { url: a.url, token: a.token, password: a.password });
      const started = performance.now();
      try {
        const payload = await callGateway(target, { identity: CLI_READER, method: "health", timeoutMs });
        if (a.json) ctx.io.json(payload);
        else ctx.io.out(`OK (${Math.round(performance.now() - started)}ms)`);
      } catch (err) {
        if (!isGatewayError(err)) throw err;
        if (a.json) ctx.io.json(errorJson(err, target));
        else ctx.io.err(`Gateway health failed: ${describeError(err)} (${target.url}, ${target.urlSource})`);
        throw new ExitError(1);
      }
    },
  });
}

import { defineCommand } from "citty";
import { GatewayRequestError, GatewayTransportError } from "../client/errors.ts";
import { jsonArg, parseIntArg, rejectUnknownFlags, timeoutArg, urlArgs } from "./args.ts";
import type { CliContext } from "./context.ts";
import { ExitError } from "./errors.ts";
import { callGateway, describeError, errorJson, isGatewayError, resolveCliTarget, type ClientIdentity } from "./rpc.ts";

const IDENTITY: ClientIdentity = { clientId: "cli", mode: "cli", scopes: ["operator.admin"] };

const reloadArgs = { ...jsonArg, ...urlArgs, ...timeoutArg(30_000) } as const;

interface ReloadResult {
  ok: true;
  warningCount: number;
}

function isAuthMismatch(err: unknown): boolean {
  const code = (err instanceof GatewayRequestError ? (err.details as { code?: string } | undefined)?.code : undefined) ?? "";
  return code === "AUTH_TOKEN_MISMATCH" || code === "AUTH_PASSWORD_MISMATCH";
}

function createSecretsReloadCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "reload", description: "Resolve the gateway's SecretRefs again and swap them in without a restart" },
    args: reloadArgs,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, reloadArgs);
      const timeoutMs = parseIntArg(a.timeout, "timeout", 1);
      const flags = { url: a.url, token: a.token, password: a.password };
      const target = await resolveCliTarget(ctx, flags);
      let result: ReloadResult;
      try {
        result = await callGateway<ReloadResult>(target, { identity: IDENTITY, method: "secrets.reload", params: {}, timeoutMs });
      } catch (err) {
        if (!isGatewayError(err)) throw err;
        if (a.json) {
          ctx.io.json(errorJson(err, target));
        } else {
          ctx.io.err(`Secrets reload failed: ${describeError(err)}`);
          if (err instanceof GatewayTransportError) ctx.io.err(`Gateway target: ${target.url} (${target.urlSource})`);
          if (isAuthMismatch(err)) {
            ctx.io.err("If the gateway secret was just rotated, the gateway still expects the previous one until this succeeds: pass it with --token/--password.");
          }
        }
        throw new ExitError(1);
      }
      if (a.json) {
        ctx.io.json({ ok: true, warningCount: result.warningCount }, true);
        return;
      }
      ctx.io.out("Secrets reloaded.");
      if (result.warningCount > 0) {
        ctx.io.err(`${result.warningCount} secret reference(s) did not resolve; see the gateway log ([secrets]).`);
      }
    },
  });
}

/** `openclaw secrets …`: operations on the running gateway's secret snapshot. */
export function createSecretsCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "secrets", description: "Manage the running gateway's secrets" },
    subCommands: {
      reload: () => createSecretsReloadCommand(ctx),
    },
  });
}

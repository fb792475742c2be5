import { defineCommand } from "citty";
import { BootError, serve } from "../../gateway/boot.ts";
import { parseLogLevel } from "../../logging/levels.ts";
import type { CliContext } from "../context.ts";
import { ExitError } from "../errors.ts";

export const runArgs = {
  port: { type: "string", description: "Port for WebSocket + HTTP (default 18789; --dev 19001)" },
  bind: { type: "string", description: 'Bind mode: "loopback" (default), "lan", "auto", "custom", "tailnet"' },
  auth: { type: "string", description: 'Auth mode: "token" (default), "password", "none" (loopback only)' },
  token: { type: "string", description: "Shared token clients must send (else OPENCLAW_GATEWAY_TOKEN, gateway.auth.token, or generated)" },
  password: { type: "string", description: "Shared password (else OPENCLAW_GATEWAY_PASSWORD or gateway.auth.password)" },
  "allow-unconfigured": { type: "boolean", description: "Start without a config file (gateway.mode=local assumed)" },
  force: { type: "boolean", description: "Kill any process listening on the target port before starting" },
  verbose: { type: "boolean", description: "Mirror debug logs (handshakes, requests, events) to the console" },
} as const;

/** `openclaw gateway run`: the gateway in the foreground until SIGINT/SIGTERM. */
export default function createGatewayRunCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "run", description: "Run the gateway in the foreground" },
    args: runArgs,
    async run({ args }) {
      // Service definitions without an env-file directive (launchd, Windows) point here for secrets.
      if (ctx.env.OPENCLAW_ENV_FILE) await (await import("../../service/env-file.ts")).loadEnvFileForRun(ctx);
      let code: number;
      try {
        code = await serve({
          env: ctx.env,
          paths: ctx.paths,
          flags: { port: args.port, bind: args.bind, auth: args.auth, token: args.token, password: args.password },
          allowUnconfigured: !!args["allow-unconfigured"],
          force: !!args.force,
          verbose: !!args.verbose,
          logLevel: parseLogLevel(ctx.globals.logLevel ?? ctx.env.OPENCLAW_LOG_LEVEL),
        });
      } catch (err) {
        if (!(err instanceof BootError)) throw err;
        ctx.io.err(err.message.trimEnd());
        code = err.exitCode;
      }
      if (code !== 0) throw new ExitError(code);
    },
  });
}

import { defineCommand } from "citty";
import { BootError, type BootInput } from "../../gateway/boot.ts";
import { serve } from "../../gateway/serve.ts";
import { configReloader } from "../../gateway/reload/index.ts";
import { parseWsLogMode, type WsLogMode } from "../../gateway/ws/ws-log.ts";
import { parseLogLevel } from "../../logging/levels.ts";
import { resolveRawStreamPath } from "../../logging/raw-stream.ts";
import type { CliContext } from "../context.ts";
import { ExitError } from "../errors.ts";

export const runArgs = {
  port: { type: "string", description: "Port for WebSocket + HTTP (default 18789; --dev 19001)" },
  bind: { type: "string", description: 'Bind mode: "loopback" (default), "lan", "auto", "custom", "tailnet"' },
  auth: { type: "string", description: 'Auth mode: "token" (default), "password", "none" (loopback only)' },
  token: { type: "string", description: "Shared token clients must send (else OPENCLAW_GATEWAY_TOKEN, gateway.auth.token, or generated)" },
  password: { type: "string", description: "Shared password (else OPENCLAW_GATEWAY_PASSWORD or gateway.auth.password)" },
  tailscale: { type: "string", valueHint: "off|serve|funnel", description: 'Expose over Tailscale: "serve" (tailnet HTTPS), "funnel" (public, needs --auth password), "off" (else gateway.tailscale.mode)' },
  "allow-unconfigured": { type: "boolean", description: "Start without a config file (gateway.mode=local assumed)" },
  force: { type: "boolean", description: "Kill any process listening on the target port before starting" },
  verbose: { type: "boolean", description: "Mirror debug logs (handshakes, requests, events) to the console" },
  "ws-log": { type: "string", valueHint: "auto|compact|full", description: 'WebSocket log style: "auto" (default: failures and slow calls; all with --verbose), "compact", "full"' },
  compact: { type: "boolean", description: "Same as --ws-log compact" },
  "raw-stream": { type: "boolean", description: "Append every raw model stream event to a JSONL file (or OPENCLAW_RAW_STREAM=1)" },
  "raw-stream-path": { type: "string", valueHint: "file", description: "File for --raw-stream (or OPENCLAW_RAW_STREAM_PATH; default <state>/logs/raw-stream.jsonl)" },
} as const;

/** `--ws-log` wins over `--compact`; an unknown style is refused like an unknown --bind. */
function wsLogOf(args: { "ws-log"?: string; compact?: boolean }): WsLogMode | undefined {
  const raw = args["ws-log"];
  if (raw === undefined) return args.compact ? "compact" : undefined;
  const mode = parseWsLogMode(raw);
  if (!mode) throw new BootError('Invalid --ws-log. Use "auto", "full", or "compact".', 1);
  return mode;
}

/** `openclaw gateway run`: the gateway in the foreground until SIGINT/SIGTERM. */
export default function createGatewayRunCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "run", description: "Run the gateway in the foreground" },
    args: runArgs,
    async run({ args }) {
      // Service definitions without an env-file directive (launchd, Windows) point here for secrets.
      if (ctx.env.OPENCLAW_ENV_FILE) (await import("./env-file.ts")).loadEnvFileForRun(ctx);
      let code: number;
      try {
        const wsLog = wsLogOf(args);
        const rawStreamPath = resolveRawStreamPath(ctx.env, ctx.paths.stateDir, { rawStream: !!args["raw-stream"], rawStreamPath: args["raw-stream-path"] });
        const input: BootInput = {
          env: ctx.env,
          paths: ctx.paths,
          flags: { port: args.port, bind: args.bind, auth: args.auth, token: args.token, password: args.password, tailscale: args.tailscale },
          allowUnconfigured: !!args["allow-unconfigured"],
          force: !!args.force,
          verbose: !!args.verbose,
          wsLog,
          rawStreamPath,
          logLevel: parseLogLevel(ctx.globals.logLevel ?? ctx.env.OPENCLAW_LOG_LEVEL),
        };
        // Every (re)boot watches its config file; a restart disposes the watcher and starts a new one.
        code = await serve(input, undefined, { onBooted: configReloader(input) });
      } catch (err) {
        if (!(err instanceof BootError)) throw err;
        ctx.io.err(err.message.trimEnd());
        code = err.exitCode;
      }
      if (code !== 0) throw new ExitError(code);
    },
  });
}

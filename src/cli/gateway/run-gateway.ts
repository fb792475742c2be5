import type { ResolvedPaths } from "../../config/paths.ts";
import { BootError, bootGateway, runForeground } from "../../gateway/boot.ts";
import type { LogLevel } from "../../logging/levels.ts";

export interface RunArgs {
  port?: string;
  bind?: string;
  auth?: string;
  token?: string;
  password?: string;
  allowUnconfigured?: boolean;
  verbose?: boolean;
}

/** `openclaw gateway run`: boots in the foreground and resolves with the process exit code. */
export async function runGatewayCommand(
  args: RunArgs,
  ctx: { env: Record<string, string | undefined>; paths: ResolvedPaths; logLevel?: LogLevel },
): Promise<number> {
  try {
    const booted = await bootGateway({
      env: ctx.env,
      paths: ctx.paths,
      flags: { port: args.port, bind: args.bind, auth: args.auth, token: args.token, password: args.password },
      allowUnconfigured: !!args.allowUnconfigured,
      verbose: !!args.verbose,
      logLevel: ctx.logLevel,
    });
    return await runForeground(booted);
  } catch (err) {
    if (!(err instanceof BootError)) throw err;
    process.stderr.write(err.message.endsWith("\n") ? err.message : err.message + "\n");
    return err.exitCode;
  }
}

export const runArgs = {
  port: { type: "string", description: "Port for WebSocket + HTTP (default 18789; --dev 19001)" },
  bind: { type: "string", description: 'Bind mode: "loopback" (default), "lan", "auto", "custom", "tailnet"' },
  auth: { type: "string", description: 'Auth mode: "token" (default), "password", "none" (loopback only)' },
  token: { type: "string", description: "Shared token clients must send (else OPENCLAW_GATEWAY_TOKEN, gateway.auth.token, or generated)" },
  password: { type: "string", description: "Shared password (else OPENCLAW_GATEWAY_PASSWORD or gateway.auth.password)" },
  "allow-unconfigured": { type: "boolean", description: "Start without a config file (gateway.mode=local assumed)" },
  verbose: { type: "boolean", description: "Mirror debug logs (handshakes, requests, events) to the console" },
} as const;

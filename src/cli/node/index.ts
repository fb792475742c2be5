/** `openclaw node run|identity`: this machine as a node of a gateway. */
import { defineCommand } from "citty";
import { hostname } from "node:os";
import { loadConfig } from "../../config/load.ts";
import { localGatewayPort } from "../../client/target.ts";
import { NodeHost, type NodeHostLog } from "../../nodes/host/host.ts";
import { DeviceTokens, loadOrCreateIdentity, loadSettings, NodeStateError, saveSettings, type NodeSettings } from "../../nodes/host/state.ts";
import { SYSTEM_COMMANDS } from "../../nodes/host/system.ts";
import { jsonArg, parseIntArg, rejectUnknownFlags } from "../args.ts";
import type { CliContext } from "../context.ts";
import { CliError, ExitError, UsageError } from "../errors.ts";

const runArgs = {
  host: { type: "string", description: "Gateway host (default: the last one used, else 127.0.0.1)" },
  port: { type: "string", description: "Gateway port (default: the last one used, else the local gateway's port)" },
  tls: { type: "boolean", description: "Connect with wss:// (remembered with host and port)" },
  displayName: { type: "string", description: "The name operators see (default: the last one used, else the hostname)" },
  commands: { type: "string", description: `Comma-separated subset of the commands to offer (default: ${SYSTEM_COMMANDS.join(",")})` },
  verbose: { type: "boolean", description: "Log every invoke and retry detail" },
} as const;

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

function withState<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof NodeStateError) throw new CliError(err.message, "node_state_invalid");
    throw err;
  }
}

function parseCommands(text: string | undefined): string[] {
  if (text === undefined) return [...SYSTEM_COMMANDS];
  const wanted = text.split(",").map((c) => c.trim()).filter((c) => c !== "");
  const unknown = wanted.filter((c) => !(SYSTEM_COMMANDS as readonly string[]).includes(c));
  if (wanted.length === 0 || unknown.length > 0) {
    throw new UsageError(`Invalid --commands: ${unknown.join(",") || "(empty)"} (this node host serves ${SYSTEM_COMMANDS.join(", ")})`);
  }
  return [...new Set(wanted)];
}

/** The local gateway's port when none was given or remembered; a broken config only costs the default. */
function defaultPort(ctx: CliContext): number {
  try {
    return localGatewayPort(ctx.env, loadConfig(ctx.paths.configPath, ctx.env).config, ctx.paths);
  } catch {
    return localGatewayPort(ctx.env, {}, ctx.paths);
  }
}

function logFor(ctx: CliContext, verbose: boolean): NodeHostLog {
  return {
    info: (l) => ctx.io.out(l),
    warn: (l) => ctx.io.err(l),
    error: (l) => ctx.io.err(l),
    debug: (l) => (verbose ? ctx.io.out(l) : undefined),
  };
}

function runCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "run", description: "Connect this machine to a gateway as a node and serve its commands until stopped" },
    args: runArgs,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, runArgs);
      const settings: NodeSettings = withState(() => loadSettings(ctx.paths.stateDir));
      const last = settings.gateway;
      const host = nonEmpty(a.host) ?? last?.host ?? "127.0.0.1";
      const port = a.port !== undefined ? parseIntArg(a.port, "port", 1, 65535) : last?.port ?? defaultPort(ctx);
      const tls = a.tls ?? last?.tls ?? false;
      const displayName = nonEmpty(a.displayName) ?? settings.displayName ?? hostname();
      const commands = parseCommands(a.commands);
      const identity = withState(() => loadOrCreateIdentity(ctx.paths.stateDir));
      withState(() => saveSettings(ctx.paths.stateDir, { ...settings, displayName, gateway: { host, port, tls } }));
      const url = `${tls ? "wss" : "ws"}://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
      const token = nonEmpty(ctx.env.OPENCLAW_GATEWAY_TOKEN);
      const password = nonEmpty(ctx.env.OPENCLAW_GATEWAY_PASSWORD);
      if (identity.created) ctx.io.out(`Created node identity ${identity.deviceId} (${identity.path})`);
      const nodeHost = new NodeHost({
        url, identity, tokens: new DeviceTokens(ctx.paths.stateDir), displayName, instanceId: settings.instanceId,
        commands, hostEnv: ctx.env, statsPath: ctx.paths.stateDir, log: logFor(ctx, a.verbose === true),
        ...(token !== undefined ? { token } : {}), ...(password !== undefined ? { password } : {}),
      });
      const stop = () => nodeHost.stop();
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      try {
        const code = await nodeHost.done;
        if (code !== 0) throw new ExitError(code);
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    },
  });
}

function identityCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "identity", description: "This node's device id and public key (made on first use)" },
    args: jsonArg,
    run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, jsonArg);
      const identity = withState(() => loadOrCreateIdentity(ctx.paths.stateDir));
      const out = { deviceId: identity.deviceId, publicKey: identity.publicKey, createdAtMs: identity.createdAtMs, path: identity.path, created: identity.created };
      if (a.json) {
        ctx.io.json(out);
        return;
      }
      ctx.io.out(`Device ID:  ${out.deviceId}`);
      ctx.io.out(`Public key: ${out.publicKey}`);
      ctx.io.out(`Created:    ${new Date(out.createdAtMs).toISOString()}${out.created ? " (just now)" : ""}`);
      ctx.io.out(`File:       ${out.path}`);
    },
  });
}

export function createNodeCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "node", description: "Run this machine as a node of a gateway (its own key, paired once)" },
    subCommands: {
      run: () => runCommand(ctx),
      identity: () => identityCommand(ctx),
    },
  });
}

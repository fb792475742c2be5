/**
 * `openclaw channels status [--probe] [--channel id]`: the gateway's view of every channel account,
 * and the config file's view when no gateway answers (a refused connection falls back at once;
 * only a gateway that accepts and then says nothing makes us wait out --timeout).
 */
import { GatewayTransportError } from "../../client/ws-client.ts";
import type { GatewayTarget } from "../../client/target.ts";
import { ConfigError, formatConfigError, loadConfig } from "../../config/load.ts";
import { jsonArg, parseIntArg, timeoutArg, urlArgs, verb } from "../args.ts";
import type { CliContext } from "../context.ts";
import { CliError, ExitError, UsageError } from "../errors.ts";
import { asCli, READ } from "../nodes/call.ts";
import { callGateway, describeError, errorJson, isGatewayError, resolveCliTarget } from "../rpc.ts";
import { configOnlyChannels } from "./config-only.ts";
import { configOnlyLines, statusLines, type ChannelsStatus } from "./format.ts";

const args = {
  probe: { type: "boolean", description: "Also ask each account's service whether it works (Telegram: getMe)" },
  channel: { type: "string", description: "Only this channel", valueHint: "telegram|whatsapp" },
  ...jsonArg,
  ...urlArgs,
  // The published default: a probe may take the gateway's whole 30 s budget, and then some.
  ...timeoutArg(60_000),
} as const;

/** `--channel` as the RPC wants it: trimmed, lower case; blank is refused rather than meaning "all". */
export function channelFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const id = value.trim().toLowerCase();
  if (!id) throw new UsageError("--channel must not be blank (omit it for every channel)");
  return id;
}

/** As the published CLI sends it: always its whole --timeout as the budget (the gateway clamps it to 1–30 s). */
export function statusParams(probe: boolean, timeoutMs: number, channel: string | undefined): Record<string, unknown> {
  return { probe, timeoutMs, ...(channel ? { channel } : {}) };
}

function configOnly(ctx: CliContext, json: boolean, target: GatewayTarget, err: GatewayTransportError, channel: string | undefined): void {
  let config;
  try {
    config = loadConfig(ctx.paths.configPath, ctx.env).config;
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(formatConfigError(e), "config_invalid");
    throw e;
  }
  const channels = configOnlyChannels(config.channels, { env: ctx.env, stateDir: ctx.paths.stateDir }, channel);
  const mode = config.gateway?.mode;
  if (json) {
    // The published CLI's keys first (scripts written for it keep working; we never fall back on
    // an auth failure, so gatewayAuthUnavailable stays false), then the accounts it does not list.
    ctx.io.json({
      gatewayReachable: false, error: err.message, gatewayAuthUnavailable: false, configOnly: true,
      config: { path: ctx.paths.configPath, mode: mode ?? null }, configuredChannels: channels.map((c) => c.id),
      gateway: { url: target.url, urlSource: target.urlSource, errorKind: err.kind },
      channels: Object.fromEntries(channels.map((c) => [c.id, { label: c.label, accounts: c.accounts }])),
    });
    return;
  }
  for (const line of configOnlyLines({ configPath: ctx.paths.configPath, mode, channels })) ctx.io.out(line);
  // Why it fell back, on stderr so the summary above stays the same whatever the failure.
  ctx.io.err(`Gateway target: ${target.url} (${target.urlSource}): ${err.message}`);
}

export function statusCommand(ctx: CliContext) {
  return verb("status", "Channel accounts on the gateway (config-only summary when it is unreachable)", args, async (a) => {
    const timeoutMs = parseIntArg(a.timeout, "timeout", 1);
    const channel = channelFlag(a.channel);
    const probe = a.probe === true;
    if (!a.json) ctx.io.out(probe ? "Checking channel status (probe)…" : "Checking channel status…");
    const target = await resolveCliTarget(ctx, { url: a.url, token: a.token, password: a.password });
    let status: ChannelsStatus;
    try {
      status = await callGateway<ChannelsStatus>(target, { identity: asCli(READ), method: "channels.status", params: statusParams(probe, timeoutMs, channel), timeoutMs });
    } catch (err) {
      if (err instanceof GatewayTransportError) return configOnly(ctx, a.json === true, target, err, channel);
      if (!isGatewayError(err)) throw err;
      if (a.json) ctx.io.json(errorJson(err, target));
      else ctx.io.err(`channels.status failed: ${describeError(err)}`);
      throw new ExitError(1);
    }
    if (a.json) {
      ctx.io.json(status);
      return;
    }
    ctx.io.out("Gateway reachable.");
    for (const line of statusLines(status, Date.now())) ctx.io.out(line);
  });
}

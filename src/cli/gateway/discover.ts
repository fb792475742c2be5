import { defineCommand } from "citty";
import { jsonArg, parseIntArg, rejectUnknownFlags, timeoutArg } from "../args.ts";
import type { CliContext } from "../context.ts";
import { loadConfig } from "../../config/load.ts";
import type { Beacon, DiscoverResult } from "../../discovery/beacons.ts";

const args = {
  ...jsonArg,
  ...timeoutArg(2000),
  domain: { type: "string", description: "Also browse this wide-area DNS-SD domain (default: OPENCLAW_WIDE_AREA_DOMAIN, else discovery.wideArea.domain)", valueHint: "domain" },
} as const;

/** The wide-area domain: --domain, else the env default, else the config's (a broken config just means none). */
function wideAreaDomain(ctx: CliContext, flag: string | undefined): string | undefined {
  if (flag?.trim()) return flag;
  if (ctx.env.OPENCLAW_WIDE_AREA_DOMAIN?.trim()) return ctx.env.OPENCLAW_WIDE_AREA_DOMAIN;
  try {
    return loadConfig(ctx.paths.configPath, ctx.env).config.discovery?.wideArea?.domain;
  } catch {
    return undefined;
  }
}

/** `openclaw gateway discover`: Bonjour beacons of gateways on this network, browsed in-process. */
export function createGatewayDiscoverCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "discover", description: "Find gateways advertised over Bonjour (_openclaw-gw._tcp) on the LAN and in a wide-area domain" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      const timeoutMs = parseIntArg(a.timeout, "timeout", 1, 60_000);
      const { discoverGateways } = await import("../../discovery/discover.ts");
      const result = await discoverGateways({ timeoutMs, wideAreaDomain: wideAreaDomain(ctx, a.domain) });
      if (a.json) ctx.io.json(result);
      else printDiscovery(ctx, result);
    },
  });
}

function printDiscovery(ctx: CliContext, r: DiscoverResult): void {
  ctx.io.out("Gateway Discovery");
  ctx.io.out(`Found ${r.count} gateway(s) · domains: ${r.domains.join(", ")}`);
  for (const b of r.beacons) {
    ctx.io.out("");
    ctx.io.out(`- ${b.displayName} (${b.instanceName}, ${b.domain})`);
    for (const line of beaconLines(b)) ctx.io.out(`  ${line}`);
  }
}

export function beaconLines(b: Beacon): string[] {
  const lines: string[] = [];
  if (b.tailnetDns) lines.push(`tailnet: ${b.tailnetDns}`);
  if (b.lanHost) lines.push(`lan: ${b.lanHost}`);
  if (b.host) lines.push(`host: ${b.host}${b.addresses.length ? ` (${b.addresses.join(", ")})` : ""}`);
  lines.push(`ws: ${b.wsUrl ?? "unresolved"}`);
  if (b.role) lines.push(`role: ${b.role}`);
  if (b.transport) lines.push(`transport: ${b.transport}`);
  lines.push(`tls: ${b.gatewayTls ? `yes${b.gatewayTlsFingerprintSha256 ? ` (sha256 ${b.gatewayTlsFingerprintSha256})` : ""}` : "no"}`);
  const sshHost = b.tailnetDns ?? b.lanHost ?? b.host;
  if (sshHost && b.port) lines.push(`ssh: ssh -N -L 18789:127.0.0.1:${b.gatewayPort ?? b.port} <user>@${sshHost} -p ${b.sshPort ?? 22}`);
  return lines;
}

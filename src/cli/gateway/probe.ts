import { defineCommand } from "citty";
import { bonjourEnvOverride } from "../../discovery/policy.ts";
import { jsonArg, parseIntArg, rejectUnknownFlags, timeoutArg } from "../args.ts";
import type { CliContext } from "../context.ts";
import { ExitError, UsageError } from "../errors.ts";
import { checkWsUrlFlag, readLocalConfig } from "../rpc.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import { localGatewayPort } from "../../client/target.ts";
import type { Capability } from "../../probe/connect.ts";
import { parseSshTarget } from "../../probe/ssh.ts";
import { runGatewayProbe, type Discover, type ProbeReport, type ProbeTargetJson } from "../../probe/run.ts";

const args = {
  ...jsonArg,
  url: { type: "string", description: "Probe this gateway WebSocket URL first", valueHint: "ws://host:port" },
  port: { type: "string", description: "Gateway port (loopback, and the remote port of --ssh); without --url only loopback is probed" },
  ssh: { type: "string", description: "Open an SSH tunnel to this host and probe the gateway through it", valueHint: "user@host[:port]" },
  "ssh-identity": { type: "string", description: "SSH identity file for --ssh", valueHint: "path" },
  "ssh-auto": { type: "boolean", description: "Tunnel to the first gateway host discovery finds" },
  token: { type: "string", description: "Gateway token (sent to every target)" },
  password: { type: "string", description: "Gateway password (sent to every target)" },
  ...timeoutArg(3000),
} as const;

const CAPABILITY_LABELS: Record<Capability, string> = {
  admin_capable: "admin-capable",
  write_capable: "write-capable",
  read_only: "read-only",
  connected_no_operator_scope: "connect-only",
  pairing_pending: "pairing pending",
  unknown: "unknown",
};

const KIND_LABELS: Record<ProbeTargetJson["kind"], string> = {
  explicit: "Explicit URL",
  sshTunnel: "SSH tunnel",
  configRemote: "Configured remote",
  localLoopback: "Local loopback",
};

function discoveryFor(config: OpenClawConfig): Discover {
  return async (timeoutMs) => {
    const { discoverGateways } = await import("../../discovery/discover.ts");
    const domain = config.discovery?.wideArea?.domain;
    return (await discoverGateways({ timeoutMs, ...(domain ? { wideAreaDomain: domain } : {}) })).beacons;
  };
}

export function createGatewayProbeCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "probe", description: "Find every gateway this machine can reach (URL, SSH tunnel, configured remote, loopback) and what it may do there" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      const timeoutMs = parseIntArg(a.timeout, "timeout", 1);
      const port = a.port === undefined ? undefined : parseIntArg(a.port, "port", 1, 65535);
      if (a.url !== undefined) checkWsUrlFlag(a.url);
      if (a.ssh !== undefined && a["ssh-auto"]) throw new UsageError("--ssh and --ssh-auto cannot be combined");
      if (a.ssh !== undefined) {
        try {
          parseSshTarget(a.ssh);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      const loaded = await readLocalConfig(ctx);
      if (loaded.error && !a.json) ctx.io.err(`Warning: config not used (${loaded.error})`);
      let localPort = 18789;
      try {
        localPort = localGatewayPort(ctx.env, loaded.config, ctx.paths);
      } catch {
        // unusable port settings: probe the default port
      }
      const report = await runGatewayProbe({
        ...(a.url !== undefined ? { url: a.url } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(a.ssh !== undefined ? { ssh: a.ssh } : {}),
        ...(a["ssh-identity"] ? { sshIdentity: a["ssh-identity"] } : {}),
        sshAuto: !!a["ssh-auto"],
        ...(a.token !== undefined ? { token: a.token } : {}),
        ...(a.password !== undefined ? { password: a.password } : {}),
        timeoutMs,
        config: loaded.config,
        unresolvedSecrets: loaded.unresolved,
        env: ctx.env,
        localPort,
        // Whoever switched Bonjour off gets no multicast from this command either.
        ...(bonjourEnvOverride(ctx.env.OPENCLAW_DISABLE_BONJOUR) === "force-off"
          ? { discoverySkipped: "OPENCLAW_DISABLE_BONJOUR is set" }
          : { discover: discoveryFor(loaded.config) }),
      });
      if (a.json) ctx.io.json(report);
      else for (const line of formatProbe(report)) ctx.io.out(line);
      if (!report.ok) throw new ExitError(1);
    },
  });
}

function connectLine(t: ProbeTargetJson): string {
  const c = t.connect;
  if (!c.ok) return `Connect: failed - ${c.error ?? "unknown error"}${c.close && c.close.code !== 1006 ? ` (close ${c.close.code})` : ""}`;
  const parts = [`Connect: ok (${c.latencyMs}ms)`, `Capability: ${CAPABILITY_LABELS[t.auth.capability]}`];
  if (c.rpcOk) parts.push("Read probe: ok");
  else parts.push(`Read probe: ${c.scopeLimited ? "limited" : "failed"} - ${c.error ?? "unknown error"}`);
  return parts.join(" · ");
}

/** The human report: verdict, warnings, discovery, then one block per target. */
export function formatProbe(r: ProbeReport): string[] {
  const lines = ["Gateway Status", `Reachable: ${r.ok ? "yes" : "no"}`, `Capability: ${CAPABILITY_LABELS[r.capability]}`, `Probe budget: ${r.timeoutMs}ms`];
  if (r.warnings.length) {
    lines.push("", "Warnings:");
    for (const w of r.warnings) lines.push(`- ${w.code}: ${w.message}`);
  }
  lines.push("", "Discovery (this machine)");
  if (r.discovery.skipped) lines.push(`Skipped (${r.discovery.skipped})`);
  else if (r.discovery.count === 0) lines.push(`No gateways advertised (${r.discovery.timeoutMs}ms)`);
  for (const b of r.discovery.beacons) lines.push(`- ${b.displayName ?? b.host ?? "?"}${b.wsUrl ? ` ${b.wsUrl}` : ""}`);
  lines.push("", "Targets");
  for (const t of r.targets) {
    lines.push(`${KIND_LABELS[t.kind]} ${t.url}${t.active ? "" : " (inactive)"}${t.tunnel ? ` via ssh ${t.tunnel.target} (remote port ${t.tunnel.remotePort})` : ""}`);
    lines.push(`  ${connectLine(t)}`);
    if (t.server.version) lines.push(`  Gateway: ${t.server.version}${t.server.buildId ? ` (${t.server.buildId})` : ""}`);
  }
  if (!r.ok) {
    lines.push("", "No gateway answered any probe and discovery found none. Run `openclaw gateway status --deep --require-rpc` to see why.");
  }
  return lines;
}

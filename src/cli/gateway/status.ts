import { defineCommand } from "citty";
import { jsonArg, parseIntArg, rejectUnknownFlags, timeoutArg, urlArgs } from "../args.ts";
import type { CliContext } from "../context.ts";
import { CliError, ExitError, UsageError } from "../errors.ts";
import { resolveCliTarget } from "../rpc.ts";
import { SINGLE_GATEWAY_RECOMMENDATION } from "../../service/deep.ts";
import { collectGatewayStatus, type GatewayStatusJson, type TargetResolver } from "../../service/gateway-status.ts";
import { formatArgv } from "../../service/exec.ts";
import type { RpcProbeJson } from "../../service/status.ts";

const args = {
  ...jsonArg,
  deep: { type: "boolean", description: "Also scan for other gateway-like services (systemd units, LaunchAgents/Daemons, scheduled tasks)" },
  probe: { type: "boolean", default: true, description: "Probe the gateway over RPC (--no-probe skips it)" },
  "require-rpc": { type: "boolean", description: "Exit 1 when the RPC probe fails" },
  ...urlArgs,
  ...timeoutArg(10_000),
} as const;

/** `openclaw gateway status`: supervisor state and RPC reachability, reported separately. */
export function createGatewayStatusCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "status", description: "Show the gateway service (supervisor) state and whether the gateway answers RPC" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      const probe = a.probe !== false;
      if (!probe && a["require-rpc"]) throw new UsageError("--require-rpc cannot be combined with --no-probe");
      const timeoutMs = parseIntArg(a.timeout, "timeout", 1);
      const resolveTarget: TargetResolver = async () => {
        try {
          return { target: await resolveCliTarget(ctx, { url: a.url, token: a.token, password: a.password }) };
        } catch (err) {
          // A broken local config is a failed probe in the report; a bad --url is a usage error.
          if (err instanceof CliError && err.type === "config_invalid") return { error: err.message };
          throw err;
        }
      };
      const doc = await collectGatewayStatus(ctx, { probe, deep: !!a.deep, timeoutMs, resolveTarget });
      if (a.json) ctx.io.json(doc);
      else printStatus(ctx, doc);
      if (a["require-rpc"] && !doc.rpc?.ok) throw new ExitError(1);
    },
  });
}

function runtimeLine(doc: GatewayStatusJson): string {
  const rt = doc.service?.runtime;
  if (!rt) return "Runtime: unknown";
  const parts = [rt.pid ? `pid ${rt.pid}` : "", rt.state ? `state ${rt.state}` : "", rt.subState ? `sub ${rt.subState}` : ""];
  if (rt.lastExitStatus !== undefined && rt.status !== "running") parts.push(`last exit ${rt.lastExitStatus}`);
  if (rt.detail) parts.push(rt.detail);
  const details = parts.filter((p) => p !== "").join(", ");
  return `Runtime: ${rt.status}${details ? ` (${details})` : ""}`;
}

function printService(ctx: CliContext, doc: GatewayStatusJson): void {
  const out = (l: string) => ctx.io.out(l);
  const svc = doc.service;
  if (!svc) {
    out(`Service: unavailable (${doc.serviceError ?? "no supported service manager"})`);
    return;
  }
  const what = svc.manager === "systemd" ? `systemd ${svc.scope} unit ${svc.name}` : `${svc.label} ${svc.name}`;
  const role = doc.gateway.targetRole === "target" ? "" : " (diagnostic only, not the probe target)";
  if (!svc.installed) {
    out(`Service: not installed (${what})`);
    return;
  }
  out(`Service: ${what} (${svc.loadedText})${role}`);
  out(`Service file: ${svc.definitionPath}`);
  if (svc.command) out(`Command: ${formatArgv(svc.command)}`);
  if (svc.version) out(`Service version: ${svc.version}${svc.version === doc.cli.version ? "" : ` (CLI is ${doc.cli.version})`}`);
  if (svc.envFile) out(`Service env file: ${svc.envFile.path} (${svc.envFile.exists ? `mode ${svc.envFile.mode}` : "missing"})`);
  out(runtimeLine(doc));
}

function printStatus(ctx: CliContext, doc: GatewayStatusJson): void {
  const out = (l: string) => ctx.io.out(l);
  printService(ctx, doc);
  out("");
  const c = doc.config.cli;
  out(`Config (cli): ${c.path}${c.exists ? (c.valid ? "" : " (invalid)") : " (missing)"}`);
  if (doc.config.service) out(`Config (service): ${doc.config.service.path}`);
  out(`Probe target: ${doc.gateway.probeUrl ?? "none"}${doc.gateway.urlSource ? ` (${doc.gateway.urlSource})` : ""}`);
  out("");
  const rpc = doc.rpc;
  if (!rpc) out("RPC probe: skipped (--no-probe)");
  else if (rpc.ok) out(`RPC probe: ok (gateway ${rpc.serverVersion ?? "?"}, ${rpc.latencyMs} ms)`);
  else out(`RPC probe: failed (${rpc.error?.message ?? "unknown error"})`);
  if (rpc?.discovery) out(bonjourLine(rpc.discovery));
  if (rpc?.tailscale && rpc.tailscale.mode !== "off") out(`Tailscale: ${rpc.tailscale.mode}${rpc.tailscale.url ? ` · ${rpc.tailscale.url}` : ""}`);
  if (doc.gateway.port !== null && doc.gateway.portListening !== null) {
    out(`Port ${doc.gateway.port}: ${doc.gateway.portListening ? "listening" : "not listening"}`);
  }
  if (doc.lastError) out(`Last gateway error: ${doc.lastError}`);
  if (doc.logFile) out(`File log: ${doc.logFile}`);
  for (const h of doc.hints) out(h);
  if (doc.extraServices) printExtras(ctx, doc);
}

/** Whether the gateway advertises itself on the LAN, as the gateway itself reports it. */
export function bonjourLine(d: NonNullable<RpcProbeJson["discovery"]>): string {
  const m = d.mdns;
  const wide = d.wideArea.domain ? ` · wide-area ${d.wideArea.domain}${d.wideArea.zoneFile ? "" : " (no zone written)"}` : "";
  if (!m.advertising) return `Bonjour: not advertising (${m.reason})${wide}`;
  const on = m.interfaces ? ` on ${m.interfaces.join(", ")}` : " on all interfaces";
  return `Bonjour: advertising "${m.instanceName}" (${m.mode}, ${m.state ?? "unknown"}) as ${m.hostname ?? "?"}${on}${wide}`;
}

function printExtras(ctx: CliContext, doc: GatewayStatusJson): void {
  const out = (l: string) => ctx.io.out(l);
  out("");
  if (doc.extraServicesError) ctx.io.err(`Warning: ${doc.extraServicesError}`);
  const extras = doc.extraServices ?? [];
  if (extras.length === 0) {
    out("No other gateway-like services found.");
    return;
  }
  out("Other gateway-like services detected (best effort):");
  for (const e of extras) {
    out(`- ${e.label} (${e.scope}${e.legacy ? ", legacy" : ""}, ${e.detail})`);
    for (const h of e.hints) out(`  ${h}`);
  }
  out(SINGLE_GATEWAY_RECOMMENDATION);
}

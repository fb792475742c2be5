import { defineCommand } from "citty";
import { jsonArg, parseIntArg, rejectUnknownFlags, timeoutArg } from "../args.ts";
import type { CliContext } from "../context.ts";
import { readLocalConfig } from "../rpc.ts";
import { collectStatus, type StatusDocument } from "./collect.ts";
import { formatUsage } from "./usage.ts";

const args = {
  ...jsonArg,
  deep: { type: "boolean", description: "Also run live channel probes (channels.status probe:true)" },
  all: { type: "boolean", description: "Full read-only diagnosis: every section, with the service details" },
  usage: { type: "boolean", description: "Add provider quotas: rate limits from each provider's last response and token usage (usage.status)" },
  ...timeoutArg(10_000),
} as const;

export function createStatusCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "status", description: "One overview: gateway reachability, auth, service, agents, channels, nodes, sessions, dashboard" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      const timeoutMs = parseIntArg(a.timeout, "timeout", 1);
      const { config, error } = await readLocalConfig(ctx);
      const doc = await collectStatus(ctx, config, error, { deep: !!a.deep, all: !!a.all, usage: !!a.usage, timeoutMs });
      if (a.json) ctx.io.json(doc);
      else for (const line of formatStatus(doc, { deep: !!a.deep, all: !!a.all })) ctx.io.out(line);
    },
  });
}

function age(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "no activity";
  if (ms < 60_000) return `${Math.round(ms / 1000)}s ago`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m ago`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)}h ago`;
  return `${Math.round(ms / 86_400_000)}d ago`;
}

function latency(ms: number | null): string {
  if (ms === null) return "";
  return ms >= 1000 ? ` ${(ms / 1000).toFixed(2)}s` : ` ${ms}ms`;
}

/** Two columns in a box: the overview table. */
export function table(rows: Array<[string, string]>): string[] {
  const w1 = Math.max(4, ...rows.map((r) => r[0].length));
  const w2 = Math.max(5, ...rows.map((r) => r[1].length));
  const line = (l: string, m: string, r: string) => `${l}${"─".repeat(w1 + 2)}${m}${"─".repeat(w2 + 2)}${r}`;
  const row = (a: string, b: string) => `│ ${a.padEnd(w1)} │ ${b.padEnd(w2)} │`;
  return [line("┌", "┬", "┐"), row("Item", "Value"), line("├", "┼", "┤"), ...rows.map(([a, b]) => row(a, b)), line("└", "┴", "┘")];
}

function serviceText(svc: StatusDocument["gatewayService"]): string {
  if (!svc) return "unknown";
  if (!svc.installed) return `not installed${svc.detail ? ` (${svc.detail})` : ""}`;
  const rt = svc.runtime as { status?: string; pid?: number } | undefined;
  return `${svc.label ?? svc.name ?? "service"} · ${svc.loadedText ?? "installed"} · ${rt?.status ?? "unknown"}${rt?.pid ? ` (pid ${rt.pid})` : ""}`;
}

function discoveryText(d: StatusDocument): string {
  const m = d.discovery?.mdns as { advertising: boolean; instanceName: string | null; mode: string; reason: string } | undefined;
  if (!m) return "unknown (gateway down)";
  return m.advertising ? `Bonjour "${m.instanceName}" (${m.mode})` : `not advertising (${m.reason})`;
}

export function formatStatus(d: StatusDocument, o: { deep: boolean; all: boolean }): string[] {
  const g = d.gateway;
  const gateway = g.reachable
    ? `${g.mode} · ${g.url} (${g.urlSource}) · reachable${latency(g.connectLatencyMs)} · auth ${g.authMode}`
    : `${g.mode} · ${g.url ?? "no target"}${g.urlSource ? ` (${g.urlSource})` : ""} · unreachable (${g.error ?? "unknown error"})`;
  const agentList = d.agents.agents.map((a) => a.id).join(", ");
  const hb = d.heartbeat?.agents as Array<{ agentId: string; enabled: boolean; every: string }> | undefined;
  const rows: Array<[string, string]> = [
    ["OS", d.os.label],
    ["Dashboard", d.dashboard ?? "unknown"],
    ["Tailscale exposure", d.tailscale.url ? `${d.tailscale.mode} · ${d.tailscale.url}` : d.tailscale.mode],
    ["Discovery", discoveryText(d)],
    ["Update", `${d.update.current} · ${d.update.installKind}${d.update.command ? ` · update: ${d.update.command}` : " · update: replace the binary, then openclaw gateway restart"}`],
    ["Gateway", gateway],
    ["Gateway version", d.runtimeVersion ? `${d.runtimeVersion}${d.runtimeVersion === d.cliVersion ? "" : ` (CLI ${d.cliVersion})`}` : "unknown"],
    ["Gateway service", serviceText(d.gatewayService)],
    ["Agents", `${d.agents.agents.length}${agentList ? ` (${agentList})` : ""}${d.agents.defaultId ? ` · default ${d.agents.defaultId}` : ""}`],
    ["Channels", d.channelSummary.length ? `${d.channelSummary.length} configured` : g.reachable ? "none configured" : "unknown (gateway down)"],
    ["Nodes", d.nodes ? `${d.nodes.connected} connected · ${d.nodes.count} known` : "unknown"],
    ["Sessions", d.sessions ? `${d.sessions.count} stored` : "unknown"],
    ["Heartbeat", hb ? hb.map((h) => `${h.enabled ? h.every : "disabled"} (${h.agentId})`).join(", ") : "unknown"],
    ["Telemetry", `off (${d.telemetry.detail})`],
    ["Memory", d.memoryPlugin ? (d.memoryPlugin.enabled ? `enabled (${d.memoryPlugin.slot})` : `off${d.memoryPlugin.reason ? ` (${d.memoryPlugin.reason})` : ""}`) : "unknown"],
    ["Probes", o.deep ? (d.channels ? "channels probed" : "channel probe failed") : "skipped (use --deep)"],
  ];
  if (d.eventLoop) rows.push(["Event loop", `${d.eventLoop.degraded ? "degraded" : "ok"} p99=${Math.round(d.eventLoop.delayP99Ms)}ms max=${Math.round(d.eventLoop.delayMaxMs)}ms`]);
  const out = ["OpenClaw status", "", "Overview", ...table(rows)];
  if (!g.reachable) out.push("", "Gateway not reachable: shown from the local config and service manager only.");
  out.push("", "Channels");
  if (d.channelSummary.length === 0) out.push(g.reachable ? "No channels configured" : "Unknown while the gateway is down");
  for (const line of d.channelSummary) out.push(`- ${line}`);
  if (o.deep && d.channels) {
    const ch = d.channels as { channelOrder?: string[]; channels?: Record<string, { running?: boolean; lastError?: string | null; probe?: { ok?: boolean; error?: string } }> };
    for (const id of ch.channelOrder ?? []) {
      const c = ch.channels?.[id];
      out.push(`  ${id}: probe ${c?.probe ? (c.probe.ok ? "ok" : `failed (${c.probe.error ?? "unknown"})`) : "n/a"}`);
    }
  }
  out.push("", "Sessions");
  const recent = (d.sessions?.recent ?? []) as Array<{ key: string; age: number }>;
  if (!d.sessions) out.push("Unknown while the gateway is down");
  else if (d.sessions.count === 0) out.push("No sessions");
  else if (recent.length === 0) out.push(`${d.sessions.count} stored (keys need operator.admin)`);
  for (const s of recent.slice(0, o.all ? 10 : 5)) out.push(`- ${s.key} (${age(s.age)})`);
  if (d.usage !== undefined) out.push(...formatUsage(d.usage, d.collection.notCollected.find((n) => n.fields.includes("usage"))?.reason ?? null));
  if (o.all && d.collection.notCollected.length) {
    out.push("", "Not collected");
    for (const n of d.collection.notCollected) out.push(`- ${n.fields.join(", ")}: ${n.reason}`);
  }
  out.push("", "Next steps:");
  if (!g.reachable) {
    out.push("  Start the gateway:       openclaw gateway run   (or: openclaw gateway start)");
    out.push("  Diagnose:                openclaw gateway status --deep");
  }
  out.push("  Find every gateway:      openclaw gateway probe");
  if (!o.deep) out.push("  Test channels:           openclaw status --deep");
  out.push("  Follow the logs:         openclaw logs --follow");
  return out;
}

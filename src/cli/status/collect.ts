/**
 * `openclaw status`: one document from the running gateway when it answers (status, health,
 * node.list, and with --deep channels.status probe:true) and from this machine's config and
 * service manager either way. What could not be collected is listed, never invented.
 */
import { arch, platform, release } from "node:os";
import { GatewayClient } from "../../client/ws-client.ts";
import type { GatewayTarget } from "../../client/target.ts";
import { resolveAgents } from "../../agents/agents-config.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import { collectGatewayStatus } from "../../service/gateway-status.ts";
import { VERSION } from "../../version.ts";
import type { CliContext } from "../context.ts";
import { CliError } from "../errors.ts";
import { resolveCliTarget } from "../rpc.ts";
import { dashboardUrls } from "../dashboard.ts";
import type { UsageStatusResult } from "../../protocol/methods/usage.ts";
import { USAGE_METHOD } from "./usage.ts";

export interface StatusOptions {
  deep: boolean;
  all: boolean;
  timeoutMs: number;
  /** --usage: also ask usage.status (provider rate limits and token usage). */
  usage?: boolean;
}

type Json = Record<string, any>;

export interface StatusDocument {
  runtimeVersion: string | null;
  cliVersion: string;
  pid: number | null;
  os: { platform: string; arch: string; release: string; label: string };
  dashboard: string | null;
  /** The route the running gateway reports (url), else the configured mode (url null). */
  tailscale: { mode: string; url: string | null };
  /** The running gateway's Bonjour/wide-area state; null when it is down. */
  discovery: Json | null;
  /** How this copy was installed and how to update it (no network check is made). */
  update: { channel: string; current: string; installKind: InstallKind; command: string | null };
  /** This gateway sends no usage data anywhere. */
  telemetry: { enabled: false; detail: string };
  gateway: {
    mode: "local" | "remote";
    url: string | null;
    urlSource: string | null;
    misconfigured: boolean;
    reachable: boolean;
    connectLatencyMs: number | null;
    self: Json | null;
    error: string | null;
    authWarning: string | null;
    authMode: string;
  };
  gatewayService: Json | null;
  agents: { defaultId: string | null; agents: Array<{ id: string; name?: string; sessionsCount: number | null; lastActiveAgeMs: number | null }>; totalSessions: number | null };
  heartbeat: Json | null;
  channelSummary: string[];
  channels: Json | null;
  nodes: { count: number; connected: number } | null;
  sessions: Json | null;
  tasks: Json | null;
  eventLoop: Json | null;
  processMemory: Json | null;
  memoryPlugin: Json | null;
  /** Only with --usage: usage.status, or null when it could not be read (see collection.notCollected). */
  usage?: UsageStatusResult | null;
  collection: { source: "gateway" | "config"; notCollected: Array<{ fields: string[]; reason: string }> };
}

function authModeOf(config: OpenClawConfig, target: GatewayTarget | undefined): string {
  const mode = config.gateway?.auth?.mode;
  if (mode) return mode;
  if (target?.password) return "password";
  if (target?.token) return "token";
  return "none";
}

function configAgents(config: OpenClawConfig): StatusDocument["agents"] {
  try {
    const agents = [...resolveAgents(config).values()];
    const def = agents.find((a) => a.isDefault) ?? agents[0];
    return {
      defaultId: def?.id ?? null,
      agents: agents.map((a) => ({ id: a.id, ...(a.name ? { name: a.name } : {}), sessionsCount: null, lastActiveAgeMs: null })),
      totalSessions: null,
    };
  } catch {
    return { defaultId: null, agents: [], totalSessions: null };
  }
}

interface Live {
  latencyMs: number;
  status: Json;
  health: Json | null;
  nodes: Json | null;
  channels: Json | null;
  usage?: { value: UsageStatusResult | null; error: string | null };
  errors: string[];
}

async function readLive(target: GatewayTarget, o: StatusOptions): Promise<Live> {
  const deadline = Date.now() + o.timeoutMs;
  const started = performance.now();
  const client = await GatewayClient.connect({
    url: target.url, clientId: "cli", mode: "cli", scopes: ["operator.read"], timeoutMs: o.timeoutMs,
    ...(target.token ? { token: target.token } : {}), ...(target.password ? { password: target.password } : {}),
  });
  const latencyMs = Math.round(performance.now() - started);
  try {
    const left = () => Math.max(1, deadline - Date.now());
    const errors: string[] = [];
    const soft = <T>(p: Promise<T>, what: string) => p.catch((err: Error) => (errors.push(`${what}: ${err.message}`), null));
    // A gateway without usage.status (or a failing one) leaves the rest of status intact.
    const usage = o.usage
      ? client.request<UsageStatusResult>(USAGE_METHOD, {}, { timeoutMs: left() })
        .then((value) => ({ value, error: null }), (err: Error) => ({ value: null, error: err.message }))
      : undefined;
    const [status, health, nodes, channels] = await Promise.all([
      client.request<Json>("status", { includeChannelSummary: true, includeCliProjection: true }, { timeoutMs: left() }),
      soft(client.request<Json>("health", undefined, { timeoutMs: left() }), "health"),
      soft(client.request<Json>("node.list", {}, { timeoutMs: left() }), "node.list"),
      o.deep ? soft(client.request<Json>("channels.status", { probe: true, timeoutMs: Math.min(10_000, left()) }, { timeoutMs: left() }), "channels.status") : null,
    ]);
    return { latencyMs, status, health, nodes, channels, errors, ...(usage ? { usage: await usage } : {}) };
  } finally {
    client.close();
  }
}

export async function collectStatus(ctx: CliContext, config: OpenClawConfig, configError: string | undefined, o: StatusOptions): Promise<StatusDocument> {
  let target: GatewayTarget | undefined;
  let targetError: string | undefined;
  try {
    target = await resolveCliTarget(ctx, {});
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    targetError = err.message;
  }
  const service = collectGatewayStatus(ctx, { probe: false, deep: false, timeoutMs: o.timeoutMs, resolveTarget: async () => ({ error: "not probed" }) })
    .then((d) => d.service ? { ...d.service } as Json : { label: "unavailable", installed: false, detail: d.serviceError ?? null })
    .catch((err: Error) => ({ label: "unavailable", installed: false, detail: err.message }) as Json);
  let live: Live | undefined;
  let liveError: string | null = targetError ?? configError ?? null;
  if (target) {
    try {
      live = await readLive(target, o);
      liveError = live.errors.length ? live.errors.join("; ") : null;
    } catch (err) {
      liveError = (err as Error).message;
    }
  }
  const s = live?.status;
  const projection = s?.cliProjection as Json | undefined;
  const names = new Map<string, string | undefined>((projection?.agents?.rows ?? []).map((r: Json) => [r.id, r.name]));
  const agents: StatusDocument["agents"] = s
    ? {
      defaultId: projection?.agents?.defaultId ?? s.heartbeat?.defaultAgentId ?? null,
      agents: (s.sessions?.byAgent ?? []).map((a: Json) => ({
        id: a.agentId, ...(names.get(a.agentId) ? { name: names.get(a.agentId) } : {}),
        sessionsCount: a.count ?? null, lastActiveAgeMs: a.recent?.[0]?.age ?? null,
      })),
      totalSessions: s.sessions?.count ?? null,
    }
    : configAgents(config);
  const basePath = target?.urlSource === "local loopback" ? config.gateway?.controlUi?.basePath ?? "" : "";
  const notCollected: StatusDocument["collection"]["notCollected"] = [];
  if (!s) {
    notCollected.push({
      fields: ["runtimeVersion", "heartbeat", "sessions", "tasks", "channelSummary", "nodes", "eventLoop", "agents.agents.*.sessionsCount"],
      reason: `Gateway not reachable (${liveError ?? "no target"}); the rest comes from the local config and service manager.`,
    });
  } else if (!o.deep) {
    notCollected.push({ fields: ["channels"], reason: "Live channel probes run with --deep." });
  }
  if (o.usage && !live?.usage?.value) {
    const why = live?.usage?.error ? `usage.status failed: ${live.usage.error}` : `Gateway not reachable (${liveError ?? "no target"})`;
    notCollected.push({ fields: ["usage"], reason: why });
  }
  const rel = release();
  return {
    runtimeVersion: s?.runtimeVersion ?? null,
    cliVersion: VERSION,
    pid: s?.pid ?? null,
    os: { platform: platform(), arch: arch(), release: rel, label: `${platform()} ${rel} (${arch()})` },
    dashboard: target ? dashboardUrls(target.url, basePath, undefined).httpUrl : null,
    tailscale: (s?.tailscale as StatusDocument["tailscale"] | undefined) ?? { mode: config.gateway?.tailscale?.mode ?? "off", url: null },
    discovery: s?.discovery ?? null,
    update: { channel: "stable", current: VERSION, ...installKind(process.execPath, Bun.main) },
    telemetry: { enabled: false, detail: "none sent: the gateway reports nothing to anyone" },
    gateway: {
      mode: config.gateway?.mode === "remote" ? "remote" : "local",
      url: target?.url ?? null,
      urlSource: target?.urlSource ?? null,
      misconfigured: configError !== undefined || targetError !== undefined,
      reachable: s !== undefined,
      connectLatencyMs: live?.latencyMs ?? null,
      self: s ? { version: s.runtimeVersion, pid: s.pid, uptimeMs: s.uptimeMs } : null,
      error: liveError,
      authWarning: target && !target.token && !target.password && config.gateway?.auth?.mode !== "none" ? "no gateway token or password configured for this CLI" : null,
      authMode: authModeOf(config, target),
    },
    gatewayService: await service,
    agents,
    heartbeat: s?.heartbeat ?? null,
    channelSummary: (s?.channelSummary as string[] | undefined) ?? [],
    channels: live?.channels ?? null,
    nodes: live?.nodes ? nodeCounts(live.nodes) : null,
    sessions: s?.sessions ?? null,
    tasks: s?.tasks ?? null,
    eventLoop: s?.eventLoop ?? null,
    processMemory: s?.processMemory ?? null,
    memoryPlugin: projection?.memoryPlugin ?? null,
    ...(o.usage ? { usage: live?.usage?.value ?? null } : {}),
    collection: { source: s ? "gateway" : "config", notCollected },
  };
}

export type InstallKind = "homebrew" | "scoop" | "binary" | "source";

/** Told from where the running executable lives; the update command is the one that install method uses. */
export function installKind(execPath: string, main: string): { installKind: InstallKind; command: string | null } {
  const compiled = main.startsWith("/$bunfs/") || /^[A-Za-z]:[\\/]~BUN[\\/]/.test(main);
  if (!compiled) return { installKind: "source", command: "git pull && bun install" };
  if (/[\\/](Cellar|homebrew|linuxbrew)[\\/]/i.test(execPath)) return { installKind: "homebrew", command: "brew upgrade openclaw && openclaw gateway restart" };
  if (/[\\/]scoop[\\/]/i.test(execPath)) return { installKind: "scoop", command: "scoop update openclaw; openclaw gateway restart" };
  return { installKind: "binary", command: null };
}

function nodeCounts(list: Json): { count: number; connected: number } {
  const nodes = (Array.isArray(list.nodes) ? list.nodes : []) as Json[];
  return { count: nodes.length, connected: nodes.filter((n) => n.connected === true).length };
}

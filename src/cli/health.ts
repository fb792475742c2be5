import { defineCommand } from "citty";
import { GatewayTransportError } from "../client/errors.ts";
import { jsonArg, parseIntArg, rejectUnknownFlags, timeoutArg } from "./args.ts";
import type { CliContext } from "./context.ts";
import { ExitError } from "./errors.ts";
import { callGateway, describeError, errorJson, isGatewayError, resolveCliTarget, type ClientIdentity } from "./rpc.ts";

const args = { ...jsonArg, ...timeoutArg(60_000) } as const;

const IDENTITY: ClientIdentity = {
  clientId: "gateway-client",
  mode: "backend",
  displayName: "gateway:health",
  scopes: ["operator.read"],
};

interface HealthView {
  durationMs?: number;
  heartbeatSeconds?: number;
  defaultAgentId?: string;
  agents?: Array<{ agentId?: string; isDefault?: boolean; heartbeat?: { everyMs?: number | null }; sessions?: { path?: string; count?: number } }>;
  sessions?: { path?: string; count?: number };
  connections?: { total?: number; operators?: number; nodes?: number };
  eventLoop?: {
    degraded?: boolean; degradedSinceMs?: number | null; reasons?: string[];
    delayMaxMs?: number; delayP99Ms?: number; utilization?: number; cpuCoreRatio?: number;
  };
}

function ms(n: number | undefined): string {
  return `${Math.round(n ?? 0)}ms`;
}

function every(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** The runbook's summary lines; fields the gateway does not report are left out, not invented. */
export function formatHealth(payload: unknown): string[] {
  const h = (payload ?? {}) as HealthView;
  const lines: string[] = [];
  const loop = h.eventLoop;
  if (loop) {
    let line = `Gateway event loop: ${loop.degraded ? "degraded" : "ok"}`;
    if (loop.degraded && typeof loop.degradedSinceMs === "number") line += ` for ${every(Math.round(loop.degradedSinceMs / 1000))}`;
    if (loop.reasons?.length) line += ` reasons=${loop.reasons.join(",")}`;
    line += ` max=${ms(loop.delayMaxMs)} p99=${ms(loop.delayP99Ms)}`;
    if (loop.utilization !== undefined) line += ` util=${loop.utilization}`;
    if (loop.cpuCoreRatio !== undefined) line += ` cpu=${loop.cpuCoreRatio}`;
    lines.push(line);
  }
  lines.push(`Gateway probe duration: ${ms(h.durationMs)}`);
  const agents = h.agents ?? [];
  if (agents.length > 0) {
    lines.push(`Agents: ${agents.map((a) => `${a.agentId ?? "?"}${a.isDefault ? " (default)" : ""}`).join(", ")}`);
  }
  const main = h.defaultAgentId ?? "main";
  // Per-agent heartbeat and store when the gateway reports them (the default agent's, as the published CLI shows).
  const own = agents.find((a) => a.agentId === main && (a.heartbeat || a.sessions));
  if (own?.heartbeat) {
    const everyMs = own.heartbeat.everyMs;
    lines.push(`Heartbeat interval: ${everyMs ? every(Math.round(everyMs / 1000)) : "disabled"} (${main})`);
  } else if (h.heartbeatSeconds) lines.push(`Heartbeat interval: ${every(h.heartbeatSeconds)} (${main})`);
  const store = own?.sessions ?? h.sessions;
  if (store?.path !== undefined) lines.push(`Session store (${main}): ${store.path} (${store.count ?? 0} entries)`);
  const c = h.connections;
  if (c) lines.push(`Connections: ${c.total ?? 0} (operators ${c.operators ?? 0}, nodes ${c.nodes ?? 0})`);
  return lines;
}

export function createHealthCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "health", description: "Show the running gateway's health" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      const timeoutMs = parseIntArg(a.timeout, "timeout", 1);
      // No --url here: like the published CLI, health targets the configured gateway (or the env override).
      const target = await resolveCliTarget(ctx, {});
      try {
        const payload = await callGateway(target, { identity: IDENTITY, method: "health", timeoutMs });
        if (a.json) ctx.io.json(payload);
        else for (const line of formatHealth(payload)) ctx.io.out(line);
      } catch (err) {
        if (!isGatewayError(err)) throw err;
        if (a.json) {
          const out = errorJson(err, target);
          if (err instanceof GatewayTransportError && err.kind === "timeout") (out.error as Record<string, unknown>).timeoutMs = timeoutMs;
          ctx.io.json(out);
        } else if (err instanceof GatewayTransportError) {
          ctx.io.err(`Gateway not reachable: ${err.message}`);
          ctx.io.err("Run openclaw gateway status --deep to diagnose.");
        } else {
          ctx.io.err(`Health check failed: ${describeError(err)}`);
        }
        throw new ExitError(1);
      }
    },
  });
}

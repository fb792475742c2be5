import { systemMethods } from "../../protocol/index.ts";
import type { PresenceEntry } from "../../protocol/index.ts";
import { scopeSatisfied } from "../../protocol/index.ts";
import { implement } from "./registry.ts";
import { channelSummaryLines, statusParts } from "../status-summary.ts";
import { discoveryOff } from "../../discovery/status.ts";

export const healthMethod = implement(systemMethods.health, (_params, { gw }) => gw.health().json);

export const statusMethod = implement(systemMethods.status, (params, { gw, conn }) => {
  const o = gw.options;
  // Read-only callers see the shape but not the filesystem layout.
  const canSeePaths = scopeSatisfied(conn.scopes ?? [], "operator.admin");
  const path = (p: string | null) => (p === null ? null : canSeePaths ? p : "[redacted]");
  const mem = process.memoryUsage();
  const parts = statusParts(gw.agents, gw.config, { sensitive: canSeePaths, cliProjection: params.includeCliProjection === true });
  const channels = params.includeChannelSummary === false ? [] : channelSummaryLines(gw.channels?.active?.healthSnapshot());
  return {
    runtimeVersion: gw.version,
    pid: process.pid,
    uptimeMs: gw.uptimeMs(),
    gateway: {
      port: gw.port,
      bind: o.bind,
      hosts: gw.hosts,
      authMode: gw.auth.mode,
      configPath: path(gw.loaded.path)!,
      stateDir: path(o.paths.stateDir)!,
      logFile: path(o.logger.file),
      profile: o.paths.profile,
    },
    connections: gw.connectionCounts(),
    presenceCount: gw.presence.size,
    queuedSystemEvents: gw.systemEvents.slice(-20).map((e) => ({ ...e })),
    heartbeat: parts.heartbeat,
    channelSummary: channels,
    degradedSecretOwners: [],
    degradedPlugins: [],
    tasks: parts.tasks,
    taskAudit: parts.taskAudit,
    sessions: parts.sessions,
    ...(parts.cliProjection ? { cliProjection: parts.cliProjection } : {}),
    processMemory: { rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal },
    eventLoop: gw.loop.snapshot(),
    discovery: redactZone(gw.discovery?.status(gw.config) ?? discoveryOff(gw.config, process.env), path),
    tailscale: { ...gw.tailscale },
  };
});

function redactZone<T extends { wideArea: { zoneFile: string | null } }>(d: T, path: (p: string | null) => string | null): T {
  return { ...d, wideArea: { ...d.wideArea, zoneFile: path(d.wideArea.zoneFile) } };
}

export const systemPresenceMethod = implement(systemMethods.systemPresence, (_params, { gw }) => {
  if (gw.presence.prune()) gw.broadcastPresence();
  return gw.presence.json();
});

export const systemEventMethod = implement(systemMethods.systemEvent, (p, { gw, conn }) => {
  const key = p.instanceId ?? p.deviceId ?? p.host ?? conn.client?.instanceId ?? conn.connId;
  const fields: Partial<PresenceEntry> = {
    text: p.text, instanceId: p.instanceId, deviceId: p.deviceId, host: p.host ?? conn.client?.displayName,
    ip: p.ip ?? conn.remoteAddress, mode: p.mode, version: p.version, platform: p.platform,
    deviceFamily: p.deviceFamily, modelIdentifier: p.modelIdentifier, lastInputSeconds: p.lastInputSeconds,
    reason: p.reason ?? "system-event", roles: p.roles, scopes: p.scopes, tags: p.tags,
  };
  gw.presence.upsertBeacon(key, fields);
  gw.queueSystemEvent({ text: p.text, ts: Date.now(), sessionKey: p.sessionKey, source: conn.client?.id });
  gw.broadcastPresence();
  return { ok: true as const };
});

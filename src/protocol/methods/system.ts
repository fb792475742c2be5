import { z } from "zod";
import { PresenceEntrySchema } from "../connect.ts";
import { lazyMethod } from "./types.ts";

const Empty = z.strictObject({});

export const EventLoopSchema = z.object({
  degraded: z.boolean(),
  degradedSinceMs: z.number().nullable().describe("How long the loop has been degraded (null while it is not)"),
  reasons: z.array(z.string()).describe("Why it counts as degraded (event_loop_delay, event_loop_utilization, cpu)"),
  intervalMs: z.number(),
  delayP99Ms: z.number(),
  delayMaxMs: z.number(),
  utilization: z.number().describe("Event-loop utilization over the last sample (0..1)"),
  cpuCoreRatio: z.number().describe("Process CPU time per wall-clock time over the last sample (1 = one core busy)"),
});

const HeartbeatSettingsSchema = z.object({
  enabled: z.boolean(),
  every: z.string(),
  everyMs: z.number().nullable(),
  target: z.string(),
  ackMaxChars: z.int(),
}).passthrough();

const SessionsSummarySchema = z.object({
  path: z.string(),
  count: z.int(),
  recent: z.array(z.unknown()),
  error: z.string().optional().describe("Set while the session store fails (disk full, damaged file, …): session methods answer UNAVAILABLE"),
});

export const HealthSchema = z
  .object({
    ok: z.boolean(),
    ts: z.number(),
    durationMs: z.number(),
    uptimeMs: z.number(),
    plugins: z.object({ loaded: z.array(z.string()), errors: z.array(z.unknown()), unavailable: z.array(z.string()) }),
    configReload: z.object({ hotReloadStatus: z.string() }),
    channels: z.record(z.string(), z.unknown()),
    channelOrder: z.array(z.string()),
    channelLabels: z.record(z.string(), z.string()),
    linkChannel: z
      .object({ id: z.string(), label: z.string(), linked: z.boolean(), accountId: z.string(), authAgeMs: z.number().optional() })
      .optional()
      .describe("The channel that needs a linked device (WhatsApp), when one is configured: whether it is linked"),
    heartbeatSeconds: z.number(),
    defaultAgentId: z.string(),
    agents: z.array(
      z.object({ agentId: z.string(), isDefault: z.boolean(), heartbeat: HeartbeatSettingsSchema, sessions: SessionsSummarySchema }).passthrough(),
    ),
    sessions: SessionsSummarySchema,
    connections: z.object({ total: z.int(), operators: z.int(), nodes: z.int() }),
    eventLoop: EventLoopSchema,
  })
  .describe("Gateway health snapshot (cached; also pushed as the health event)");
export type Health = z.infer<typeof HealthSchema>;

export const health = lazyMethod({
  name: "health",
  description: "Health snapshot; always allowed, whatever the caller's scopes",
  scope: "always",
  lenientParams: true,
}, () => ({
  params: z.strictObject({ probe: z.boolean().optional() }),
  result: HealthSchema,
}));

export const StatusSchema = z
  .object({
    runtimeVersion: z.string(),
    pid: z.int(),
    uptimeMs: z.number(),
    gateway: z.object({
      port: z.int(),
      bind: z.string(),
      hosts: z.array(z.string()),
      authMode: z.string(),
      configPath: z.string(),
      stateDir: z.string(),
      logFile: z.string().nullable(),
      profile: z.string().nullable(),
    }),
    connections: z.object({ total: z.int(), operators: z.int(), nodes: z.int() }),
    presenceCount: z.int(),
    queuedSystemEvents: z.array(z.object({ text: z.string(), ts: z.number() }).passthrough()),
    heartbeat: z.object({ defaultAgentId: z.string(), agents: z.array(z.unknown()) }),
    channelSummary: z.array(z.unknown()).describe("One line per configured channel; empty when includeChannelSummary is false"),
    degradedSecretOwners: z.array(z.unknown()),
    degradedPlugins: z.array(z.unknown()),
    tasks: z.record(z.string(), z.unknown()),
    taskAudit: z.record(z.string(), z.unknown()),
    sessions: z.object({
      paths: z.array(z.string()),
      count: z.int(),
      defaults: z.object({ model: z.string().nullable(), contextTokens: z.number().nullable() }),
      recent: z.array(z.unknown()),
      byAgent: z.array(z.object({ agentId: z.string(), path: z.string(), count: z.int(), recent: z.array(z.unknown()) }).passthrough()),
    }),
    cliProjection: z
      .object({
        agents: z.object({
          defaultId: z.string().nullable(),
          ownership: z.string().nullable(),
          selectionRequired: z.boolean().nullable(),
          rows: z.array(z.object({ id: z.string(), name: z.string().optional() })),
        }),
        updateChannel: z.string().nullable(),
        memoryPlugin: z.object({ enabled: z.boolean(), slot: z.string().nullable(), reason: z.string().optional() }),
      })
      .optional()
      .describe("Agent names and settings for `openclaw status`; only with includeCliProjection"),
    processMemory: z.object({ rss: z.number(), heapUsed: z.number(), heapTotal: z.number() }),
    eventLoop: EventLoopSchema,
    discovery: z
      .object({
        mdns: z.object({
          mode: z.enum(["off", "minimal", "full"]),
          advertising: z.boolean(),
          instanceName: z.string().nullable().describe("The advertised instance name after any conflict renaming"),
          hostname: z.string().nullable(),
          state: z.string().nullable().describe("probing, announcing or announced while advertising"),
          interfaces: z.array(z.string()).nullable().describe("Interfaces answered on; null = all (wildcard bind) or not advertising"),
          reason: z.string().describe("Why advertising is on or off"),
        }),
        wideArea: z.object({ domain: z.string().nullable(), zoneFile: z.string().nullable() }),
      })
      .describe("Bonjour (LAN) and wide-area DNS-SD state"),
    tailscale: z
      .object({ mode: z.enum(["off", "serve", "funnel"]), url: z.string().nullable() })
      .describe("The Tailscale serve/funnel route in front of this gateway, if any"),
  })
  .describe("Short gateway summary; paths are redacted for read-only callers");
export type Status = z.infer<typeof StatusSchema>;

export const status = lazyMethod({
  name: "status",
  description: "Short summary of the running gateway",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
  params: z.strictObject({
    includeChannelSummary: z.boolean().optional().describe("false leaves channelSummary empty (default true)"),
    includeCliProjection: z.boolean().optional().describe("true adds cliProjection (agent names, update channel, memory plugin)"),
  }),
  result: StatusSchema,
}));

export const systemPresence = lazyMethod({
  name: "system-presence",
  description: "Current presence list (the gateway itself, connected clients, recent beacons)",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
  params: Empty,
  result: z.array(PresenceEntrySchema),
}));

export const SystemEventParamsSchema = z.strictObject({
  text: z.string().min(1),
  idempotencyKey: z.string().optional(),
  sessionKey: z.string().optional(),
  wake: z.union([z.boolean(), z.string()]).optional(),
  deviceId: z.string().optional(),
  instanceId: z.string().optional(),
  host: z.string().optional(),
  ip: z.string().optional(),
  mode: z.string().optional(),
  version: z.string().optional(),
  platform: z.string().optional(),
  deviceFamily: z.string().optional(),
  modelIdentifier: z.string().optional(),
  lastInputSeconds: z.number().optional(),
  reason: z.string().optional(),
  roles: z.array(z.string()).optional(),
  scopes: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
});

export const systemEvent = lazyMethod({
  name: "system-event",
  description: "Post a presence/system note; updates presence and broadcasts it",
  scope: "operator.admin",
}, () => ({
  params: SystemEventParamsSchema,
  result: z.strictObject({ ok: z.literal(true) }),
}));

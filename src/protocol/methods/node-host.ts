/** What a node host reports on and after connect (node role only). */
import { z } from "zod";
import { lazyMethod } from "./types.ts";

export const HostStatsSchema = z
  .object({
    cpuCount: z.number().optional(),
    loadAverage: z.array(z.number()).optional(),
    memoryTotalBytes: z.number().optional(),
    memoryFreeBytes: z.number().optional(),
    diskTotalBytes: z.number().optional(),
    diskAvailableBytes: z.number().optional(),
  })
  .strict();

export const nodeEvent = lazyMethod({
  name: "node.event",
  description: "A node reports an event: node.host.stats (saved, broadcast as node.hostStats), exec.started/finished/denied; others are not handled",
  scope: "node",
}, () => ({
  params: z.strictObject({ event: z.string().min(1), payload: z.unknown().optional(), payloadJSON: z.string().nullable().optional() }),
  result: z.object({ ok: z.literal(true), event: z.string().optional(), handled: z.boolean().optional(), reason: z.string().optional() }),
}));

export const nodeRunnerInventoryUpdate = lazyMethod({
  name: "node.runnerInventory.update",
  description: "A node reports its runner features; refused while its command surface awaits approval",
  scope: "node",
}, () => ({
  params: z.object({ protocolFeatures: z.array(z.string()).optional(), workerHost: z.unknown().optional() }).passthrough(),
  result: z.strictObject({ nodeId: z.string() }),
}));

export const nodeSkillsUpdate = lazyMethod({
  name: "node.skills.update",
  description: "A node reports the skills it offers",
  scope: "node",
}, () => ({
  params: z.object({ skills: z.array(z.unknown()).max(1000).optional() }).passthrough(),
  result: z.strictObject({ nodeId: z.string(), skills: z.array(z.unknown()) }),
}));

export const nodePluginToolsUpdate = lazyMethod({
  name: "node.pluginTools.update",
  description: "A node reports the plugin tools it offers",
  scope: "node",
}, () => ({
  params: z.object({ tools: z.array(z.unknown()).max(1000).optional() }).passthrough(),
  result: z.strictObject({ nodeId: z.string(), tools: z.array(z.unknown()) }),
}));

const CommandNames = z.array(z.string().min(1).max(200)).max(1000);

export const nodePairRequest = lazyMethod({
  name: "node.pair.request",
  description:
    "A connected node declares its command surface again without reconnecting (omitted fields keep what it declared). " +
    "Within what was approved it applies at once; anything wider is a pending request for an operator (node.pair.requested)",
  scope: "node",
}, () => ({
  params: z.strictObject({ caps: CommandNames.optional(), commands: CommandNames.optional() }),
  result: z.strictObject({
    nodeId: z.string(),
    status: z.enum(["approved", "pending"]),
    created: z.boolean().describe("Whether this call filed a new pending request"),
    requestId: z.string().optional(),
    requiredApproveScopes: z.array(z.string()).optional(),
    caps: z.array(z.string()).describe("What the node may use now"),
    commands: z.array(z.string()),
    withheld: z.array(z.string()).describe("Declared commands the gateway's command policy does not allow"),
  }),
}));

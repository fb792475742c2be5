import { z } from "zod";
import { lazyMethod } from "./types.ts";

export const agentsList = lazyMethod({
  name: "agents.list",
  description: "The configured agents and which one is the default",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
  params: z.strictObject({}),
  result: z.object({
    defaultId: z.string(),
    mainKey: z.string(),
    scope: z.string(),
    agents: z.array(z.object({ id: z.string(), name: z.string().optional(), model: z.string().optional(), isDefault: z.boolean() })),
  }),
}));

/** Loose on purpose: clients send routing and delivery hints this gateway may not act on yet. */
export const AgentParamsSchema = z.looseObject({
  message: z.string().min(1),
  idempotencyKey: z.string().min(1),
  agentId: z.string().optional(),
  sessionKey: z.string().max(512).optional(),
  sessionId: z.string().optional(),
  model: z.string().optional(),
  thinking: z.string().optional(),
  deliver: z.boolean().optional(),
  channel: z.string().optional(),
  timeout: z.number().positive().optional(),
  extraSystemPrompt: z.string().optional(),
  label: z.string().optional(),
});

export const AgentAcceptedSchema = z.object({
  runId: z.string(),
  status: z.literal("accepted"),
  acceptedAt: z.number(),
  agentId: z.string(),
  sessionKey: z.string(),
});

export const AgentFinalSchema = z.object({
  runId: z.string(),
  status: z.enum(["ok", "error", "timeout"]),
  summary: z.string(),
  result: z
    .object({
      payloads: z.array(z.object({ text: z.string(), mediaUrl: z.string().nullable() })),
      meta: z.object({
        durationMs: z.number(),
        agentMeta: z.object({ sessionId: z.string(), provider: z.string(), model: z.string(), usage: z.unknown() }).passthrough(),
      }).passthrough(),
    })
    .optional(),
});

export const agent = lazyMethod({
  name: "agent",
  description: "Run an agent turn. Two responses on the same id: {status:\"accepted\"} once the message is stored, then the final result; agent/chat events stream in between",
  scope: "operator.write",
}, () => ({
  params: AgentParamsSchema,
  result: z.union([AgentAcceptedSchema, AgentFinalSchema]),
}));

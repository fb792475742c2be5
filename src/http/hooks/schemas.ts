/** The OpenAPI side of the hook routes: request bodies, answers, and the error bodies they use. */
import { createRoute, z } from "@hono/zod-openapi";
import { OpenAiErrorSchema } from "../schemas/common.ts";

const WakeMode = z.enum(["now", "next-heartbeat"]);

export const HookWakeRequestSchema = z
  .looseObject({
    text: z.string().openapi({ description: "The system event's text (required, non-empty)", example: "The nightly import finished" }),
    mode: WakeMode.optional().openapi({ description: '"now" (default) or "next-heartbeat"' }),
    agentId: z.string().optional().openapi({ description: "A configured agent (default: the default agent)" }),
    sessionKey: z.string().optional().openapi({ description: "Needs mode now and hooks.allowRequestSessionKey (default: the agent's main session)" }),
  })
  .openapi("HookWakeRequest");

export const HookAgentRequestSchema = z
  .looseObject({
    message: z.string().openapi({ description: "The task (required); the agent gets it framed as untrusted external content", example: "Build 1234 failed" }),
    name: z.string().optional().openapi({ description: 'Task name shown to the agent and in logs (default "Hook")' }),
    agentId: z.string().optional().openapi({ description: "A configured agent (default: the default agent)" }),
    sessionKey: z.string().optional().openapi({ description: "Needs hooks.allowRequestSessionKey (default: hooks.defaultSessionKey, else a fresh hook:<uuid>)" }),
    sessionMode: z.enum(["isolated", "persistent"]).optional().openapi({ description: '"isolated" (default): a fresh session per run' }),
    wakeMode: WakeMode.optional(),
    deliver: z.boolean().optional().openapi({ description: "Announce the final reply (default true); false ignores channel/to/accountId" }),
    channel: z.string().optional().openapi({ description: "A registered channel; set together with `to`", example: "telegram" }),
    to: z.string().optional().openapi({ description: "Target in that channel", example: "424242" }),
    accountId: z.string().optional().openapi({ description: "A configured account of the channel (default: its default account)" }),
    model: z.string().optional().openapi({ description: '"provider/model" for this turn' }),
    thinking: z.string().optional().openapi({ description: "Accepted and ignored (no thinking levels yet)" }),
    timeoutSeconds: z.number().optional().openapi({ description: "Turn timeout; floored; non-positive values are ignored" }),
    waitForCompletion: z.boolean().optional().openapi({ description: "Answer when the run has finished, with `completion`" }),
    idempotencyKey: z.string().optional().openapi({ description: "Replay key (the Idempotency-Key and X-OpenClaw-Idempotency-Key headers win)" }),
  })
  .openapi("HookAgentRequest");

export const HookMappedRequestSchema = z
  .looseObject({ source: z.string().optional().openapi({ description: "Compared with a mapping's match.source" }) })
  .openapi("HookMappedRequest", { description: "Any JSON object; a mapping's templates read it" });

const EventOutcome = z.enum(["queued", "coalesced"]);

const WakeResultSchema = z
  .object({ ok: z.literal(true), mode: WakeMode, eventOutcome: EventOutcome })
  .openapi("HookWakeResult");

const CompletionSchema = z
  .object({
    status: z.enum(["ok", "error", "skipped"]),
    replyDisposition: z.enum(["visible", "silent", "empty"]).openapi({ description: "Whether the final reply had text; never the text itself" }),
    delivered: z.boolean().optional(),
    deliveryAttempted: z.boolean().optional(),
    deliveryError: z.literal("delivery-failed").optional(),
    deliverySuppressionReason: z.enum(["empty", "silent"]).optional(),
  })
  .openapi("HookCompletion");

const AgentResultSchema = z
  .object({
    ok: z.literal(true),
    runId: z.string(),
    eventOutcome: EventOutcome.optional().openapi({ description: "Mapped hooks that also woke a session" }),
    runIds: z.array(z.string()).optional().openapi({ description: "Fan-out (forEach): every admitted run" }),
    dispatched: z.number().int().optional(),
    completion: CompletionSchema.optional().openapi({ description: "Only with waitForCompletion" }),
  })
  .openapi("HookAgentResult");

export const HookErrorSchema = z
  .object({
    ok: z.literal(false),
    error: z.string(),
    runId: z.string().optional(),
    runIds: z.array(z.string()).optional(),
    errors: z.array(z.string()).optional(),
    eventOutcome: EventOutcome.optional(),
  })
  .openapi("HookError");

const TEXT = { "text/plain": { schema: { type: "string" as const } } };
const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });
const hookError = (description: string) => ({ description, content: json(HookErrorSchema) });

const body = (name: string, description: string) => ({
  description,
  required: true,
  content: { "application/json": { schema: { $ref: `#/components/schemas/${name}` } } },
});

/** Every hook route answers these before and around its handler. */
const commonResponses = {
  400: {
    description:
      "`{ok:false,error}`: not JSON (the parser's message), invalid payload, agent, session or delivery; " +
      "plain text when the token was sent as a `?token=` query parameter",
    content: { ...json(HookErrorSchema), ...TEXT },
  },
  401: { description: "Missing or wrong hook token (plain `Unauthorized`; the gateway token is not a hook token)", content: TEXT },
  404: { description: "Hooks disabled, the bare base path, or no mapping matches (plain `Not Found`)", content: TEXT },
  405: { description: "Not POST (`Allow: POST`; checked before the token)", content: TEXT },
  408: hookError("The body did not arrive within 30 s"),
  409: hookError("The target session cannot take the run, or the hooks config changed during the request"),
  413: hookError("Body over 256 KiB (`payload too large`, Connection: close)"),
  417: { description: "An Expect header other than 100-continue (empty body)" },
  429: { description: "20 wrong tokens within 60 s from this address, loopback included (plain `Too Many Requests`, `Retry-After`)", content: TEXT },
  500: hookError("A mapping failed (`hook mapping failed`)"),
  502: hookError("The run failed before it was admitted (unknown model, no model configured, …)"),
  503: {
    description: "Not admitted within 15 s (`{ok:false,error}`), or the gateway is restarting (`{error}`)",
    content: json(z.union([HookErrorSchema, OpenAiErrorSchema])),
  },
};

export const wakeRoute = createRoute({
  method: "post",
  path: "/hooks/wake",
  summary: "Queue a system event for an agent's main session",
  description: "Needs `hooks.enabled`; authenticated by `hooks.token` (Bearer or x-openclaw-token). The base path follows `hooks.path`.",
  tags: ["Hooks"],
  request: { body: body("HookWakeRequest", "The event") },
  responses: { 200: { description: "Queued, or coalesced with the same newest event", content: json(WakeResultSchema) }, ...commonResponses },
});

export const agentRoute = createRoute({
  method: "post",
  path: "/hooks/agent",
  summary: "Run an isolated agent turn on a hook's message",
  description:
    "Answers once the run is admitted (`{ok,runId}`), or with `waitForCompletion` once it has finished. " +
    "A repeated idempotency key replays the first answer and runs nothing.",
  tags: ["Hooks"],
  request: { body: body("HookAgentRequest", "The task and where its reply goes") },
  responses: { 200: { description: "Admitted (and finished, with `completion`)", content: json(AgentResultSchema) }, ...commonResponses },
});

export const mappedRoute = createRoute({
  method: "post",
  path: "/hooks/{name}",
  summary: "Run the first hooks.mappings entry that matches",
  description: "`name` is the sub-path after the base path (it may contain slashes). A mapping's templates read the JSON body.",
  tags: ["Hooks"],
  request: { params: z.object({ name: z.string().openapi({ example: "github" }) }), body: body("HookMappedRequest", "Any JSON object") },
  responses: {
    200: { description: "Wake actions only, or admitted agent runs", content: json(z.union([WakeResultSchema, AgentResultSchema])) },
    204: { description: "The mapping produced no action (an empty forEach array)" },
    ...commonResponses,
  },
});

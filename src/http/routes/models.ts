/**
 * GET /v1/models and GET /v1/models/{id}: the agents, presented as OpenAI models. Backend
 * provider models are never listed; `model` on the OpenAI surface always selects an agent.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { AgentService } from "../../agents/types.ts";
import { parseAgentModel } from "../agent-target.ts";
import { openAiSurfaceEnabled } from "../endpoints.ts";
import type { HttpApp, HttpDeps, HttpEnv } from "../env.ts";
import { invalidRequest, jsonResponse, openAiError } from "../errors.ts";
import type { GateSpec } from "../middleware/gate.ts";
import { gatedResponses, OpenAiErrorSchema } from "../schemas/common.ts";

const ModelSchema = z
  .object({
    id: z.string().openapi({ example: "openclaw/main" }),
    object: z.literal("model"),
    created: z.number().int(),
    owned_by: z.literal("openclaw"),
    permission: z.array(z.unknown()),
  })
  .openapi("Model");

const ModelListSchema = z.object({ object: z.literal("list"), data: z.array(ModelSchema) }).openapi("ModelList");

type Model = z.infer<typeof ModelSchema>;
const model = (id: string): Model => ({ id, object: "model", created: 0, owned_by: "openclaw", permission: [] });

export function listedModelIds(agents: AgentService): string[] {
  return ["openclaw", "openclaw/default", ...agents.listAgents().map((a) => `openclaw/${a.id}`)];
}

const listRoute = createRoute({
  method: "get",
  path: "/v1/models",
  summary: "List the agents as OpenAI models",
  tags: ["OpenAI"],
  responses: {
    200: { description: "`openclaw`, `openclaw/default`, then `openclaw/<agentId>` per agent", content: { "application/json": { schema: ModelListSchema } } },
    ...gatedResponses({ body: false }),
  },
});

const detailRoute = createRoute({
  method: "get",
  path: "/v1/models/{id}",
  summary: "One agent as an OpenAI model (the id may contain a raw or encoded slash)",
  tags: ["OpenAI"],
  request: { params: z.object({ id: z.string().openapi({ example: "openclaw/default" }) }) },
  responses: {
    200: { description: "The model, with `id` echoed as requested", content: { "application/json": { schema: ModelSchema } } },
    400: { description: "Missing, badly encoded or non-agent id", content: { "application/json": { schema: OpenAiErrorSchema } } },
    ...gatedResponses({ body: false }),
    404: {
      description: "No such agent (JSON), or the endpoint is disabled (plain `Not Found`)",
      content: { "application/json": { schema: OpenAiErrorSchema }, "text/plain": { schema: { type: "string" as const } } },
    },
  },
});

const PREFIX = "/v1/models/";

/** The id is everything after /v1/models/, decoded once, so "openclaw/default" works raw or as %2F. */
function modelDetail(agents: AgentService, c: Context<HttpEnv>): Response {
  const pathname = new URL(c.req.url).pathname;
  const raw = pathname.slice(PREFIX.length);
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    return invalidRequest("Invalid model id encoding.");
  }
  if (id.trim() === "") return invalidRequest("Missing model id.");
  const target = parseAgentModel(id);
  if (!target) return invalidRequest("Invalid model id.");
  // Only the listed spellings exist as models; openclaw:<id> and agent:<id> select agents elsewhere.
  const listed = target.kind === "default" || (target.form === "slash" && agents.getAgent(target.agentId));
  if (!listed) return openAiError(404, `Model '${id}' not found.`);
  return jsonResponse(model(id));
}

export function registerModelRoutes(app: HttpApp, deps: HttpDeps, guard: (spec: GateSpec) => MiddlewareHandler<HttpEnv>): void {
  // One guard for the list and every detail path: Hono's "/v1/models/*" also matches "/v1/models".
  app.use("/v1/models/*", guard({ methods: ["GET"], enabled: openAiSurfaceEnabled, scopes: () => ["operator.read"] }));
  app.openapi(listRoute, () => jsonResponse({ object: "list", data: listedModelIds(deps.agents).map(model) }));
  app.openapi(detailRoute, (c) => modelDetail(deps.agents, c));
  // Raw slashes (and the empty id) do not match {id}; same handler, not a second documented route.
  app.get(`${PREFIX}*`, (c) => modelDetail(deps.agents, c));
}

/** POST /tools/invoke: run one built-in tool directly, as an operator, in an agent's session. */
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { StorageError } from "../../agents/sessions.ts";
import { createToolRegistry, httpToolAllowed, jsonResult, ToolInputError, type ToolContext } from "../../agents/tools/registry.ts";
import { agentIdOfSessionKey, mainSessionKey, type AgentService } from "../../agents/types.ts";
import { scopeSatisfied } from "../../protocol/scopes.ts";
import { TOOLS_MAX_BODY_BYTES } from "../endpoints.ts";
import type { Caller, HttpApp, HttpDeps, HttpEnv } from "../env.ts";
import { formatZodIssue, gatewayError, jsonResponse } from "../errors.ts";
import type { GateSpec } from "../middleware/gate.ts";
import { gatedResponses, GatewayErrorSchema, jsonBodyRef, OpenAiErrorSchema } from "../schemas/common.ts";

const ToolsInvokeRequestSchema = z
  .looseObject({
    tool: z.string().optional().openapi({ description: "Tool name (`name` wins when both are given)", example: "sessions_list" }),
    name: z.string().optional(),
    action: z.string().optional(),
    args: z.record(z.string(), z.unknown()).optional(),
    sessionKey: z.string().optional().openapi({ description: "Default: the agent's main session" }),
    agentId: z.string().optional(),
    idempotencyKey: z.string().optional(),
    dryRun: z.boolean().optional(),
  })
  .openapi("ToolsInvokeRequest");

const ToolResultSchema = z
  .object({
    ok: z.literal(true),
    result: z.object({ content: z.array(z.object({ type: z.literal("text"), text: z.string() })), details: z.record(z.string(), z.unknown()) }),
  })
  .openapi("ToolsInvokeResult");

const errorContent = { "application/json": { schema: GatewayErrorSchema } };
const route = createRoute({
  method: "post",
  path: "/tools/invoke",
  summary: "Invoke one gateway tool directly",
  tags: ["Tools"],
  request: { body: jsonBodyRef("ToolsInvokeRequest", "Which tool, with which arguments, as which agent/session") },
  responses: {
    200: { description: "The tool result", content: { "application/json": { schema: ToolResultSchema } } },
    400: {
      description: "`invalid_request` or `tool_error` (bad arguments) as `{ok:false,error}`; a body that is not JSON as `{error}`",
      content: { "application/json": { schema: z.union([GatewayErrorSchema, OpenAiErrorSchema]) } },
    },
    ...gatedResponses({ body: true }),
    404: { description: "`not_found`: unknown tool or denied by policy", content: errorContent },
    500: { description: "`tool_error`: the tool failed", content: errorContent },
    503: {
      description: "Gateway restarting or draining (`{error}`), or `unavailable` (`{ok:false,error}`): the session store cannot be read or written (disk full, damaged file, …)",
      content: { "application/json": { schema: z.union([OpenAiErrorSchema, GatewayErrorSchema]) } },
    },
  },
});

const invalid = (message: string) => gatewayError(400, "invalid_request", message);

type Target = { ok: true; agentId: string; sessionKey: string } | { ok: false; response: Response };

/** The agent and session the tool runs in; a full session key names its own agent. */
function target(agents: AgentService, agentId: string | undefined, sessionKey: string | undefined): Target {
  const wanted = agentId?.trim().toLowerCase() || undefined;
  if (wanted && !agents.getAgent(wanted)) return { ok: false, response: invalid(`unknown agent "${wanted}"`) };
  const key = sessionKey?.trim() || undefined;
  const keyAgent = key ? agentIdOfSessionKey(key) : undefined;
  if (wanted && keyAgent && wanted !== keyAgent) {
    return { ok: false, response: invalid(`agent "${wanted}" does not match session key agent "${keyAgent}"`) };
  }
  const id = wanted ?? keyAgent ?? agents.defaultAgentId();
  if (!key) return { ok: true, agentId: id, sessionKey: mainSessionKey(id) };
  return { ok: true, agentId: id, sessionKey: keyAgent ? key : `agent:${id}:${key}` };
}

export function registerToolsInvokeRoute(app: HttpApp, deps: HttpDeps, guard: (spec: GateSpec) => MiddlewareHandler<HttpEnv>): void {
  const registry = createToolRegistry();
  const isAdmin = (caller: Caller) => scopeSatisfied(caller.scopes, "operator.admin");

  app.openAPIRegistry.register("ToolsInvokeRequest", ToolsInvokeRequestSchema);
  app.use(route.path, guard({ methods: ["POST"], scopes: () => ["operator.write"], bodyLimit: () => TOOLS_MAX_BODY_BYTES }));
  app.openapi(route, async (c) => {
    const parsed = ToolsInvokeRequestSchema.safeParse(c.var.body);
    if (!parsed.success) return invalid(formatZodIssue(parsed.error));
    const req = parsed.data;
    const name = (req.name ?? req.tool)?.trim();
    if (!name) return invalid("tools.invoke requires name");

    const where = target(deps.agents, req.agentId, req.sessionKey);
    if (!where.ok) return where.response;
    const tool = registry.get(name);
    if (!tool || !httpToolAllowed(name, deps.config().gateway?.tools, isAdmin(c.var.caller))) {
      return gatewayError(404, "not_found", `Tool not available: ${name}`);
    }

    const args: Record<string, unknown> = { ...req.args };
    const schemaProps = (tool.parameters.properties ?? {}) as Record<string, unknown>;
    if (req.action !== undefined && "action" in schemaProps) args.action = req.action;
    if (req.dryRun) {
      return jsonResponse({ ok: true, result: jsonResult({ dryRun: true, tool: name, args }) });
    }

    const ctx: ToolContext = {
      agents: deps.agents,
      agentId: where.agentId,
      sessionKey: where.sessionKey,
      toolCallId: `http-direct-operator-${req.idempotencyKey ?? Date.now()}`,
      signal: c.req.raw.signal,
    };
    try {
      const result = await tool.execute(args, ctx);
      return jsonResponse({ ok: true, result });
    } catch (err) {
      if (err instanceof ToolInputError) return gatewayError(400, "tool_error", err.message);
      if (err instanceof StorageError) return gatewayError(503, "unavailable", err.publicMessage, { retryable: err.retryable });
      deps.onError?.(err, c.req.raw);
      return gatewayError(500, "tool_error", "tool execution failed");
    }
  });
}

/** POST /v1/responses (OpenResponses): one agent turn as a Response object or an event stream. */
import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { AgentService, TurnResult } from "../../agents/types.ts";
import { runScopes } from "../agent-target.ts";
import { maxBodyBytes, responsesEnabled } from "../endpoints.ts";
import type { Caller, HttpApp, HttpDeps, HttpEnv } from "../env.ts";
import { invalidRequest, jsonResponse } from "../errors.ts";
import type { GateSpec } from "../middleware/gate.ts";
import { ResponseSessionMap } from "../openai/response-store.ts";
import { completedResponse, failedResponse, newResponseIds, type ResponseIds } from "../openai/responses-output.ts";
import { planResponsesTurn, type ResponsesPlan } from "../openai/responses-request.ts";
import { ResponseObjectSchema, ResponsesRequestSchema, ResponseStreamEventSchema } from "../openai/responses-schema.ts";
import { streamResponse } from "../openai/responses-stream.ts";
import { runFailure, unsatisfiedToolChoice } from "../run-errors.ts";
import { gatedResponses, jsonBodyRef, OpenAiErrorSchema } from "../schemas/common.ts";
import { sseResponse } from "../sse.ts";

const route = createRoute({
  method: "post",
  path: "/v1/responses",
  summary: "Run one agent turn (OpenResponses)",
  description: "Enabled by `gateway.http.endpoints.responses.enabled`. `model` selects the agent; unknown keys are rejected.",
  tags: ["OpenAI"],
  request: { body: jsonBodyRef("ResponsesRequest", "OpenResponses request (strict)") },
  responses: {
    200: {
      description: "The Response, or with `stream:true` an SSE stream of `event:` frames ending in `data: [DONE]`",
      content: { "application/json": { schema: ResponseObjectSchema }, "text/event-stream": { schema: ResponseStreamEventSchema } },
    },
    400: { description: "Invalid request", content: { "application/json": { schema: OpenAiErrorSchema } } },
    500: { description: "Run failed (also 502/503/504 and provider statuses): still a Response, `status:\"failed\"`", content: { "application/json": { schema: ResponseObjectSchema } } },
    ...gatedResponses({ body: true }),
  },
});

export function registerResponsesRoute(app: HttpApp, deps: HttpDeps, guard: (spec: GateSpec) => MiddlewareHandler<HttpEnv>): void {
  const sessions = new ResponseSessionMap();
  const remember = (ids: ResponseIds, plan: ResponsesPlan, caller: Caller, result: TurnResult) =>
    sessions.remember(ids.id, { sessionKey: result.sessionKey, agentId: plan.turn.agentId, subject: caller.subject, scopeKey: plan.scopeKey });

  async function runJson(agents: AgentService, plan: ResponsesPlan, caller: Caller, signal: AbortSignal): Promise<Response> {
    const ids = newResponseIds(plan.model);
    try {
      const result = await agents.runTurn({ ...plan.turn, runId: ids.id, signal });
      const unsatisfied = unsatisfiedToolChoice(plan.turn.toolChoice, result.toolCalls);
      if (unsatisfied) return jsonResponse(failedResponse(ids, unsatisfied), unsatisfied.status);
      remember(ids, plan, caller, result);
      return jsonResponse(completedResponse(ids, result));
    } catch (err) {
      const failure = runFailure(err);
      return jsonResponse(failedResponse(ids, failure), failure.status);
    }
  }

  app.openAPIRegistry.register("ResponsesRequest", ResponsesRequestSchema);
  app.use(
    route.path,
    guard({ methods: ["POST"], enabled: responsesEnabled, scopes: (c) => runScopes(c.req.raw.headers), bodyLimit: maxBodyBytes }),
  );
  app.openapi(route, (c) => {
    const caller = c.var.caller;
    const plan = planResponsesTurn(c.var.body, deps.agents, c.req.raw.headers, (id, agentId, scopeKey) =>
      sessions.sessionFor(id, { agentId, subject: caller.subject, scopeKey }),
    );
    if (!plan.ok) return invalidRequest(plan.message);
    const signal = c.req.raw.signal;
    if (!plan.value.stream) return runJson(deps.agents, plan.value, caller, signal);
    const ids = newResponseIds(plan.value.model);
    return sseResponse(signal, async (sink, runSignal) => {
      const result = await streamResponse(deps.agents, plan.value, ids, sink, runSignal);
      if (result) remember(ids, plan.value, caller, result);
      sink.send("[DONE]");
    });
  });
}

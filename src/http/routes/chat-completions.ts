/** POST /v1/chat/completions: one agent turn in OpenAI chat shape, as JSON or as an SSE stream. */
import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { ToolCall } from "../../agents/providers/types.ts";
import type { AgentService, TurnResult } from "../../agents/types.ts";
import { runScopes, shortCallId } from "../agent-target.ts";
import { chatCompletionsEnabled, maxBodyBytes } from "../endpoints.ts";
import type { HttpApp, HttpDeps, HttpEnv } from "../env.ts";
import { invalidRequest, jsonResponse } from "../errors.ts";
import type { GateSpec } from "../middleware/gate.ts";
import { planChatTurn, type ChatPlan } from "../openai/chat-request.ts";
import { ChatCompletionChunkSchema, ChatCompletionRequestSchema, ChatCompletionSchema } from "../openai/chat-schema.ts";
import { EMPTY_REPLY, TRUNCATION_WARNING } from "../openai/prompt.ts";
import { failureBody, runFailure, unsatisfiedToolChoice } from "../run-errors.ts";
import { gatedResponses, jsonBodyRef, OpenAiErrorSchema } from "../schemas/common.ts";
import { sseResponse, type SseSink } from "../sse.ts";

const route = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  summary: "Run one agent turn (OpenAI chat completions)",
  description: "Enabled by `gateway.http.endpoints.chatCompletions.enabled`. `model` selects the agent.",
  tags: ["OpenAI"],
  request: { body: jsonBodyRef("ChatCompletionRequest", "OpenAI chat completion request (unknown keys ignored)") },
  responses: {
    200: {
      description: "The completion, or with `stream:true` an SSE stream of chunks ending in `data: [DONE]`",
      content: { "application/json": { schema: ChatCompletionSchema }, "text/event-stream": { schema: ChatCompletionChunkSchema } },
    },
    400: { description: "Invalid request", content: { "application/json": { schema: OpenAiErrorSchema } } },
    500: { description: "Run failed (also 502/503/504 and provider statuses)", content: { "application/json": { schema: OpenAiErrorSchema } } },
    ...gatedResponses({ body: true }),
  },
});

const usageOf = (r: TurnResult) => ({
  prompt_tokens: r.usage.inputTokens,
  completion_tokens: r.usage.outputTokens,
  total_tokens: r.usage.inputTokens + r.usage.outputTokens,
});

const openAiToolCall = (call: ToolCall) => ({
  id: shortCallId(),
  type: "function" as const,
  function: { name: call.name, arguments: call.arguments },
});

function completionBody(id: string, created: number, model: string, result: TurnResult) {
  const calls = result.finishReason === "tool_calls" ? result.toolCalls.map(openAiToolCall) : [];
  // Pre-tool commentary is dropped, as on the published gateway: the client only needs the calls.
  let content = calls.length ? "" : result.text || EMPTY_REPLY;
  if (result.finishReason === "length") content += TRUNCATION_WARNING;
  const message = calls.length ? { role: "assistant" as const, content, tool_calls: calls } : { role: "assistant" as const, content };
  return {
    id,
    object: "chat.completion" as const,
    created,
    model,
    choices: [{ index: 0, message, finish_reason: result.finishReason }],
    usage: usageOf(result),
  };
}

async function runJson(agents: AgentService, plan: ChatPlan, signal: AbortSignal): Promise<Response> {
  const runId = `chatcmpl_${crypto.randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  try {
    const result = await agents.runTurn({ ...plan.turn, runId, signal });
    const unsatisfied = unsatisfiedToolChoice(plan.turn.toolChoice, result.toolCalls);
    if (unsatisfied) return jsonResponse(failureBody(unsatisfied), unsatisfied.status);
    return jsonResponse(completionBody(runId, created, plan.model, result));
  } catch (err) {
    const failure = runFailure(err);
    return jsonResponse(failureBody(failure), failure.status);
  }
}

/** Argument chunks are sliced to 256 characters, as the published gateway does. */
const ARG_SLICE = 256;

function streamRun(agents: AgentService, plan: ChatPlan, requestSignal: AbortSignal): Response {
  const runId = `chatcmpl_${crypto.randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const frame = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id: runId,
    object: "chat.completion.chunk",
    created,
    model: plan.model,
    choices,
    ...extra,
  });
  const delta = (d: Record<string, unknown>, finish: string | null = null) => frame([{ index: 0, delta: d, finish_reason: finish }]);

  return sseResponse(requestSignal, async (sink: SseSink, signal) => {
    sink.send(delta({ role: "assistant" }));
    let streamed = "";
    const sendText = (content: string) => {
      streamed += content;
      sink.send(delta({ content }));
    };
    let result: TurnResult;
    try {
      result = await agents.runTurn({
        ...plan.turn,
        runId,
        signal,
        onEvent: (e) => {
          if (e.type === "delta" && e.delta) sendText(e.delta);
        },
      });
    } catch (err) {
      sink.send(failureBody(runFailure(err)));
      sink.send("[DONE]");
      return;
    }
    const unsatisfied = unsatisfiedToolChoice(plan.turn.toolChoice, result.toolCalls);
    if (unsatisfied) {
      sink.send(failureBody(unsatisfied));
      sink.send("[DONE]");
      return;
    }
    // A runtime that reports the final text without deltas still yields the whole reply.
    if (result.text.startsWith(streamed) && result.text.length > streamed.length) sendText(result.text.slice(streamed.length));
    if (result.finishReason === "tool_calls") {
      result.toolCalls.forEach((call, index) => {
        const { id, type } = openAiToolCall(call);
        sink.send(delta({ tool_calls: [{ index, id, type, function: { name: call.name, arguments: "" } }] }));
        for (let at = 0; at < call.arguments.length; at += ARG_SLICE) {
          sink.send(delta({ tool_calls: [{ index, function: { arguments: call.arguments.slice(at, at + ARG_SLICE) } }] }));
        }
      });
    }
    sink.send(delta({}, result.finishReason));
    if (plan.includeUsage) sink.send(frame([], { usage: usageOf(result) }));
    sink.send("[DONE]");
  });
}

export function registerChatCompletionsRoute(app: HttpApp, deps: HttpDeps, guard: (spec: GateSpec) => MiddlewareHandler<HttpEnv>): void {
  app.openAPIRegistry.register("ChatCompletionRequest", ChatCompletionRequestSchema);
  app.use(
    route.path,
    guard({ methods: ["POST"], enabled: chatCompletionsEnabled, scopes: (c) => runScopes(c.req.raw.headers), bodyLimit: maxBodyBytes }),
  );
  app.openapi(route, (c) => {
    const plan = planChatTurn(c.var.body, deps.agents, c.req.raw.headers);
    if (!plan.ok) return invalidRequest(plan.message);
    return plan.value.stream ? streamRun(deps.agents, plan.value, c.req.raw.signal) : runJson(deps.agents, plan.value, c.req.raw.signal);
  });
}

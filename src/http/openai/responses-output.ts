/** Response objects and output items of the Responses API, shared by the JSON and SSE paths. */
import type { ToolCall } from "../../agents/providers/types.ts";
import type { TurnResult } from "../../agents/types.ts";
import { shortCallId } from "../agent-target.ts";
import type { RunFailure } from "../run-errors.ts";
import { EMPTY_REPLY, TRUNCATION_WARNING } from "./prompt.ts";

export interface ResponseIds {
  id: string;
  createdAt: number;
  model: string;
  messageId: string;
}

export function newResponseIds(model: string): ResponseIds {
  return { id: `resp_${crypto.randomUUID()}`, createdAt: Math.floor(Date.now() / 1000), model, messageId: `msg_${crypto.randomUUID()}` };
}

export function responseUsage(input = 0, output = 0) {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

export function responseObject(ids: ResponseIds, status: ResponseStatus, output: unknown[], usage = responseUsage(), extra: Record<string, unknown> = {}) {
  return { id: ids.id, object: "response", created_at: ids.createdAt, status, model: ids.model, output, usage, ...extra };
}

export function failedResponse(ids: ResponseIds, failure: RunFailure) {
  return responseObject(ids, "failed", [], responseUsage(), { error: { code: failure.type, message: failure.message } });
}

export function messageItem(ids: ResponseIds, text: string, status: "in_progress" | "completed" | "incomplete", phase?: "commentary" | "final_answer") {
  const content = status === "in_progress" ? [] : [{ type: "output_text", text }];
  return phase
    ? { type: "message", id: ids.messageId, role: "assistant", content, phase, status }
    : { type: "message", id: ids.messageId, role: "assistant", content, status };
}

/** The client answers a call with its call_id; the gateway makes its own rather than leak the upstream id. */
export function functionCallItem(call: ToolCall, completed: boolean) {
  const item = { type: "function_call", id: `call_${crypto.randomUUID()}`, call_id: shortCallId(), name: call.name, arguments: call.arguments };
  return completed ? { ...item, status: "completed" } : item;
}

export const usageOfResult = (r: TurnResult) => responseUsage(r.usage.inputTokens, r.usage.outputTokens);

/** Non-streaming: function calls alone, or one final message (with the warning when truncated). */
export function completedResponse(ids: ResponseIds, result: TurnResult) {
  const usage = usageOfResult(result);
  if (result.finishReason === "tool_calls" && result.toolCalls.length) {
    return responseObject(ids, "completed", result.toolCalls.map((call) => functionCallItem(call, false)), usage);
  }
  const text = result.text || EMPTY_REPLY;
  if (result.finishReason === "length") {
    return responseObject(ids, "incomplete", [messageItem(ids, text + TRUNCATION_WARNING, "incomplete", "final_answer")], usage, {
      incomplete_details: { reason: "max_output_tokens" },
    });
  }
  return responseObject(ids, "completed", [messageItem(ids, text, "completed", "final_answer")], usage);
}

/**
 * The Responses API event stream, in the published gateway's order: created, in_progress, the
 * message item and its text part opened at once, text deltas as the run produces them, then the
 * part/item closed and one terminal event. Tool calls follow the message as whole items; there are
 * no argument deltas.
 */
import type { AgentService, TurnResult } from "../../agents/types.ts";
import { runFailure, unsatisfiedToolChoice, type RunFailure } from "../run-errors.ts";
import type { SseSink } from "../sse.ts";
import {
  failedResponse,
  functionCallItem,
  messageItem,
  responseObject,
  usageOfResult,
  type ResponseIds,
} from "./responses-output.ts";
import type { ResponsesPlan } from "./responses-request.ts";

export async function streamResponse(
  agents: AgentService,
  plan: ResponsesPlan,
  ids: ResponseIds,
  sink: SseSink,
  signal: AbortSignal,
): Promise<TurnResult | undefined> {
  const emit = (type: string, payload: Record<string, unknown>) => sink.send({ type, ...payload }, type);
  const at = { item_id: ids.messageId, output_index: 0, content_index: 0 };
  const started = responseObject(ids, "in_progress", []);
  emit("response.created", { response: started });
  emit("response.in_progress", { response: started });
  emit("response.output_item.added", { output_index: 0, item: messageItem(ids, "", "in_progress") });
  emit("response.content_part.added", { ...at, part: { type: "output_text", text: "" } });

  let streamed = "";
  const sendDelta = (delta: string) => {
    streamed += delta;
    emit("response.output_text.delta", { ...at, delta });
  };
  let result: TurnResult;
  try {
    result = await agents.runTurn({
      ...plan.turn,
      runId: ids.id,
      signal,
      onEvent: (e) => {
        if (e.type === "delta" && e.delta) sendDelta(e.delta);
      },
    });
  } catch (err) {
    failed(emit, ids, runFailure(err));
    return undefined;
  }
  const unsatisfied = unsatisfiedToolChoice(plan.turn.toolChoice, result.toolCalls);
  if (unsatisfied) {
    failed(emit, ids, unsatisfied);
    return undefined;
  }

  // A runtime that reports the final text without deltas still yields a complete stream.
  if (result.text.startsWith(streamed) && result.text.length > streamed.length) sendDelta(result.text.slice(streamed.length));
  const calls = result.finishReason === "tool_calls" ? result.toolCalls : [];
  const truncated = result.finishReason === "length";
  const itemStatus = truncated ? "incomplete" : "completed";
  emit("response.output_text.done", { ...at, text: streamed });
  emit("response.content_part.done", { ...at, part: { type: "output_text", text: streamed } });
  const message = messageItem(ids, streamed, itemStatus, calls.length ? "commentary" : "final_answer");
  emit("response.output_item.done", { output_index: 0, item: message });

  const output: unknown[] = [message];
  calls.forEach((call, i) => {
    const item = functionCallItem(call, false);
    emit("response.output_item.added", { output_index: i + 1, item });
    const done = { ...item, status: "completed" };
    emit("response.output_item.done", { output_index: i + 1, item: done });
    output.push(done);
  });

  const usage = usageOfResult(result);
  if (truncated) {
    emit("response.incomplete", {
      response: responseObject(ids, "incomplete", output, usage, { incomplete_details: { reason: "max_output_tokens" } }),
    });
  } else {
    emit("response.completed", { response: responseObject(ids, "completed", output, usage) });
  }
  return result;
}

function failed(emit: (type: string, payload: Record<string, unknown>) => void, ids: ResponseIds, failure: RunFailure): void {
  emit("response.failed", { response: failedResponse(ids, failure) });
}

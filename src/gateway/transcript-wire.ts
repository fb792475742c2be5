/**
 * Transcript rows as clients see them (chat.history, session.message): content blocks, assistant
 * tool rounds as `toolCall` blocks, tool results as `toolResult` rows.
 */
import type { z } from "zod";
import type { StoredMessage } from "../agents/sessions.ts";
import type { ChatMessageSchema } from "../protocol/methods/chat.ts";

export type WireMessage = z.infer<typeof ChatMessageSchema>;

type Block = { type: "text"; text: string } | { type: "toolCall"; id: string; name: string; arguments: unknown };

function parsedArgs(raw: string): unknown {
  try {
    return JSON.parse(raw || "{}");
  } catch {
    return raw;
  }
}

export function wireMessage(m: StoredMessage): WireMessage {
  const ids = { __openclaw: { id: m.id, seq: m.seq, ...(m.runId ? { runId: m.runId } : {}) } };
  const content: Block[] = [];
  const meta = m.meta ?? {};
  if (m.role === "tool") {
    return {
      role: "toolResult", toolCallId: m.toolCallId, toolName: typeof meta.toolName === "string" ? meta.toolName : null,
      content: [{ type: "text", text: m.content }], isError: meta.isError === true, timestamp: m.timestamp, ...ids,
    };
  }
  if (m.content || !m.toolCalls?.length) content.push({ type: "text", text: m.content });
  if (m.toolCalls?.length) {
    for (const c of m.toolCalls) content.push({ type: "toolCall", id: c.id, name: c.name, arguments: parsedArgs(c.arguments) });
  }
  const out: WireMessage = { role: m.role, content, timestamp: m.timestamp, ...ids };
  if (m.role === "assistant") {
    if (typeof meta.provider === "string") out.provider = meta.provider;
    if (typeof meta.model === "string") out.model = meta.model;
    if (meta.usage) out.usage = meta.usage;
    if (m.toolCalls?.length) out.stopReason = "toolUse";
  }
  return out;
}

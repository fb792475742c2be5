import { z } from "zod";
import { defineMethod } from "./types.ts";

const SessionKey = z.string().min(1).max(512);

/** A transcript row: text blocks, assistant tool rounds as toolCall blocks, tool results as role "toolResult". */
export const ChatMessageSchema = z.looseObject({
  role: z.string(),
  content: z.array(
    z.union([
      z.object({ type: z.literal("text"), text: z.string() }),
      z.object({ type: z.literal("toolCall"), id: z.string(), name: z.string(), arguments: z.unknown() }),
    ]),
  ),
  timestamp: z.number(),
  toolCallId: z.string().optional(),
  toolName: z.string().nullable().optional(),
  isError: z.boolean().optional(),
  stopReason: z.string().optional(),
  __openclaw: z.object({ id: z.string(), seq: z.int(), runId: z.string().optional() }),
});

export const chatSend = defineMethod({
  name: "chat.send",
  description: "Send a chat message to a session; the reply streams as chat events",
  params: z.looseObject({
    sessionKey: SessionKey,
    message: z.string().min(1),
    idempotencyKey: z.string().min(1),
    agentId: z.string().optional(),
    thinking: z.string().optional(),
    deliver: z.boolean().optional(),
    timeoutMs: z.int().positive().optional(),
  }),
  result: z.object({ runId: z.string(), status: z.enum(["started", "ok"]) }),
  scope: "operator.write",
});

export const chatAbort = defineMethod({
  name: "chat.abort",
  description: "Abort the running turn(s) of a session",
  params: z.strictObject({ sessionKey: SessionKey, runId: z.string().optional(), agentId: z.string().optional() }),
  result: z.object({ ok: z.literal(true), aborted: z.boolean(), runIds: z.array(z.string()) }),
  scope: "operator.write",
});

export const chatHistory = defineMethod({
  name: "chat.history",
  description: "The stored transcript of a session, oldest first; `cursor` pages backwards by seq",
  params: z.looseObject({
    sessionKey: SessionKey,
    limit: z.int().min(1).max(1000).optional(),
    // A digit string past 2^53 would lose precision as a seq: refused here rather than failing in the store.
    cursor: z.union([z.int().min(1), z.string().regex(/^\d+$/).refine((s) => Number.isSafeInteger(Number(s)), "must be a safe integer")]).optional(),
    agentId: z.string().optional(),
  }),
  result: z.object({
    sessionKey: z.string(),
    sessionId: z.string().optional(),
    messages: z.array(ChatMessageSchema),
    hasMore: z.boolean(),
    nextCursor: z.string().optional(),
    totalMessages: z.int(),
  }),
  scope: "operator.read",
});

export const sessionsList = defineMethod({
  name: "sessions.list",
  description: "Stored sessions, most recently updated first",
  params: z.looseObject({
    limit: z.int().min(1).max(1000).optional(),
    offset: z.int().min(0).optional(),
    // No agent has an empty id, and the store refuses one as a filter.
    agentId: z.string().min(1).optional(),
    activeOnly: z.boolean().optional(),
  }),
  result: z.object({
    ts: z.number(),
    path: z.string(),
    count: z.int(),
    totalCount: z.int(),
    limitApplied: z.int(),
    nextOffset: z.int().nullable(),
    hasMore: z.boolean(),
    sessions: z.array(
      z.object({
        key: z.string(), kind: z.string(), agentId: z.string(), sessionId: z.string(), updatedAt: z.number(),
        status: z.string(), messageCount: z.int(), lastPreview: z.string().optional(),
      }),
    ),
  }),
  scope: "operator.read",
  lenientParams: true,
});

export const sessionsSubscribe = defineMethod({
  name: "sessions.subscribe",
  description: "Receive session.message (transcript rows) and session.tool (tool activity) events for every session",
  params: z.looseObject({}),
  result: z.object({ subscribed: z.literal(true) }),
  scope: "operator.read",
  lenientParams: true,
});

export const sessionsUnsubscribe = defineMethod({
  name: "sessions.unsubscribe",
  description: "Stop session.message / session.tool events on this connection",
  params: z.looseObject({}),
  result: z.object({ subscribed: z.literal(false) }),
  scope: "operator.read",
  lenientParams: true,
});

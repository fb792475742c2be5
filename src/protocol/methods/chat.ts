import { z } from "zod";
import { lazyMethod } from "./types.ts";

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

export const chatSend = lazyMethod({
  name: "chat.send",
  description: "Send a chat message to a session; the reply streams as chat events",
  scope: "operator.write",
}, () => ({
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
}));

export const chatAbort = lazyMethod({
  name: "chat.abort",
  description: "Abort the running turn(s) of a session",
  scope: "operator.write",
}, () => ({
  params: z.strictObject({ sessionKey: SessionKey, runId: z.string().optional(), agentId: z.string().optional() }),
  result: z.object({ ok: z.literal(true), aborted: z.boolean(), runIds: z.array(z.string()) }),
}));

export const chatHistory = lazyMethod({
  name: "chat.history",
  description: "The stored transcript of a session, oldest first; `cursor` pages backwards by seq",
  scope: "operator.read",
}, () => ({
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
}));

export const sessionsList = lazyMethod({
  name: "sessions.list",
  description: "Stored sessions, most recently updated first",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
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
}));

export const sessionsSubscribe = lazyMethod({
  name: "sessions.subscribe",
  description: "Receive session.message (transcript rows) and session.tool (tool activity) events for every session",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
  params: z.looseObject({}),
  result: z.object({ subscribed: z.literal(true) }),
}));

export const sessionsUnsubscribe = lazyMethod({
  name: "sessions.unsubscribe",
  description: "Stop session.message / session.tool events on this connection",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
  params: z.looseObject({}),
  result: z.object({ subscribed: z.literal(false) }),
}));

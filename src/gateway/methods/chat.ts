import { AgentError } from "../../agents/types.ts";
import type { StoredMessage } from "../../agents/sessions.ts";
import { chatMethods } from "../../protocol/index.ts";
import { RunEvents } from "../agent-events.ts";
import { wireMessage } from "../transcript-wire.ts";
import { agentGatewayError, scopedSessionKey, targetAgent } from "./agent.ts";
import { implement } from "./registry.ts";
import { withStore } from "./storage.ts";

const chatMessage = (m: StoredMessage) => wireMessage(m);

/** chat.send answers once ("started") when the message is stored; the run goes on in events. */
export const chatSendMethod = implement(chatMethods.chatSend, (p, { gw, conn }) => {
  const agentId = targetAgent(gw, p.agentId, p.sessionKey);
  const sessionKey = scopedSessionKey(p.sessionKey, agentId);
  const runId = p.idempotencyKey;
  const events = new RunEvents(gw, runId, sessionKey, agentId, conn);
  return new Promise((resolve, reject) => {
    let answered = false;
    gw.agents
      .runTurn({
        agentId, sessionKey, message: p.message, idempotencyKey: p.idempotencyKey, runId, channel: conn.client?.id, agentTools: true,
        timeoutMs: p.timeoutMs,
        onEvent: (e) => {
          if (e.type === "accepted" && !answered) {
            answered = true;
            resolve({ runId, status: "started" as const });
          }
          events.onTurnEvent(e);
        },
      })
      .then((result) => {
        if (answered) events.finished(result);
        // A repeated idempotencyKey replays the finished run: nothing new to stream.
        else resolve({ runId, status: "ok" as const });
      })
      .catch((err) => {
        const e = err instanceof AgentError ? err : new AgentError("provider", String(err));
        if (answered) events.failed(e);
        else reject(agentGatewayError(e));
      });
  });
});

export const chatAbortMethod = implement(chatMethods.chatAbort, (p, { gw }) => {
  const agentId = targetAgent(gw, p.agentId, p.sessionKey);
  const runIds = gw.agents.abort(scopedSessionKey(p.sessionKey, agentId), p.runId);
  return { ok: true as const, aborted: runIds.length > 0, runIds };
});

export const chatHistoryMethod = implement(chatMethods.chatHistory, (p, { gw }) => {
  const agentId = targetAgent(gw, p.agentId, p.sessionKey);
  const sessionKey = scopedSessionKey(p.sessionKey, agentId);
  const beforeSeq = p.cursor === undefined ? undefined : Number(p.cursor);
  const { page, session } = withStore(() => ({
    page: gw.agents.sessions.history(sessionKey, { limit: p.limit ?? 200, beforeSeq }),
    session: gw.agents.sessions.getSession(sessionKey),
  }));
  const out: {
    sessionKey: string; sessionId?: string; messages: ReturnType<typeof chatMessage>[]; hasMore: boolean; nextCursor?: string; totalMessages: number;
  } = { sessionKey, messages: page.messages.map(chatMessage), hasMore: page.hasMore, totalMessages: page.total };
  if (session) out.sessionId = session.sessionId;
  if (page.hasMore && page.messages[0]) out.nextCursor = String(page.messages[0].seq);
  return out;
});

export const sessionsListMethod = implement(chatMethods.sessionsList, (p, { gw }) => {
  const limit = p.limit ?? 100;
  const offset = p.offset ?? 0;
  const { sessions, total, active } = withStore(() => ({
    ...gw.agents.sessions.listSessions({ agentId: p.agentId, limit, offset }),
    active: new Set(gw.agents.activeRuns().map((id) => gw.agents.sessions.getRun(id)?.sessionKey)),
  }));
  const rows = sessions
    .map((s) => ({
      key: s.key, kind: "direct", agentId: s.agentId, sessionId: s.sessionId, updatedAt: s.updatedAt,
      status: active.has(s.key) ? "running" : "idle", messageCount: s.messageCount,
      ...(s.lastPreview ? { lastPreview: s.lastPreview } : {}),
    }))
    .filter((s) => !p.activeOnly || s.status === "running");
  const hasMore = offset + sessions.length < total;
  return {
    ts: Date.now(), path: gw.agents.sessions.path, count: rows.length, totalCount: total, limitApplied: limit,
    nextOffset: hasMore ? offset + sessions.length : null, hasMore, sessions: rows,
  };
});

export const sessionsSubscribeMethod = implement(chatMethods.sessionsSubscribe, (_p, { conn }) => {
  conn.sessionsSubscribed = true;
  return { subscribed: true as const };
});

export const sessionsUnsubscribeMethod = implement(chatMethods.sessionsUnsubscribe, (_p, { conn }) => {
  conn.sessionsSubscribed = false;
  return { subscribed: false as const };
});

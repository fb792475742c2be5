/** Read-only views of agents and sessions: agents_list, sessions_list, sessions_history, session_status. */
import { optionalInt, optionalString, requiredString } from "./args.ts";
import { jsonResult, ToolInputError, type AgentTool, type ToolContext } from "./types.ts";

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/** A bare key ("main", "openai-user:bob") belongs to the calling agent. */
function scopedKey(key: string, ctx: ToolContext, agentId = ctx.agentId): string {
  return key.startsWith("agent:") ? key : `agent:${agentId}:${key}`;
}

export const agentsList: AgentTool = {
  name: "agents_list",
  description: "List the configured agents and which one is the default.",
  parameters: { type: "object", properties: {}, additionalProperties: false },
  async execute(_args, ctx) {
    const agents = ctx.agents.listAgents();
    return jsonResult({ count: agents.length, defaultAgentId: ctx.agents.defaultAgentId(), agents });
  },
};

export const sessionsList: AgentTool = {
  name: "sessions_list",
  description: "List sessions, newest first, optionally for one agent.",
  parameters: {
    type: "object",
    properties: {
      limit: { type: "integer", minimum: 1, maximum: MAX_LIMIT },
      offset: { type: "integer", minimum: 0 },
      agentId: { type: "string" },
    },
    additionalProperties: false,
  },
  async execute(args, ctx) {
    const limit = optionalInt(args, "limit", 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
    const offset = optionalInt(args, "offset", 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const agentId = optionalString(args, "agentId");
    if (agentId && !ctx.agents.getAgent(agentId)) throw new ToolInputError(`unknown agent "${agentId}"`);
    const opts: { limit: number; offset: number; agentId?: string } = { limit, offset };
    if (agentId) opts.agentId = agentId;
    const page = ctx.agents.sessions.listSessions(opts);
    const hasMore = offset + page.sessions.length < page.total;
    const details: Record<string, unknown> = { count: page.sessions.length, total: page.total, sessions: page.sessions, hasMore, limitApplied: limit };
    if (hasMore) details.nextOffset = offset + page.sessions.length;
    return jsonResult(details);
  },
};

export const sessionsHistory: AgentTool = {
  name: "sessions_history",
  description: "Read the transcript of one session (the most recent messages).",
  parameters: {
    type: "object",
    properties: { sessionKey: { type: "string" }, limit: { type: "integer", minimum: 1, maximum: MAX_LIMIT } },
    required: ["sessionKey"],
    additionalProperties: false,
  },
  async execute(args, ctx) {
    const sessionKey = scopedKey(requiredString(args, "sessionKey"), ctx);
    const limit = optionalInt(args, "limit", 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
    const session = ctx.agents.sessions.getSession(sessionKey);
    if (!session) throw new ToolInputError(`Session not found: ${sessionKey}`);
    const page = ctx.agents.sessions.history(sessionKey, { limit });
    return jsonResult({ sessionKey, count: page.messages.length, total: page.total, hasMore: page.hasMore, messages: page.messages });
  },
};

export const sessionStatus: AgentTool = {
  name: "session_status",
  description: "Status of one session (default: the calling agent's main session) and its runs in flight.",
  parameters: { type: "object", properties: { sessionKey: { type: "string" } }, additionalProperties: false },
  async execute(args, ctx) {
    const given = optionalString(args, "sessionKey");
    const sessionKey = given ? scopedKey(given, ctx) : ctx.sessionKey;
    const session = ctx.agents.sessions.getSession(sessionKey);
    return jsonResult({
      sessionKey,
      exists: !!session,
      session: session ?? null,
      activeRuns: ctx.agents.activeRuns(sessionKey),
    });
  },
};

const SEND_WAIT_DEFAULT_S = 60;

/**
 * Hands a message to another session of the same gateway and (by default) waits for its reply.
 * The calling session is refused: its own lane is busy with this very turn, so waiting on it would
 * never end.
 */
export const sessionsSend: AgentTool = {
  name: "sessions_send",
  description: "Send a message to another session (runs a turn there) and wait for its reply; timeoutSeconds 0 = do not wait.",
  parameters: {
    type: "object",
    properties: {
      message: { type: "string" },
      sessionKey: { type: "string" },
      agentId: { type: "string" },
      timeoutSeconds: { type: "number", minimum: 0 },
    },
    required: ["message"],
    additionalProperties: true,
  },
  timeoutMs: null,
  title: (args) => `Message ${typeof args.sessionKey === "string" ? args.sessionKey : "session"}`,
  async execute(args, ctx) {
    const message = requiredString(args, "message");
    const agentId = optionalString(args, "agentId") ?? ctx.agentId;
    if (!ctx.agents.getAgent(agentId)) throw new ToolInputError(`unknown agent "${agentId}"`);
    const given = optionalString(args, "sessionKey");
    const sessionKey = scopedKey(given ?? "main", ctx, agentId);
    const runId = `tool-${ctx.runId ?? "direct"}-${ctx.toolCallId}`;
    if (sessionKey === ctx.sessionKey) throw new ToolInputError("sessions_send cannot target the calling session; use a different sessionKey");
    if (!ctx.agents.sessions.getSession(sessionKey)) return jsonResult({ runId, status: "error", error: `No session found: ${sessionKey}`, sessionKey });
    const waitS = typeof args.timeoutSeconds === "number" && args.timeoutSeconds >= 0 ? args.timeoutSeconds : SEND_WAIT_DEFAULT_S;
    const turn = ctx.agents.runTurn({
      agentId: sessionKey.split(":")[1]!, sessionKey, message, runId, idempotencyKey: runId, channel: "sessions_send", agentTools: true,
    });
    if (waitS === 0) {
      turn.catch(() => {}); // the other session records its own failure
      return jsonResult({ runId, status: "accepted", sessionKey, targetDisposition: "queued" });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), waitS * 1000)));
    try {
      const r = await Promise.race([turn, timedOut]);
      if (r === "timeout") {
        turn.catch(() => {});
        return jsonResult({ runId, status: "timeout", sessionKey, error: `no reply within ${waitS} s; the turn goes on in that session` });
      }
      return jsonResult({ runId, sessionKey, status: "ok", reply: r.text });
    } catch (err) {
      return jsonResult({ runId, status: "error", error: err instanceof Error ? err.message : String(err), sessionKey });
    } finally {
      clearTimeout(timer);
    }
  },
};

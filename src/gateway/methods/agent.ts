import { AgentError, agentIdOfSessionKey, mainSessionKey } from "../../agents/types.ts";
import type { TurnResult } from "../../agents/types.ts";
import { agentMethods, ErrorCodes, GatewayError, scopeSatisfied } from "../../protocol/index.ts";
import { RunEvents } from "../agent-events.ts";
import type { GatewayRuntime } from "../runtime.ts";
import { implement } from "./registry.ts";
import { withStore } from "./storage.ts";

/** The agent a request targets: explicit id, else the one its session key names, else the default. */
export function targetAgent(gw: GatewayRuntime, agentId: string | undefined, sessionKey: string | undefined): string {
  const id = agentId ?? (sessionKey && agentIdOfSessionKey(sessionKey)) ?? gw.agents.defaultAgentId();
  if (!gw.agents.getAgent(id)) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `unknown agent: ${id}`);
  return id;
}

/** A bare key ("main", "work") is scoped to the agent: agent:<id>:<key>. */
export function scopedSessionKey(key: string | undefined, agentId: string): string {
  if (!key) return mainSessionKey(agentId);
  if (key.startsWith("agent:")) {
    if (agentIdOfSessionKey(key) !== agentId) {
      throw new GatewayError(ErrorCodes.INVALID_REQUEST, `agent "${agentId}" does not match session key "${key}"`);
    }
    return key;
  }
  return `agent:${agentId}:${key}`;
}

/** AgentError → the protocol error, with the retry hint a client needs. */
export function agentGatewayError(err: AgentError, payload?: unknown): GatewayError {
  const extra = { retryable: err.retryable, payload };
  switch (err.kind) {
    case "timeout": return new GatewayError(ErrorCodes.AGENT_TIMEOUT, err.message, extra);
    case "provider":
    case "not_configured":
    case "storage":
    case "aborted": return new GatewayError(ErrorCodes.UNAVAILABLE, err.message, extra);
    default: return new GatewayError(ErrorCodes.INVALID_REQUEST, err.message, extra);
  }
}

export function finalPayload(r: TurnResult) {
  return {
    runId: r.runId,
    status: "ok" as const,
    summary: "completed",
    result: {
      payloads: [{ text: r.text, mediaUrl: null }],
      meta: {
        durationMs: r.durationMs,
        agentMeta: { sessionId: r.sessionId, provider: r.provider, model: r.model, usage: r.usage, finishReason: r.finishReason },
      },
    },
  };
}

const RESET_COMMANDS = new Set(["/new", "/reset"]);

export const agentsListMethod = implement(agentMethods.agentsList, (_p, { gw }) => ({
  defaultId: gw.agents.defaultAgentId(),
  mainKey: "main",
  scope: "per-sender",
  agents: gw.agents.listAgents(),
}));

export const agentMethod = implement(agentMethods.agent, async (p, { gw, conn, accept }) => {
  const agentId = targetAgent(gw, p.agentId, p.sessionKey);
  const sessionKey = scopedSessionKey(p.sessionKey, agentId);
  const runId = p.idempotencyKey;
  if (RESET_COMMANDS.has(p.message.trim())) {
    if (!scopeSatisfied(conn.scopes ?? [], "operator.admin")) {
      throw new GatewayError(ErrorCodes.FORBIDDEN, "missing scope: operator.admin", {
        details: { code: "MISSING_SCOPE", missingScope: "operator.admin", requiredScopes: ["operator.admin"] },
      });
    }
    withStore(() => gw.agents.sessions.deleteSession(sessionKey));
    return { runId, status: "ok" as const, summary: "session reset", result: { payloads: [{ text: "Started a new session.", mediaUrl: null }], meta: { durationMs: 0, agentMeta: { sessionId: "", provider: "", model: "", usage: null } } } };
  }
  const events = new RunEvents(gw, runId, sessionKey, agentId);
  try {
    const result = await gw.agents.runTurn({
      agentId, sessionKey, message: p.message, idempotencyKey: p.idempotencyKey, runId,
      modelOverride: p.model, extraSystemPrompt: p.extraSystemPrompt, channel: p.channel ?? conn.client?.id,
      timeoutMs: p.timeout ? p.timeout * 1000 : undefined,
      onEvent: (e) => {
        if (e.type === "accepted") accept({ runId, sessionKey, agentId, status: "accepted", acceptedAt: e.acceptedAt });
        events.onTurnEvent(e);
      },
    });
    if (!result.cached) events.finished(result);
    return finalPayload(result);
  } catch (err) {
    if (!(err instanceof AgentError)) throw err;
    events.failed(err);
    throw agentGatewayError(err, { runId, status: err.kind === "timeout" ? "timeout" : "error", summary: err.message });
  }
});

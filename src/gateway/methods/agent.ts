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
        stopReason: r.stopReason ?? r.finishReason,
        ...(r.toolSummary ? { toolSummary: r.toolSummary } : {}),
        agentMeta: {
          sessionId: r.sessionId, provider: r.provider, model: r.model, usage: r.usage, finishReason: r.finishReason,
          assistantTurns: r.assistantTurns ?? 1,
          ...(r.lastCallUsage ? { lastCallUsage: r.lastCallUsage } : {}),
          ...(r.successfulToolNames ? { terminalReceipt: { successfulToolNames: r.successfulToolNames } } : {}),
        },
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
  const events = new RunEvents(gw, runId, sessionKey, agentId, conn);
  try {
    const result = await gw.agents.runTurn({
      agentId, sessionKey, message: p.message, idempotencyKey: p.idempotencyKey, runId,
      agentTools: true, modelOverride: p.model, extraSystemPrompt: p.extraSystemPrompt, channel: p.channel ?? conn.client?.id,
      timeoutMs: p.timeout ? p.timeout * 1000 : undefined,
      onEvent: (e) => {
        if (e.type === "accepted") accept({ runId, sessionKey, agentId, status: "accepted", acceptedAt: e.acceptedAt });
        events.onTurnEvent(e);
      },
    });
    if (!result.cached) events.finished(result);
    const delivery = await deliverReply(gw, p, runId, result.text);
    return delivery ? { ...finalPayload(result), delivery } : finalPayload(result);
  } catch (err) {
    if (!(err instanceof AgentError)) throw err;
    events.failed(err);
    throw agentGatewayError(err, { runId, status: err.kind === "timeout" ? "timeout" : "error", summary: err.message });
  }
});

/**
 * `deliver:true` with a `to` (what the published `agent --to … --deliver` sends): the reply also
 * goes to that chat. Keyed by run, so a repeated request does not send twice; a failed delivery is
 * reported next to the reply instead of failing a turn that succeeded.
 */
async function deliverReply(gw: GatewayRuntime, p: { deliver?: boolean; channel?: string; [k: string]: unknown }, runId: string, text: string): Promise<Record<string, unknown> | undefined> {
  const to = typeof p.to === "string" && p.to.trim() !== "" ? p.to.trim() : undefined;
  if (p.deliver !== true || !to || text.trim() === "") return undefined;
  const channels = gw.channels.active;
  const channel = p.channel && channels?.configuredChannels().includes(p.channel as never) ? p.channel : undefined;
  try {
    if (!channels) throw new Error("no channel is configured");
    const sent = await channels.send({ to, message: text, idempotencyKey: `agent-deliver:${runId}`, ...(channel ? { channel } : {}) });
    return { delivered: true, channel: sent.channel, to: sent.chatId, messageId: sent.messageId };
  } catch (err) {
    return { delivered: false, error: err instanceof Error ? err.message : String(err) };
  }
}

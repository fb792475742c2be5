/**
 * Which agent and which session an OpenAI-style request addresses. `model` is an agent selector
 * (never a backend model); headers beat the body; session keys are always "agent:<id>:<rest>".
 */
import { agentIdOfSessionKey, type AgentService } from "../agents/types.ts";

const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

export type ModelTarget = { kind: "default" } | { kind: "agent"; agentId: string; form: "slash" | "colon" | "agent" };

/** Parses `openclaw`, `openclaw/default`, `openclaw/<id>`, `openclaw:<id>` and `agent:<id>`; else undefined. */
export function parseAgentModel(model: string): ModelTarget | undefined {
  const lower = model.trim().toLowerCase();
  if (lower === "openclaw" || lower === "openclaw/default") return { kind: "default" };
  const forms: [string, "slash" | "colon" | "agent"][] = [
    ["openclaw/", "slash"],
    ["openclaw:", "colon"],
    ["agent:", "agent"],
  ];
  for (const [prefix, form] of forms) {
    if (!lower.startsWith(prefix)) continue;
    const id = lower.slice(prefix.length);
    return AGENT_ID.test(id) ? { kind: "agent", agentId: id, form } : undefined;
  }
  return undefined;
}

export const INVALID_MODEL_MESSAGE = "Invalid `model`. Use `openclaw` or `openclaw/<agentId>`.";

export type AgentResolution = { ok: true; agentId: string } | { ok: false; message: string };

/** `x-openclaw-agent-id` (alias `x-openclaw-agent`) beats `model`, which beats the default agent. */
export function resolveAgent(agents: AgentService, headers: Headers, model: string | undefined): AgentResolution {
  const header = (headers.get("x-openclaw-agent-id") ?? headers.get("x-openclaw-agent"))?.trim();
  if (header) return knownAgent(agents, header.toLowerCase());
  if (model === undefined || model.trim() === "") return { ok: true, agentId: agents.defaultAgentId() };
  const target = parseAgentModel(model);
  if (!target) return { ok: false, message: INVALID_MODEL_MESSAGE };
  if (target.kind === "default") return { ok: true, agentId: agents.defaultAgentId() };
  return knownAgent(agents, target.agentId);
}

function knownAgent(agents: AgentService, id: string): AgentResolution {
  return agents.getAgent(id) ? { ok: true, agentId: id } : { ok: false, message: `Unknown agent '${id}'.` };
}

const RESERVED_PREFIXES = ["subagent:", "cron:", "acp:"];
export const RESERVED_SESSION_MESSAGE = "`x-openclaw-session-key` cannot use reserved internal session namespaces.";

export type SessionResolution = { ok: true; agentId: string; sessionKey: string } | { ok: false; message: string };

/**
 * The session of a request: the x-openclaw-session-key header (a full "agent:<id>:…" key also
 * selects that agent), else a stable per-`user` session, else a fresh one.
 * `prefix` is "openai" for chat completions and "openresponses" for the Responses API.
 */
export function resolveSession(
  agents: AgentService,
  headers: Headers,
  agentId: string,
  opts: { prefix: string; user?: string | undefined; fallbackKey?: string | undefined },
): SessionResolution {
  const header = headers.get("x-openclaw-session-key")?.trim();
  if (header) {
    const keyAgent = agentIdOfSessionKey(header);
    const rest = keyAgent ? header.slice(`agent:${keyAgent}:`.length) : header;
    const lowerRest = rest.toLowerCase();
    if (RESERVED_PREFIXES.some((p) => header.toLowerCase().startsWith(p) || lowerRest.startsWith(p))) {
      return { ok: false, message: RESERVED_SESSION_MESSAGE };
    }
    if (!keyAgent) return { ok: true, agentId, sessionKey: `agent:${agentId}:${header}` };
    if (!agents.getAgent(keyAgent)) return { ok: false, message: `Unknown agent '${keyAgent}'.` };
    return { ok: true, agentId: keyAgent, sessionKey: header };
  }
  if (opts.fallbackKey) return { ok: true, agentId, sessionKey: opts.fallbackKey };
  const user = opts.user?.trim();
  if (user) return { ok: true, agentId, sessionKey: `agent:${agentId}:${opts.prefix}-user:${user.toLowerCase()}` };
  return { ok: true, agentId, sessionKey: `agent:${agentId}:${opts.prefix}:${crypto.randomUUID()}` };
}

/** The x-openclaw-model override, trimmed; empty means none. */
export function modelOverride(headers: Headers): string | undefined {
  return headers.get("x-openclaw-model")?.trim() || undefined;
}

/** Chat and Responses need operator.admin on top of write to pick a backend model by header. */
export function runScopes(headers: Headers): string[] {
  return modelOverride(headers) ? ["operator.write", "operator.admin"] : ["operator.write"];
}

/** Gateway-generated tool-call ids: 9 hex characters, never the upstream id. */
export function shortCallId(): string {
  return crypto.randomUUID().replace(/-/g, "").slice(0, 9);
}

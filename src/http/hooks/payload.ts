/**
 * Validation of `/hooks/wake` and `/hooks/agent` payloads and of the agent and session-key policy.
 * Every refusal is a sentence for `{ok:false,error}`, worded as the published gateway words it so
 * senders written against it keep working.
 */
import { agentIdOfSessionKey, type AgentService } from "../../agents/types.ts";
import { sessionKeyHasPrefix } from "../../config/sections/hooks.ts";
import type { ResolvedHooks } from "./config.ts";

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });

/** A trimmed non-empty string, else undefined. */
export const nonEmpty = (v: unknown): string | undefined => (typeof v === "string" && v.trim() ? v.trim() : undefined);

export type WakeMode = "now" | "next-heartbeat";
export type SessionMode = "isolated" | "persistent";

export interface WakeRequest {
  text: string;
  mode: WakeMode;
  agentId?: string;
  sessionKey?: string;
}

function optionalAgentId(raw: unknown): Checked<string | undefined> {
  if (raw === undefined) return { ok: true, value: undefined };
  const id = nonEmpty(raw);
  return id ? { ok: true, value: id } : fail("agentId must be a non-empty string");
}

export function checkWake(payload: Record<string, unknown>): Checked<WakeRequest> {
  const text = nonEmpty(payload.text);
  if (!text) return fail("text required");
  const mode: WakeMode = payload.mode === "next-heartbeat" ? "next-heartbeat" : "now";
  const agentId = optionalAgentId(payload.agentId);
  if (!agentId.ok) return agentId;
  const sessionKey = nonEmpty(payload.sessionKey);
  if (payload.sessionKey !== undefined && !sessionKey) return fail("sessionKey must be a non-empty string");
  if (mode === "next-heartbeat" && sessionKey) return fail("sessionKey requires mode=now");
  return { ok: true, value: { text, mode, agentId: agentId.value, sessionKey } };
}

export interface DeliveryTarget {
  channel: string;
  to: string;
  accountId?: string;
}

export interface DeliveryPlan {
  deliver: boolean;
  /** Set when the reply goes to a chat; else a delivered run reports to the main session. */
  target?: DeliveryTarget;
}

/** Hook `channel` values: "last" and every registered channel. */
export const channelChoices = (channels: readonly string[]): string[] => ["last", ...channels];
export const channelError = (channels: readonly string[]): string => `channel must be ${channelChoices(channels).join("|")}`;

/** A channel value as given (undefined: "last"), or undefined when it is not one of the choices. */
export function checkChannel(raw: unknown, channels: readonly string[]): string | undefined {
  if (raw === undefined) return "last";
  if (typeof raw !== "string") return undefined;
  const channel = raw.trim().toLowerCase();
  return channel && channelChoices(channels).includes(channel) ? channel : undefined;
}

/** Direct `/agent` delivery: both channel and to, naming a concrete channel, or neither. */
export function checkDirectDelivery(p: Record<string, unknown>, channels: readonly string[]): Checked<DeliveryPlan> {
  if (p.deliver === false) return { ok: true, value: { deliver: false } };
  const channel = checkChannel(p.channel, channels);
  if (!channel) return fail(channelError(channels));
  const has = (k: string) => p[k] !== undefined;
  if (!has("channel") && !has("to") && !has("accountId")) return { ok: true, value: { deliver: true } };
  const to = nonEmpty(p.to);
  const accountId = nonEmpty(p.accountId);
  if (has("to") && !to) return fail("to must be a non-empty string for hook delivery");
  if (has("accountId") && !accountId) return fail("accountId must be a non-empty string for hook delivery");
  if (has("accountId") && (!has("channel") || !to)) return fail("accountId requires channel and to for hook delivery");
  if (!has("channel") || !to) return fail("channel and to must be set together for hook delivery");
  if (channel === "last") return fail("channel must name a concrete channel for hook delivery");
  return { ok: true, value: { deliver: true, target: { channel, to, ...(accountId ? { accountId } : {}) } } };
}

export interface AgentRequest {
  message: string;
  name: string;
  agentId?: string;
  sessionKey?: string;
  sessionMode: SessionMode;
  wakeMode: WakeMode;
  delivery: DeliveryPlan;
  model?: string;
  timeoutSeconds?: number;
  waitForCompletion: boolean;
}

export function checkAgent(p: Record<string, unknown>, channels: readonly string[]): Checked<AgentRequest> {
  if (p.waitForCompletion !== undefined && typeof p.waitForCompletion !== "boolean") return fail("waitForCompletion must be boolean");
  const message = nonEmpty(p.message);
  if (!message) return fail("message required");
  const agentId = optionalAgentId(p.agentId);
  if (!agentId.ok) return agentId;
  if (p.sessionMode !== undefined && p.sessionMode !== "isolated" && p.sessionMode !== "persistent") {
    return fail("sessionMode must be isolated or persistent");
  }
  const delivery = checkDirectDelivery(p, channels);
  if (!delivery.ok) return delivery;
  const model = nonEmpty(p.model);
  if (p.model !== undefined && !model) return fail("model required");
  const timeout = p.timeoutSeconds;
  return {
    ok: true,
    value: {
      message,
      name: nonEmpty(p.name) ?? "Hook",
      agentId: agentId.value,
      sessionKey: nonEmpty(p.sessionKey),
      sessionMode: (p.sessionMode as SessionMode | undefined) ?? "isolated",
      wakeMode: p.wakeMode === "next-heartbeat" ? "next-heartbeat" : "now",
      delivery: delivery.value,
      model,
      // Not a positive finite number: ignored (the agent's own timeout applies).
      timeoutSeconds: typeof timeout === "number" && Number.isFinite(timeout) && timeout > 0 ? Math.max(1, Math.floor(timeout)) : undefined,
      waitForCompletion: p.waitForCompletion === true,
    },
  };
}

const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * The agent a hook runs. A request must name a configured agent; a mapping naming an unknown one
 * falls back to the default agent. Either way the result must pass `hooks.allowedAgentIds`.
 */
export function targetAgent(hooks: ResolvedHooks, agents: AgentService, raw: string | undefined, source: "request" | "mapping"): Checked<string> {
  let id = agents.defaultAgentId();
  if (raw !== undefined) {
    const wanted = raw.trim().toLowerCase();
    if (source === "request" && (!AGENT_ID.test(wanted) || !agents.getAgent(wanted))) return fail(`unknown agentId "${AGENT_ID.test(wanted) ? wanted : raw}"`);
    if (agents.getAgent(wanted)) id = wanted;
  }
  if (hooks.allowedAgentIds && !hooks.allowedAgentIds.has(id)) return fail("agentId is not allowed by hooks.allowedAgentIds");
  return { ok: true, value: id };
}

export type KeySource = "request" | "mapping-static" | "mapping-templated";

const prefixError = (prefixes: readonly string[]) => `sessionKey must start with one of: ${prefixes.join(", ")}`;

export const SESSION_KEY_DISABLED =
  "sessionKey is disabled for externally supplied hook payload values; set hooks.allowRequestSessionKey=true to enable";

/**
 * The logical session key of a run: the one asked for (a request's, or a templated mapping's, only
 * with allowRequestSessionKey), else hooks.defaultSessionKey, else a fresh `hook:<id>`. An
 * `agent:<x>:…` key is moved under the target agent. Every key must pass the prefix allowlist.
 */
export function logicalSessionKey(
  hooks: ResolvedHooks,
  requested: string | undefined,
  source: KeySource,
  agentId: string,
  freshId: string,
): Checked<{ key: string; generated: boolean }> {
  const prefixes = hooks.allowedSessionKeyPrefixes;
  const allowed = (key: string) => !prefixes || sessionKeyHasPrefix(key, prefixes);
  let key: string;
  let generated = false;
  if (requested) {
    if (source !== "mapping-static" && !hooks.allowRequestSessionKey) return fail(SESSION_KEY_DISABLED);
    key = requested;
  } else if (hooks.defaultSessionKey) {
    key = hooks.defaultSessionKey;
  } else {
    key = `hook:${freshId}`;
    generated = true;
  }
  if (!allowed(key)) return fail(prefixError(prefixes!));
  const owner = agentIdOfSessionKey(key);
  if (owner && owner !== agentId) key = `agent:${agentId}:${key.slice(`agent:${owner}:`.length)}`;
  if (!allowed(key)) return fail(prefixError(prefixes!));
  return { ok: true, value: { key, generated } };
}

/** The session a key belongs to in the store: "agent:<id>:<key>" unless it already is one. */
export function scopedSessionKey(agentId: string, key: string): string {
  return agentIdOfSessionKey(key) ? key : `agent:${agentId}:${key}`;
}

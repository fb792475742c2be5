/**
 * `hooks.mappings`: the first mapping whose `match` fits the request turns the JSON body into
 * actions through its templates: one action, or with `forEach` one per item of a top-level array
 * (first 200; each item's templates see the array as `[item]`).
 */
import { hasHookTemplate } from "../../config/sections/hooks.ts";
import type { ResolvedMapping } from "./config.ts";
import type { SessionMode, WakeMode } from "./payload.ts";
import { renderOptional, renderTemplate, type TemplateContext } from "./template.ts";

export const FAN_OUT_MAX_ITEMS = 200;

export interface WakeAction {
  kind: "wake";
  mappingId: string;
  text: string;
  mode: WakeMode;
  agentId?: string;
  sessionKey?: string;
  sessionKeyTemplated: boolean;
}

export interface AgentAction {
  kind: "agent";
  mappingId: string;
  message: string;
  name?: string;
  agentId?: string;
  wakeMode: WakeMode;
  sessionKey?: string;
  sessionKeyTemplated: boolean;
  sessionMode: SessionMode;
  deliver: boolean;
  channel?: string;
  to?: string;
  model?: string;
  timeoutSeconds?: number;
  wrap: boolean;
}

export type MappedAction = WakeAction | AgentAction;

export type MappingResult =
  | { ok: true; mapping: ResolvedMapping; actions: MappedAction[]; fanOut: boolean; dropped: number }
  | { ok: false; error: string };

function matches(mapping: ResolvedMapping, subPath: string | undefined, payload: Record<string, unknown>): boolean {
  if (mapping.matchPath !== undefined && mapping.matchPath !== subPath) return false;
  if (mapping.matchSource !== undefined && payload.source !== mapping.matchSource) return false;
  return true;
}

function build(mapping: ResolvedMapping, ctx: TemplateContext): { ok: true; action: MappedAction } | { ok: false; error: string } {
  const m = mapping.config;
  const sessionKey = renderOptional(m.sessionKey, ctx);
  const sessionKeyTemplated = hasHookTemplate(m.sessionKey);
  if (sessionKeyTemplated && !sessionKey) return { ok: false, error: "hook mapping sessionKey template rendered empty" };
  const wakeMode: WakeMode = m.wakeMode ?? "now";
  const agentId = m.agentId?.trim() || undefined;
  if (m.action === "wake") {
    const text = renderTemplate(m.textTemplate, ctx);
    if (!text.trim()) return { ok: false, error: "hook mapping requires text" };
    if (wakeMode === "next-heartbeat" && sessionKey) return { ok: false, error: "hook mapping sessionKey requires wakeMode=now" };
    return { ok: true, action: { kind: "wake", mappingId: mapping.id, text: text.trim(), mode: wakeMode, agentId, sessionKey, sessionKeyTemplated } };
  }
  const message = renderTemplate(m.messageTemplate, ctx);
  if (!message.trim()) return { ok: false, error: "hook mapping requires message" };
  return {
    ok: true,
    action: {
      kind: "agent",
      mappingId: mapping.id,
      message: message.trim(),
      name: renderOptional(m.name, ctx),
      agentId,
      wakeMode,
      sessionKey,
      sessionKeyTemplated,
      sessionMode: m.sessionMode ?? "isolated",
      deliver: m.deliver !== false,
      channel: m.channel,
      to: renderOptional(m.to, ctx),
      model: renderOptional(m.model, ctx),
      timeoutSeconds: m.timeoutSeconds,
      wrap: m.allowUnsafeExternalContent !== true,
    },
  };
}

/** undefined when no mapping matches the request. */
export function applyMappings(mappings: readonly ResolvedMapping[], subPath: string | undefined, ctx: TemplateContext): MappingResult | undefined {
  const mapping = mappings.find((m) => matches(m, subPath, ctx.payload));
  if (!mapping) return undefined;
  const forEach = mapping.config.forEach?.trim();
  if (!forEach) {
    const one = build(mapping, ctx);
    return one.ok ? { ok: true, mapping, actions: [one.action], fanOut: false, dropped: 0 } : one;
  }
  const raw = Object.hasOwn(ctx.payload, forEach) ? ctx.payload[forEach] : undefined;
  const items = Array.isArray(raw) ? raw : [];
  const actions: MappedAction[] = [];
  for (const item of items.slice(0, FAN_OUT_MAX_ITEMS)) {
    const one = build(mapping, { ...ctx, payload: { ...ctx.payload, [forEach]: [item] } });
    if (!one.ok) return one;
    actions.push(one.action);
  }
  return { ok: true, mapping, actions, fanOut: true, dropped: Math.max(0, items.length - FAN_OUT_MAX_ITEMS) };
}

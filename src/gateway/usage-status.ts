/**
 * usage.status: per provider/model, the rate limits its last response reported (since this gateway
 * started) and the tokens the stored transcripts record over 24 h and 30 days. Every configured
 * provider and the default model appear even before their first call. Loaded with the first call.
 */
import { resolveAgents, splitModelRef } from "../agents/agents-config.ts";
import { parseRateLimits, parseRetryAfterMs } from "../agents/providers/rate-limit-headers.ts";
import type { UsageRow } from "../agents/sessions.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import type { UsageStatusResult } from "../protocol/methods/usage.ts";
import type { QuotaObservation } from "./provider-quotas.ts";

type Entry = UsageStatusResult["providers"][number];
type Totals = Entry["usage"]["24h"];
type Usage = Entry["usage"];

const DAY_MS = 86_400_000;

const zero = (): Totals => ({ inputTokens: 0, outputTokens: 0, totalTokens: 0, calls: 0 });
const emptyUsage = (): Usage => ({ "24h": zero(), "30d": zero() });

function add(u: Usage, r: UsageRow): void {
  const a = (t: Totals, input: number, output: number, calls: number) => {
    t.inputTokens += input;
    t.outputTokens += output;
    t.totalTokens += input + output;
    t.calls += calls;
  };
  a(u["24h"], r.recentInputTokens, r.recentOutputTokens, r.recentCalls);
  a(u["30d"], r.inputTokens, r.outputTokens, r.calls);
}

export interface UsageInputs {
  config: OpenClawConfig;
  observations: QuotaObservation[];
  /** Transcript usage rows since `since`, with the recent cut (SessionStore.usageSince). */
  usage: (since: number, recent: number) => UsageRow[];
  rateLimitsSince: number;
  agentId?: string;
  now?: number;
}

const keyOf = (provider: string, model: string | null) => `${provider}\u0000${model ?? ""}`;

export function buildUsageStatus(i: UsageInputs): UsageStatusResult {
  const now = i.now ?? Date.now();
  const providers = i.config.models?.providers ?? {};
  const agents = resolveAgents(i.config);
  const def = [...agents.values()].find((a) => a.isDefault);
  const defaultRef = def?.primaryModel ? splitModelRef(def.primaryModel) : null;
  const agentRefs = [...agents.values()].flatMap((a) => (a.primaryModel ? [splitModelRef(a.primaryModel)] : [])).filter((r) => r !== null);
  const entries = new Map<string, Entry>();
  const entry = (provider: string, model: string | null): Entry => {
    const k = keyOf(provider, model);
    let e = entries.get(k);
    if (!e) {
      const cfg = providers[provider];
      e = {
        provider, model, api: cfg ? cfg.api ?? "openai-completions" : null, configured: cfg !== undefined,
        isDefault: defaultRef !== null && defaultRef.provider === provider && defaultRef.model === model,
        lastCallAt: null, lastStatus: null, rateLimits: null, retryAfterMs: null, retryAt: null, usage: emptyUsage(), byAgent: [],
      };
      entries.set(k, e);
    }
    return e;
  };

  for (const o of i.observations) {
    const e = entry(o.provider, o.model);
    e.lastCallAt = o.at;
    e.lastStatus = o.status;
    e.rateLimits = parseRateLimits(o.headers, o.at);
    e.retryAfterMs = parseRetryAfterMs(o.headers, o.at);
    e.retryAt = e.retryAfterMs === null ? null : o.at + e.retryAfterMs;
  }
  for (const r of i.usage(now - 30 * DAY_MS, now - DAY_MS)) {
    if (i.agentId !== undefined && r.agentId !== i.agentId) continue;
    const e = entry(r.provider, r.model);
    add(e.usage, r);
    let per = e.byAgent.find((a) => a.agentId === r.agentId);
    if (!per) e.byAgent.push((per = { agentId: r.agentId, usage: emptyUsage() }));
    add(per.usage, r);
  }
  // A provider with no calls and no history still gets a row: each agent's model, or the provider alone.
  for (const r of agentRefs) entry(r.provider, r.model);
  for (const id of Object.keys(providers)) {
    if (![...entries.values()].some((e) => e.provider === id)) entry(id, null);
  }
  for (const e of entries.values()) {
    if (e.lastCallAt === null) e.note = e.usage["30d"].calls > 0 ? "no calls since the gateway started" : "no calls yet";
    else if (e.rateLimits === null) e.note = "the provider sent no rate-limit headers";
  }
  const list = [...entries.values()].sort((a, b) =>
    Number(b.isDefault) - Number(a.isDefault) || a.provider.localeCompare(b.provider) || (a.model ?? "").localeCompare(b.model ?? ""));
  return { ts: now, windows: ["24h", "30d"], rateLimitsSince: i.rateLimitsSince, usageSource: "transcripts", providers: list };
}

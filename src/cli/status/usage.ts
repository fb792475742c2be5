/**
 * `openclaw status --usage`: the gateway's usage.status (provider rate limits and token usage) as a
 * `usage` key and a "Usage" section, one line per provider/model.
 */
import type { UsageStatusResult } from "../../protocol/methods/usage.ts";

type Entry = UsageStatusResult["providers"][number];
type Bucket = NonNullable<NonNullable<Entry["rateLimits"]>["requests"]>;

export const USAGE_METHOD = "usage.status";

const count = (n: number) => Math.round(n).toLocaleString("en-US");

/** A wait as a short human duration: "20ms", "45s", "6m", "2h 5m", "3d". */
export function shortDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  return `${Math.round(h / 24)}d`;
}

function bucketText(name: string, b: Bucket | undefined, ts: number): string | null {
  if (!b) return null;
  const amount = b.remaining !== null && b.limit !== null ? `${count(b.remaining)}/${count(b.limit)} left`
    : b.remaining !== null ? `${count(b.remaining)} left` : b.limit !== null ? `limit ${count(b.limit)}` : "";
  const reset = b.resetAt === null ? "" : b.resetAt <= ts ? "reset since" : `resets in ${shortDuration(b.resetAt - ts)}`;
  return `${name} ${[amount, reset].filter(Boolean).join(", ")}`;
}

function usedText(label: string, u: Entry["usage"]["24h"]): string {
  return `${label} ${count(u.inputTokens)} in / ${count(u.outputTokens)} out (${u.calls} ${u.calls === 1 ? "call" : "calls"})`;
}

/** One line for one provider/model. */
export function usageLine(e: Entry, ts: number): string {
  const name = `${e.provider}${e.model === null ? "" : `/${e.model}`}${e.isDefault ? " (default)" : ""}`;
  const parts = [name];
  const rl = e.rateLimits;
  const buckets = rl
    ? [bucketText("requests", rl.requests, ts), bucketText("tokens", rl.tokens, ts), bucketText("input tokens", rl.inputTokens, ts), bucketText("output tokens", rl.outputTokens, ts)]
    : [];
  parts.push(...buckets.filter((b): b is string => b !== null));
  if (e.lastStatus !== null && (e.lastStatus < 200 || e.lastStatus >= 300)) {
    const wait = e.retryAt === null ? "" : e.retryAt > ts ? `, retry in ${shortDuration(e.retryAt - ts)}` : ", retry now";
    parts.push(`last call HTTP ${e.lastStatus}${wait}`);
  }
  if (e.note) parts.push(e.note);
  parts.push(`used: ${usedText("24h", e.usage["24h"])}, ${usedText("30d", e.usage["30d"])}`);
  return `- ${parts.join(" · ")}`;
}

/** The "Usage" section; `usage` null means it could not be collected (the reason is in `reason`). */
export function formatUsage(usage: UsageStatusResult | null, reason: string | null): string[] {
  const out = ["", "Usage"];
  if (!usage) return [...out, `Not collected (${reason ?? "unknown reason"})`];
  if (usage.providers.length === 0) return [...out, "No model providers configured"];
  for (const e of usage.providers) out.push(usageLine(e, usage.ts));
  out.push("Rate limits are the last response's headers since the gateway started; tokens are summed from stored transcripts.");
  return out;
}

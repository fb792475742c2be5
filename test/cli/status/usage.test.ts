import { describe, expect, test } from "bun:test";
import { formatUsage, shortDuration, usageLine } from "../../../src/cli/status/usage.ts";
import type { UsageStatusResult } from "../../../src/protocol/methods/usage.ts";

type Entry = UsageStatusResult["providers"][number];
const TS = 1_800_000_000_000;
const zero = { inputTokens: 0, outputTokens: 0, totalTokens: 0, calls: 0 };

function entry(over: Partial<Entry>): Entry {
  return {
    provider: "claude", model: "sonnet", api: "anthropic-messages", configured: true, isDefault: false, lastCallAt: TS - 5000, lastStatus: 200,
    rateLimits: null, retryAfterMs: null, retryAt: null, usage: { "24h": zero, "30d": zero }, byAgent: [], ...over,
  };
}

describe("status --usage lines", () => {
  test("Anthropic buckets, thousands separators, resets relative to the document's time", () => {
    const b = (remaining: number, limit: number) => ({ limit, remaining, resetAt: TS + 90_000 });
    const line = usageLine(entry({
      rateLimits: { requests: b(49, 50), inputTokens: b(39_991, 40_000), outputTokens: { limit: 8000, remaining: null, resetAt: null } },
      usage: { "24h": { inputTokens: 1234, outputTokens: 56, totalTokens: 1290, calls: 2 }, "30d": { inputTokens: 1_234_567, outputTokens: 8, totalTokens: 1_234_575, calls: 1 } },
    }), TS);
    expect(line).toBe(
      "- claude/sonnet · requests 49/50 left, resets in 2m · input tokens 39,991/40,000 left, resets in 2m · output tokens limit 8,000 · " +
      "used: 24h 1,234 in / 56 out (2 calls), 30d 1,234,567 in / 8 out (1 call)",
    );
  });

  test("a failed last call says its status and how long until a retry", () => {
    const line = usageLine(entry({ lastStatus: 429, retryAfterMs: 7000, retryAt: TS + 7000, rateLimits: { requests: { limit: 50, remaining: 0, resetAt: TS - 1 } } }), TS);
    expect(line).toContain(" · requests 0/50 left, reset since · last call HTTP 429, retry in 7s · ");
    expect(usageLine(entry({ lastStatus: 503, retryAt: TS - 1 }), TS)).toContain("last call HTTP 503, retry now");
  });

  test("no calls, no model: the note", () => {
    expect(usageLine(entry({ model: null, isDefault: false, lastCallAt: null, lastStatus: null, note: "no calls yet" }), TS))
      .toBe("- claude · no calls yet · used: 24h 0 in / 0 out (0 calls), 30d 0 in / 0 out (0 calls)");
  });

  test("section: not collected with its reason, or no providers", () => {
    expect(formatUsage(null, "usage.status failed: unknown method")).toEqual(["", "Usage", "Not collected (usage.status failed: unknown method)"]);
    const empty: UsageStatusResult = { ts: TS, windows: ["24h", "30d"], rateLimitsSince: TS, usageSource: "transcripts", providers: [] };
    expect(formatUsage(empty, null)).toEqual(["", "Usage", "No model providers configured"]);
  });

  test("durations", () => {
    expect([20, 999, 1000, 59_000, 360_000, 3_600_000, 5_400_000, 3 * 86_400_000].map(shortDuration)).toEqual(["20ms", "999ms", "1s", "59s", "6m", "1h", "1h 30m", "3d"]);
  });
});

/** Provider quotas and token usage (usage.status). Schemas are built on first use. */
import { z } from "zod";
import { lazyMethod } from "./types.ts";

export const USAGE_WINDOWS = ["24h", "30d"] as const;
export type UsageWindow = (typeof USAGE_WINDOWS)[number];

function schemas() {
  const Bucket = z
    .strictObject({
      limit: z.number().nullable().describe("The bucket's size, as the provider last reported it"),
      remaining: z.number().nullable().describe("What was left of it after the last call"),
      resetAt: z.number().nullable().describe("When it refills (ms since the epoch)"),
    })
    .describe("One rate-limit bucket from the provider's response headers");
  const Totals = z
    .strictObject({
      inputTokens: z.int().min(0), outputTokens: z.int().min(0), totalTokens: z.int().min(0),
      calls: z.int().min(0).describe("Provider calls (assistant messages) in the window"),
    })
    .describe("Token usage summed from the stored transcripts");
  const Usage = z.strictObject({ "24h": Totals, "30d": Totals });
  const Entry = z
    .strictObject({
      provider: z.string(),
      model: z.string().nullable().describe("null for a configured provider that no agent uses and that has not been called"),
      api: z.enum(["openai-completions", "anthropic-messages"]).nullable().describe("null when models.providers does not configure it"),
      configured: z.boolean().describe("Listed in models.providers"),
      isDefault: z.boolean().describe("The default agent's primary model"),
      lastCallAt: z.number().nullable().describe("When this gateway last got a response for it (ms); null: no calls since start"),
      lastStatus: z.int().nullable().describe("HTTP status of that response"),
      rateLimits: z
        .strictObject({ requests: Bucket.optional(), tokens: Bucket.optional(), inputTokens: Bucket.optional(), outputTokens: Bucket.optional() })
        .nullable()
        .describe("From the last response's headers; null when there was none or it carried no rate-limit headers"),
      retryAfterMs: z.number().nullable().describe("retry-after of the last response, as sent (ms)"),
      retryAt: z.number().nullable().describe("When that retry-after ends (ms since the epoch)"),
      note: z.string().optional().describe('Why there is nothing to show, e.g. "no calls yet"'),
      usage: Usage,
      byAgent: z.array(z.strictObject({ agentId: z.string(), usage: Usage })).describe("The same usage per agent"),
    })
    .describe("One provider/model");
  return {
    params: z.object({
      agentId: z.string().min(1).optional().describe("Only this agent's usage (rate limits are per provider either way)"),
    }),
    result: z.strictObject({
      ts: z.number(),
      windows: z.array(z.enum(USAGE_WINDOWS)),
      rateLimitsSince: z.number().describe("Rate limits are what this gateway saw since it started (ms)"),
      usageSource: z.literal("transcripts").describe("Usage is summed from the stored assistant messages"),
      providers: z.array(Entry),
    }),
  };
}

export const usageStatus = lazyMethod({
  name: "usage.status",
  description: "Provider quotas (rate-limit headers of each provider's last response) and token usage per provider/model over 24h and 30d",
  scope: "operator.read",
  lenientParams: true,
}, schemas);

export type UsageStatusResult = z.infer<ReturnType<typeof schemas>["result"]>;

import { z } from "zod";
import { secretInput } from "./secrets.ts";

export const ProviderApiSchema = z
  .enum(["openai-completions", "anthropic-messages"])
  .describe("Wire protocol of the provider: any OpenAI-compatible server, or Anthropic's Messages API");

export const ModelEntrySchema = z
  .object({
    id: z.string().min(1).describe("Model id as the provider knows it"),
    name: z.string().min(1).describe("Human-readable name"),
    reasoning: z.boolean().optional().describe("Whether the model reasons before answering"),
    input: z.array(z.enum(["text", "image"])).optional().describe("Input kinds the model accepts"),
    contextWindow: z.int().positive().optional().describe("Context window in tokens"),
    maxTokens: z.int().positive().optional().describe("Default output token limit"),
    cost: z
      .object({ input: z.number(), output: z.number(), cacheRead: z.number().optional(), cacheWrite: z.number().optional() })
      .strict()
      .optional()
      .describe("Price per million tokens"),
    headers: z.record(z.string(), z.string()).optional().describe("Extra request headers for this model"),
  })
  .strict();

export const ProviderSchema = z
  .object({
    baseUrl: z.url().describe('Base URL of the API, e.g. "http://127.0.0.1:11434/v1"'),
    apiKey: secretInput("API key (supports ${VAR} or a SecretRef); never logged or returned").optional(),
    api: ProviderApiSchema.optional().describe('Wire protocol (default "openai-completions")'),
    headers: z.record(z.string(), z.string()).optional().describe("Extra request headers"),
    timeoutSeconds: z.number().positive().optional().describe("Per-request timeout (default 120)"),
    maxRetries: z.int().min(0).max(10).optional().describe("Retries on 429/5xx with backoff (default 2)"),
    maxTokens: z.int().positive().optional().describe("Default output token limit for this provider's models"),
    models: z.array(ModelEntrySchema).optional().describe("Models this provider serves"),
  })
  .strict()
  .describe("One model provider");

export const ModelsSchema = z
  .object({
    mode: z.enum(["merge", "replace"]).optional().describe("How configured providers combine with built-in ones"),
    providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i), ProviderSchema).optional().describe("Providers by id"),
  })
  .strict()
  .describe("Model providers");

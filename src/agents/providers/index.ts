/** Builds a Provider from a `models.providers.<id>` config entry. */
import type { z } from "zod";
import type { ProviderSchema } from "../../config/sections/models.ts";
import { createAnthropicMessagesProvider } from "./anthropic-messages.ts";
import { createOpenAICompletionsProvider } from "./openai-completions.ts";
import type { ProviderDeps } from "./transport.ts";
import type { Provider, ProviderConfig } from "./types.ts";

export type ProviderSettings = z.infer<typeof ProviderSchema>;

export const DEFAULT_TIMEOUT_SECONDS = 120;
export const DEFAULT_MAX_RETRIES = 2;

export function toProviderConfig(id: string, cfg: ProviderSettings): ProviderConfig {
  const out: ProviderConfig = {
    id,
    baseUrl: cfg.baseUrl,
    timeoutMs: Math.round((cfg.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000),
    maxRetries: cfg.maxRetries ?? DEFAULT_MAX_RETRIES,
  };
  if (cfg.apiKey !== undefined && cfg.apiKey !== "") out.apiKey = cfg.apiKey;
  if (cfg.headers !== undefined) out.headers = { ...cfg.headers };
  return out;
}

export function createProvider(id: string, cfg: ProviderSettings, deps: ProviderDeps = {}): Provider {
  const pc = toProviderConfig(id, cfg);
  switch (cfg.api ?? "openai-completions") {
    case "anthropic-messages":
      return createAnthropicMessagesProvider(pc, { ...deps, defaultMaxTokens: cfg.maxTokens });
    case "openai-completions":
      return createOpenAICompletionsProvider(pc, deps);
  }
}

export { createAnthropicMessagesProvider } from "./anthropic-messages.ts";
export { createOpenAICompletionsProvider } from "./openai-completions.ts";
export type { FetchLike, ProviderDeps, ProviderResponseInfo } from "./transport.ts";
export * from "./types.ts";

/**
 * Model providers built from the resolved config. A provider whose `apiKey` reference did not
 * resolve is kept in the roster but unavailable: each request fails at once saying which key and
 * why, instead of reaching the upstream without credentials.
 */
import { createProvider, type ProviderDeps } from "../../agents/providers/index.ts";
import { ProviderError, type Provider } from "../../agents/providers/types.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import { unresolvedSecretsOf } from "../../config/secrets.ts";

export function unavailableProvider(id: string, api: Provider["api"], reason: string): Provider {
  const message =
    `model provider "${id}" is unavailable: models.providers.${id}.apiKey could not be resolved (${reason}). ` +
    `Fix the secret, then run: openclaw secrets reload`;
  return {
    id,
    api,
    // eslint-disable-next-line require-yield
    async *stream() {
      throw new ProviderError("auth", message);
    },
    async embed() {
      throw new ProviderError("auth", message);
    },
  };
}

/** The AgentRuntime provider factory for a gateway that runs on an activation's resolved config. */
export function providerFromResolvedConfig(id: string, config: OpenClawConfig, deps: ProviderDeps = {}): Provider | undefined {
  const cfg = config.models?.providers?.[id];
  if (!cfg) return undefined;
  const reason = unresolvedSecretsOf(config).get(`models.providers.${id}.apiKey`);
  return reason === undefined ? createProvider(id, cfg, deps) : unavailableProvider(id, cfg.api ?? "openai-completions", reason);
}

import { loadConfig, type LoadedConfig } from "../config/load.ts";
import type { ResolvedPaths } from "../config/paths.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { resolveGatewaySettings, type GatewayFlags, type GatewaySettings } from "../config/settings.ts";
import type { LiveConfig } from "./runtime.ts";

export interface ActivationInput {
  env: Record<string, string | undefined>;
  paths: ResolvedPaths;
  flags: GatewayFlags;
}

/** A configuration ready to serve: validated, secrets resolved, settings derived. */
export interface Activation {
  loaded: LoadedConfig;
  /** The config the gateway runs on (what secret references resolved to). */
  config: OpenClawConfig;
  settings: GatewaySettings;
  live: LiveConfig;
}

/**
 * The one pipeline from file to running configuration, shared by start-up, hot reload and
 * secrets reload, so all three accept and refuse exactly the same things. Throws ConfigError or
 * SettingsError; nothing is applied here.
 */
export function activateConfig(
  input: ActivationInput,
  opts: { loaded?: LoadedConfig; previous?: Activation } = {},
): Activation {
  const loaded = opts.loaded ?? loadConfig(input.paths.configPath, input.env);
  const config = loaded.config;
  // A token generated for this process stays the same across reloads: clients already hold it.
  const prev = opts.previous?.settings.auth;
  const generateToken = prev?.source === "generated" && prev.token ? () => prev.token! : undefined;
  const settings = resolveGatewaySettings({ flags: input.flags, env: input.env, config, paths: input.paths, generateToken });
  return { loaded, config, settings, live: { loaded, config, auth: settings.auth } };
}

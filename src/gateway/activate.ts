import { hasUnresolvedPlaceholder } from "../config/env-subst.ts";
import { loadConfig, type LoadedConfig } from "../config/load.ts";
import type { ResolvedPaths } from "../config/paths.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import {
  isSecretRef,
  resolveConfigSecrets,
  SecretsUnavailableError,
  type SecretFailure,
} from "../config/secrets.ts";
import { resolveGatewaySettings, type GatewayFlags, type GatewaySettings } from "../config/settings.ts";
import type { LiveConfig } from "./runtime.ts";

export interface ActivationInput {
  env: Record<string, string | undefined>;
  paths: ResolvedPaths;
  flags: GatewayFlags;
}

/** A configuration ready to serve: validated, secrets resolved, settings derived. */
export interface Activation {
  /** The file as read; `loaded.config` keeps SecretRefs as written (config.get shows refs, never values). */
  loaded: LoadedConfig;
  /** The config the gateway runs on (what secret references resolved to). */
  config: OpenClawConfig;
  settings: GatewaySettings;
  live: LiveConfig;
  /** References the gateway can run without that did not resolve (e.g. a provider's apiKey). */
  secretWarnings: SecretFailure[];
  /** References on keys the gateway never uses (gateway.remote.*): not resolved. */
  secretsSkipped: string[];
}

function configured(value: unknown): boolean {
  if (isSecretRef(value)) return true;
  return typeof value === "string" && value !== "" && !hasUnresolvedPlaceholder(value);
}

function given(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== "" && !hasUnresolvedPlaceholder(value);
}

/**
 * The gateway-auth references the gateway cannot serve without: the secret of the auth mode in
 * effect, unless a flag or env var supplies it instead. Ingress auth always fails closed: an
 * unresolved reference there stops start-up (and is refused by reloads) instead of falling back.
 */
export function requiredSecretPaths(source: OpenClawConfig, input: ActivationInput): string[] {
  const auth = source.gateway?.auth;
  const tokenGiven = given(input.flags.token) || given(input.env.OPENCLAW_GATEWAY_TOKEN);
  const passwordGiven = given(input.flags.password) || given(input.env.OPENCLAW_GATEWAY_PASSWORD);
  const mode = input.flags.auth?.trim() || auth?.mode || (passwordGiven || configured(auth?.password) ? "password" : "token");
  const required: string[] = [];
  if (mode === "token" && !tokenGiven && isSecretRef(auth?.token)) required.push("gateway.auth.token");
  if (mode === "password" && !passwordGiven && isSecretRef(auth?.password)) required.push("gateway.auth.password");
  return required;
}

/**
 * The one pipeline from file to running configuration, shared by start-up, hot reload and
 * secrets reload, so all three accept and refuse exactly the same things: load + validate →
 * resolve SecretRefs into an in-memory copy → settings. Throws ConfigError, SecretsUnavailableError
 * or SettingsError; nothing is applied here.
 */
export async function activateConfig(
  input: ActivationInput,
  opts: { loaded?: LoadedConfig; previous?: Activation } = {},
): Promise<Activation> {
  const loaded = opts.loaded ?? loadConfig(input.paths.configPath, input.env);
  const secrets = await resolveConfigSecrets(loaded.config, { env: input.env, home: input.paths.home, surface: "gateway" });
  const required = new Set(requiredSecretPaths(loaded.config, input));
  const fatal = secrets.failures.filter((f) => required.has(f.path));
  if (fatal.length > 0) throw new SecretsUnavailableError(fatal);
  const config = secrets.config;
  // A token generated for this process stays the same across reloads: clients already hold it.
  const prev = opts.previous?.settings.auth;
  const generateToken = prev?.source === "generated" && prev.token ? () => prev.token! : undefined;
  const settings = resolveGatewaySettings({ flags: input.flags, env: input.env, config, paths: input.paths, generateToken });
  return {
    loaded,
    config,
    settings,
    live: { loaded, config, auth: settings.auth },
    secretWarnings: secrets.failures,
    secretsSkipped: secrets.skipped,
  };
}

import type { LoadedConfig } from "./load.ts";
import { EX_CONFIG, isLoopbackHost, type GatewaySettings } from "./settings.ts";

export class StartupGuardError extends Error {
  override name = "StartupGuardError";
  readonly exitCode: number;
  /** The config key the refusal is about, when there is one (for one-line reports). */
  readonly path?: string;
  constructor(message: string, exitCode: number = EX_CONFIG, path?: string) {
    super(message);
    this.exitCode = exitCode;
    this.path = path;
  }
}

export const GUARD_MESSAGES = {
  missingConfig:
    "Missing config. Run `openclaw setup` or set gateway.mode=local (or pass --allow-unconfigured).",
  missingMode:
    "Gateway start blocked: existing config is missing gateway.mode. Treat this as suspicious or clobbered config. " +
    "Re-run `openclaw setup`, set gateway.mode=local manually, or pass --allow-unconfigured.",
  remoteMode: (mode: string) =>
    `Gateway start blocked: set gateway.mode=local (current: ${mode}) or pass --allow-unconfigured.`,
  noAuthOnNetwork: (bind: string, host: string) =>
    `refusing to bind gateway to ${bind} (${host}) without auth.\n` +
    "Set gateway.auth.token/password (or OPENCLAW_GATEWAY_TOKEN/OPENCLAW_GATEWAY_PASSWORD) or pass --token/--password.",
  authNoneWarning:
    "Gateway auth mode=none explicitly configured; all gateway connections are unauthenticated.",
  nonLoopbackWarning:
    "Gateway is binding to a non-loopback address. Ensure authentication is configured before exposing to public networks.",
  generatedTokenWarning:
    "auth token was missing. Generated a runtime token for this startup without changing config; " +
    "restart will generate a different token. Persist one with gateway.auth.token or OPENCLAW_GATEWAY_TOKEN.",
} as const;

/**
 * Refuses to start in configurations that are unintended (no/clobbered config, a client-only config)
 * or unsafe (network exposure without auth). Returns warnings for risky-but-allowed setups.
 */
export function checkStartupGuards(input: {
  loaded: LoadedConfig;
  settings: GatewaySettings;
  bindHosts: string[];
  allowUnconfigured: boolean;
}): string[] {
  const { loaded, settings, bindHosts, allowUnconfigured } = input;
  const mode = loaded.config.gateway?.mode;

  if (!allowUnconfigured) {
    if (!loaded.exists) throw new StartupGuardError(GUARD_MESSAGES.missingConfig);
    // An existing file without gateway.mode usually means something overwrote it; don't guess.
    if (mode === undefined) throw new StartupGuardError(GUARD_MESSAGES.missingMode, EX_CONFIG, "gateway.mode");
    if (mode !== "local") throw new StartupGuardError(GUARD_MESSAGES.remoteMode(mode), EX_CONFIG, "gateway.mode");
  }

  const exposedHost = bindHosts.find((host) => !isLoopbackHost(host));
  if (exposedHost !== undefined && settings.auth.mode === "none") {
    throw new StartupGuardError(GUARD_MESSAGES.noAuthOnNetwork(settings.bind, exposedHost), EX_CONFIG, "gateway.auth.mode");
  }

  const warnings: string[] = [];
  if (settings.auth.mode === "none") warnings.push(GUARD_MESSAGES.authNoneWarning);
  if (exposedHost !== undefined) warnings.push(GUARD_MESSAGES.nonLoopbackWarning);
  if (settings.auth.source === "generated") warnings.push(GUARD_MESSAGES.generatedTokenWarning);
  return warnings;
}

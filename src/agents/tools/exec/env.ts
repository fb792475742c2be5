/**
 * The environment of a gateway-host `exec`: the gateway's own, minus the secrets it holds (its
 * token or password, provider and channel keys), plus what the call asks for — except variables
 * that change which code runs (loader, interpreter and shell start-up hooks), which are refused.
 */
import { SECRET_KEY_PATTERN } from "../../../config/schema.ts";
import { overrideRefusal } from "../../../nodes/host/env.ts";
import { ToolInputError } from "../types.ts";

const GATEWAY_SECRETS = new Set(["OPENCLAW_GATEWAY_TOKEN", "OPENCLAW_GATEWAY_PASSWORD"]);

/** Whether a variable of the gateway's environment is withheld from commands. */
export function isSecretEnvName(name: string): boolean {
  return GATEWAY_SECRETS.has(name.toUpperCase()) || SECRET_KEY_PATTERN.test(name);
}

/** `overrides` are checked already (envArg). */
export function gatewayExecEnv(host: Record<string, string | undefined>, overrides: Record<string, string> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(host)) if (value !== undefined && !isSecretEnvName(name)) env[name] = value;
  return { ...env, ...overrides };
}

/** `env` as given by the model: an object of strings, or nothing. */
export function envArg(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw new ToolInputError("env must be an object of strings");
  for (const [name, value] of Object.entries(v)) {
    const refusal = overrideRefusal(name, value);
    if (refusal) throw new ToolInputError(refusal);
  }
  return v as Record<string, string>;
}

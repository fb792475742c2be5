/**
 * Where a client command connects and with which secret. Unlike the WS client this needs the
 * config, because the local gateway's port and token live there.
 */
import type { ResolvedPaths } from "../config/paths.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { resolveGatewaySettings } from "../config/settings.ts";

export type UrlSource = "flag" | "env" | "config" | "local loopback";

export interface TargetFlags {
  url?: string;
  token?: string;
  password?: string;
}

export interface GatewayTarget {
  url: string;
  urlSource: UrlSource;
  token?: string;
  password?: string;
}

type Env = Record<string, string | undefined>;

function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  // An unresolved ${VAR} placeholder is a missing secret, not a secret.
  return trimmed === "" || /\$\{[A-Z_][A-Z0-9_]*\}/.test(trimmed) ? undefined : trimmed;
}

function first(...values: Array<string | undefined>): string | undefined {
  for (const v of values) {
    const usable = nonEmpty(v);
    if (usable !== undefined) return usable;
  }
  return undefined;
}

function withSecrets(target: Omit<GatewayTarget, "token" | "password">, token?: string, password?: string): GatewayTarget {
  const out: GatewayTarget = { ...target };
  if (token !== undefined) out.token = token;
  if (password !== undefined) out.password = password;
  return out;
}

/** The loopback port the local gateway listens on, by the same precedence the gateway itself uses. */
export function localGatewayPort(env: Env, config: OpenClawConfig, paths: ResolvedPaths): number {
  // Auth is irrelevant for the port and its checks (password mode without a password) must not fail a client.
  const gateway = config.gateway ? { ...config.gateway, auth: undefined } : undefined;
  return resolveGatewaySettings({ flags: {}, env, config: { ...config, gateway }, paths, generateToken: () => "" }).port;
}

/**
 * url: --url > OPENCLAW_GATEWAY_URL > gateway.remote.url (mode remote) > ws://127.0.0.1:<port>.
 * An explicit --url only ever gets the secrets given on the command line, so a local token is
 * never sent to an arbitrary host.
 */
export function resolveGatewayTarget(input: {
  flags: TargetFlags;
  env: Env;
  config: OpenClawConfig;
  paths: ResolvedPaths;
}): GatewayTarget {
  const { flags, env, config, paths } = input;
  const flagToken = nonEmpty(flags.token);
  const flagPassword = nonEmpty(flags.password);
  const explicitSecret = flagToken !== undefined || flagPassword !== undefined;
  const flagUrl = nonEmpty(flags.url);
  if (flagUrl !== undefined) return withSecrets({ url: flagUrl, urlSource: "flag" }, flagToken, flagPassword);

  const auth = config.gateway?.auth;
  const remote = config.gateway?.remote;
  const envUrl = nonEmpty(env.OPENCLAW_GATEWAY_URL);
  const remoteUrl = config.gateway?.mode === "remote" ? nonEmpty(remote?.url) : undefined;
  let target: Omit<GatewayTarget, "token" | "password">;
  let configSecrets: { token?: string; password?: string };
  if (envUrl === undefined && remoteUrl !== undefined) {
    target = { url: remoteUrl, urlSource: "config" };
    // A remote gateway has its own secret; the local auth block belongs to a gateway on this machine.
    configSecrets = { token: remote?.token, password: remote?.password };
  } else {
    const url = envUrl ?? `ws://127.0.0.1:${localGatewayPort(env, config, paths)}`;
    target = { url, urlSource: envUrl !== undefined ? "env" : "local loopback" };
    configSecrets = { token: first(auth?.token, remote?.token), password: first(auth?.password, remote?.password) };
  }
  // Secrets given on the command line replace every other source as a pair, so they never mix.
  if (explicitSecret) return withSecrets(target, flagToken, flagPassword);
  return withSecrets(
    target,
    first(env.OPENCLAW_GATEWAY_TOKEN, configSecrets.token),
    first(env.OPENCLAW_GATEWAY_PASSWORD, configSecrets.password),
  );
}

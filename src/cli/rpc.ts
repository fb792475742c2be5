/** One-shot gateway calls for client commands: target resolution, one connection, error shapes. */
import { GatewayClient, GatewayRequestError, GatewayTransportError } from "../client/ws-client.ts";
import type { GatewayConnectOptions, RequestOptions } from "../client/ws-client.ts";
import { resolveGatewayTarget, type GatewayTarget, type TargetFlags } from "../client/target.ts";
import { ConfigError, formatConfigError, loadConfig } from "../config/load.ts";
import { resolveConfigSecrets, secretRefPaths } from "../config/secrets.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { SettingsError } from "../config/settings.ts";
import { parseIntArg } from "./args.ts";
import type { CliContext, GlobalContext } from "./context.ts";
import { CliError, ExitError, UsageError } from "./errors.ts";

export type ClientIdentity = Pick<GatewayConnectOptions, "clientId" | "mode" | "displayName" | "scopes">;

export const READ_SCOPES = ["operator.read"] as const;
export const CLI_READER: ClientIdentity = { clientId: "cli", mode: "cli", scopes: READ_SCOPES };

export interface LocalConfig {
  config: OpenClawConfig;
  /** Config keys whose SecretRef did not resolve (left out of `config`). */
  unresolved: Array<{ path: string; reason: string }>;
  /** Why the file could not be used (then `config` is empty). */
  error?: string;
}

/** The local config with its SecretRefs resolved the way the gateway resolves them; a broken file is reported, not thrown. */
export async function readLocalConfig(ctx: GlobalContext): Promise<LocalConfig> {
  let config: OpenClawConfig;
  try {
    config = loadConfig(ctx.paths.configPath, ctx.env).config;
  } catch (err) {
    if (err instanceof ConfigError) return { config: {}, unresolved: [], error: formatConfigError(err) };
    throw err;
  }
  if (secretRefPaths(config).length === 0) return { config, unresolved: [] };
  const r = await resolveConfigSecrets(config, { env: ctx.env, home: ctx.paths.home, surface: "client" });
  return { config: r.config, unresolved: r.failures };
}

async function loadClientConfig(ctx: GlobalContext): Promise<OpenClawConfig> {
  const r = await readLocalConfig(ctx);
  if (r.error !== undefined) throw new CliError(r.error, "config_invalid");
  return r.config;
}

/** A --url must be a ws:// or wss:// address. */
export function checkWsUrlFlag(url: string): void {
  if (!/^wss?:\/\/[^/\s]+/i.test(url.trim())) throw new UsageError(`Invalid --url: ${JSON.stringify(url)} (use ws://host:port or wss://host:port)`);
}

/**
 * The gateway a command talks to. With an explicit --url the config is not even read, and a
 * secret must come with it on the command line, as the published CLI requires.
 */
export async function resolveCliTarget(ctx: GlobalContext, flags: TargetFlags): Promise<GatewayTarget> {
  const explicitUrl = flags.url !== undefined && flags.url.trim() !== "";
  if (flags.url !== undefined && !explicitUrl) throw new UsageError("--url needs a value, e.g. ws://127.0.0.1:18789");
  if (explicitUrl) checkWsUrlFlag(flags.url!);
  let target: GatewayTarget;
  try {
    const config = explicitUrl ? {} : await loadClientConfig(ctx);
    target = resolveGatewayTarget({ flags, env: ctx.env, config, paths: ctx.paths });
  } catch (err) {
    if (err instanceof SettingsError) throw new CliError(err.message, "config_invalid");
    throw err;
  }
  if (target.urlSource === "flag" && !target.token && !target.password) {
    throw new CliError(
      "--url requires --token or --password (credentials from the environment or config are never sent to an explicit URL)",
      "gateway_credentials_required",
    );
  }
  return target;
}

export interface CallSpec {
  identity: ClientIdentity;
  method: string;
  /** undefined sends no `params` at all (gateway health, the health command). */
  params?: unknown;
  /** Caps connect + request together, like the published CLI's --timeout. */
  timeoutMs: number;
  expectFinal?: boolean;
  onAccepted?: RequestOptions["onAccepted"];
}

/** Opens one connection, makes one request, closes. */
export async function callGateway<T = unknown>(target: GatewayTarget, spec: CallSpec): Promise<T> {
  const deadline = Date.now() + spec.timeoutMs;
  const connect: GatewayConnectOptions = { url: target.url, ...spec.identity, timeoutMs: spec.timeoutMs };
  if (target.token) connect.token = target.token;
  if (target.password) connect.password = target.password;
  const client = await GatewayClient.connect(connect);
  try {
    const opts: RequestOptions = { timeoutMs: Math.max(1, deadline - Date.now()) };
    if (spec.expectFinal) opts.expectFinal = true;
    if (spec.onAccepted) opts.onAccepted = spec.onAccepted;
    return await client.request<T>(spec.method, spec.params, opts);
  } catch (err) {
    // The budget covers the whole call, so the message names the whole budget.
    if (err instanceof GatewayTransportError && err.kind === "timeout") {
      throw new GatewayTransportError("timeout", `gateway timeout after ${spec.timeoutMs}ms`);
    }
    throw err;
  } finally {
    client.close();
  }
}

/** The stable `--json` error shape of every client command. */
export function errorJson(err: unknown, target?: GatewayTarget): Record<string, unknown> {
  if (err instanceof GatewayRequestError) {
    const error: Record<string, unknown> = { type: "gateway_request_error", code: err.code, message: err.message };
    if (err.details !== undefined) error.details = err.details;
    error.retryable = err.retryable;
    if (err.retryAfterMs !== undefined) error.retryAfterMs = err.retryAfterMs;
    return { ok: false, error };
  }
  if (err instanceof GatewayTransportError) {
    const out: Record<string, unknown> = { ok: false, error: { type: "gateway_transport_error", kind: err.kind, message: err.message } };
    if (target) out.gateway = { url: target.url, urlSource: target.urlSource };
    return out;
  }
  if (err instanceof CliError) return { ok: false, error: { type: err.type, message: err.message } };
  return { ok: false, error: { type: "cli_error", message: err instanceof Error ? err.message : String(err) } };
}

/** `<CODE>: <message>` for RPC errors, the bare message otherwise. */
export function describeError(err: unknown): string {
  if (err instanceof GatewayRequestError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export function isGatewayError(err: unknown): err is GatewayRequestError | GatewayTransportError {
  return err instanceof GatewayRequestError || err instanceof GatewayTransportError;
}

/** The flags every client verb shares (urlArgs, timeoutArg, jsonArg), as citty hands them over. */
export interface ClientCallArgs {
  url?: string;
  token?: string;
  password?: string;
  timeout?: string;
  json?: boolean;
}

export interface ReportedCallOptions {
  /** Replaces --timeout, for a call whose own deadline needs a wider budget (node.invoke). */
  timeoutMs?: number;
  /** Whether a failure as one identity is worth another try as the next one. */
  retryNext?: (err: unknown) => boolean;
}

/**
 * One RPC of a client verb. A gateway failure is printed here (the JSON error shape with --json,
 * else `<method> failed: CODE: message`) and the command exits 1, so every verb reports alike.
 */
export async function callOrExit<T>(
  ctx: CliContext,
  a: ClientCallArgs,
  method: string,
  params: unknown,
  identities: readonly ClientIdentity[],
  opts: ReportedCallOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? parseIntArg(a.timeout ?? "10000", "timeout", 1);
  const target = await resolveCliTarget(ctx, { url: a.url, token: a.token, password: a.password });
  let last: unknown;
  for (const identity of identities) {
    try {
      return await callGateway<T>(target, { identity, method, params, timeoutMs });
    } catch (err) {
      last = err;
      if (!opts.retryNext?.(err)) break;
    }
  }
  if (!isGatewayError(last)) throw last;
  if (a.json) ctx.io.json(errorJson(last, target));
  else {
    ctx.io.err(`${method} failed: ${describeError(last)}`);
    if (last instanceof GatewayTransportError) ctx.io.err(`Gateway target: ${target.url} (${target.urlSource})`);
  }
  throw new ExitError(1);
}

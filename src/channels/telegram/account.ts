/**
 * `channels.telegram` → accounts. The root section is the `default` account; `accounts.<id>` add
 * bots that inherit the root's settings but never its token or webhook: a token is one bot, and two
 * pollers on one token fight with 409s.
 */
import { lstatSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";
import type { ChannelAccount } from "../types.ts";
import { DEFAULT_API_ROOT } from "./api.ts";

export const DEFAULT_ACCOUNT_ID = "default";
export const ENV_TOKEN = "TELEGRAM_BOT_TOKEN";

/** Webhook mode's keys: one bot's endpoint, like its token (a shared port or secret cannot serve two bots). */
export const WEBHOOK_KEYS = ["webhookUrl", "webhookSecret", "webhookPath", "webhookHost", "webhookPort", "webhookCertPath"] as const;

/** Keys that describe one account and are not handed down from the root. */
const NOT_INHERITED = new Set(["enabled", "name", "botToken", "tokenFile", "accounts", "defaultAccount", ...WEBHOOK_KEYS]);

export type TokenSource = "config" | "env" | "tokenFile" | "none";

export interface TelegramAccount extends ChannelAccount {
  channel: "telegram";
  tokenSource: TokenSource;
  /** The resolved bot token; not enumerable so a snapshot or log of the account never carries it. */
  readonly token?: string;
}

interface TokenResolution {
  token?: string;
  source: TokenSource;
  problem?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pick(from: Record<string, unknown> | undefined, inherit: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(from ?? {})) if (v !== undefined && (!inherit || !NOT_INHERITED.has(k))) out[k] = v;
  return out;
}

function expandHome(path: string): string {
  if (path === "~" || path.startsWith("~/")) return homedir() + path.slice(1);
  return resolve(path);
}

/** tokenFile must be a regular file: a symlink could point the gateway at any file the operator did not mean. */
function readTokenFile(path: string): TokenResolution {
  const full = expandHome(path);
  let st;
  try {
    st = lstatSync(full);
  } catch {
    return { source: "none", problem: `tokenFile ${full} does not exist` };
  }
  if (st.isSymbolicLink()) return { source: "none", problem: `tokenFile ${full} is a symlink (refused; point tokenFile at the file itself)` };
  if (!st.isFile()) return { source: "none", problem: `tokenFile ${full} is not a regular file` };
  let text: string;
  try {
    text = readFileSync(full, "utf8").trim();
  } catch (err) {
    return { source: "none", problem: `tokenFile ${full} is unreadable (${(err as NodeJS.ErrnoException).code ?? "error"})` };
  }
  return text ? { token: text, source: "tokenFile" } : { source: "none", problem: `tokenFile ${full} is empty` };
}

/**
 * Precedence tokenFile > botToken > TELEGRAM_BOT_TOKEN (default account only). A tokenFile that is
 * set but unusable does not fall back: silently running another bot would be worse than not starting.
 */
export function resolveToken(config: Record<string, unknown>, accountId: string, env: Record<string, string | undefined>): TokenResolution {
  if (typeof config.tokenFile === "string" && config.tokenFile.trim()) return readTokenFile(config.tokenFile.trim());
  // An unresolved SecretRef is still an object here: it is no token.
  if (typeof config.botToken === "string" && config.botToken.trim()) return { token: config.botToken.trim(), source: "config" };
  const fromEnv = accountId === DEFAULT_ACCOUNT_ID ? env[ENV_TOKEN]?.trim() : undefined;
  if (fromEnv) return { token: fromEnv, source: "env" };
  return { source: "none" };
}

function makeAccount(
  accountId: string,
  config: Record<string, unknown>,
  enabled: boolean,
  env: Record<string, string | undefined>,
): TelegramAccount {
  const resolved = resolveToken(config, accountId, env);
  if (typeof config.apiRoot !== "string" || !config.apiRoot) config.apiRoot = DEFAULT_API_ROOT;
  const account: TelegramAccount = {
    channel: "telegram",
    accountId,
    enabled,
    configured: resolved.token !== undefined,
    config,
    tokenSource: resolved.source,
  };
  if (!account.configured) account.unconfiguredReason = resolved.problem ?? "missing token";
  Object.defineProperty(account, "token", { value: resolved.token, enumerable: false, writable: false });
  return account;
}

/** Accounts of `channels.telegram`: `default` (when there are no named ones or it has a token) first, then the named ones sorted. */
export function resolveAccounts(
  section: Record<string, unknown> | undefined,
  env: Record<string, string | undefined>,
  _stateDir: string,
): TelegramAccount[] {
  if (!isRecord(section)) return [];
  const named = isRecord(section.accounts) ? section.accounts : {};
  const channelEnabled = section.enabled !== false;
  const rootInherited = pick(section, true);
  const defaultLayer = isRecord(named[DEFAULT_ACCOUNT_ID]) ? named[DEFAULT_ACCOUNT_ID] : undefined;
  const out: TelegramAccount[] = [];

  const otherIds = Object.keys(named)
    .filter((id) => id !== DEFAULT_ACCOUNT_ID && isRecord(named[id]))
    .sort();
  const defaultConfig = { ...pick(section, false), ...pick(defaultLayer, false) };
  delete defaultConfig.accounts;
  delete defaultConfig.defaultAccount;
  const defaultHasToken = resolveToken(defaultConfig, DEFAULT_ACCOUNT_ID, env).source !== "none" || !!defaultConfig.tokenFile;
  if (otherIds.length === 0 || defaultLayer || defaultHasToken) {
    const enabled = channelEnabled && defaultLayer?.enabled !== false;
    out.push(makeAccount(DEFAULT_ACCOUNT_ID, defaultConfig, enabled, env));
  }
  for (const id of otherIds) {
    const own = named[id] as Record<string, unknown>;
    const config = { ...rootInherited, ...pick(defaultLayer, true), ...pick(own, false) };
    out.push(makeAccount(id, config, channelEnabled && own.enabled !== false, env));
  }
  return out;
}

/**
 * The token of an account: the resolved one, or (when the manager handed us a copy that lost the
 * hidden property) resolved again from its merged config and the process environment.
 */
export function tokenOf(account: ChannelAccount): string | undefined {
  const hidden = (account as Partial<TelegramAccount>).token;
  if (typeof hidden === "string" && hidden) return hidden;
  return resolveToken(account.config, account.accountId, process.env).token;
}

export function apiRootOf(account: ChannelAccount): string {
  const root = account.config.apiRoot;
  return typeof root === "string" && root ? root : DEFAULT_API_ROOT;
}

export const WEBHOOK_DEFAULTS = { path: "/telegram-webhook", host: "127.0.0.1", port: 8787 } as const;

/** Webhook mode of an account, with defaults applied; undefined when it long-polls. */
export interface WebhookConfig {
  url: string;
  secret: string;
  path: string;
  host: string;
  port: number;
  certPath?: string;
}

export function webhookOf(account: ChannelAccount): WebhookConfig | undefined {
  const c = account.config;
  if (typeof c.webhookUrl !== "string" || !c.webhookUrl) return undefined;
  return {
    url: c.webhookUrl,
    // The schema refuses a webhookUrl without a secret; an empty one here still fails every request.
    secret: typeof c.webhookSecret === "string" ? c.webhookSecret : "",
    path: typeof c.webhookPath === "string" && c.webhookPath ? c.webhookPath : WEBHOOK_DEFAULTS.path,
    host: typeof c.webhookHost === "string" && c.webhookHost ? c.webhookHost : WEBHOOK_DEFAULTS.host,
    port: typeof c.webhookPort === "number" ? c.webhookPort : WEBHOOK_DEFAULTS.port,
    ...(typeof c.webhookCertPath === "string" && c.webhookCertPath ? { certPath: expandHome(c.webhookCertPath) } : {}),
  };
}

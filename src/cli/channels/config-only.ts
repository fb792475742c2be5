/**
 * What `channels status` can still say when no gateway answers: the accounts the local config
 * file names, and whether each has what it needs to start. Read from the file only: no adapter is
 * loaded and no secret is resolved or printed (a token is only ever reported as `***`).
 *
 * The account rules are the gateway's: the section root is the `default` account and
 * `accounts.<id>` adds named ones (which inherit the root's settings but never its token or
 * WhatsApp link). `default` is listed when there are no named accounts, when it has a layer of its
 * own under `accounts.default`, or when it has credentials, so both views list the same accounts.
 */
import { lstatSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { WEBHOOK_KEYS } from "../../channels/telegram/account.ts";

export type ChannelKey = "telegram" | "whatsapp";

/** Display order and labels, as the gateway reports them. */
export const CHANNELS: ReadonlyArray<{ id: ChannelKey; label: string }> = [
  { id: "telegram", label: "Telegram" },
  { id: "whatsapp", label: "WhatsApp" },
];

export interface ConfigAccount {
  accountId: string;
  enabled: boolean;
  configured: boolean;
  /** Telegram: how updates arrive (webhook when the account has a webhookUrl, else long polling). */
  mode?: "polling" | "webhook";
  /** Telegram: where the token comes from; never the token itself. */
  tokenSource?: "tokenFile" | "config" | "env" | "none";
  /** WhatsApp: whether creds.json exists for the account. */
  linked?: boolean;
}

export interface ConfigOnlyEnv {
  env: Record<string, string | undefined>;
  stateDir: string;
  /** Injected so tests need no files; defaults to the file system. */
  isFile?: (path: string) => boolean;
}

const DEFAULT = "default";

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fileExists(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

function expand(path: string): string {
  if (path === "~" || path.startsWith("~/")) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(path);
}

/** The sections' per-account keys that named accounts do not inherit from the root. */
const OWN_KEYS: Record<ChannelKey, Set<string>> = {
  telegram: new Set(["enabled", "name", "botToken", "tokenFile", "accounts", "defaultAccount", ...WEBHOOK_KEYS]),
  whatsapp: new Set(["enabled", "name", "authDir", "accounts", "defaultAccount"]),
};

function layer(from: unknown, skip?: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isRecord(from)) return out;
  for (const [k, v] of Object.entries(from)) {
    if (v === undefined || k === "accounts" || k === "defaultAccount" || skip?.has(k)) continue;
    out[k] = v;
  }
  return out;
}

function telegramToken(config: Record<string, unknown>, accountId: string, opts: ConfigOnlyEnv): ConfigAccount["tokenSource"] {
  const isFile = opts.isFile ?? fileExists;
  // A tokenFile that is set but missing does not fall back to botToken (the gateway refuses it too).
  if (typeof config.tokenFile === "string" && config.tokenFile.trim()) return isFile(expand(config.tokenFile.trim())) ? "tokenFile" : "none";
  // A SecretRef object counts as configured: resolving a secret just to print a status is not worth it.
  if ((typeof config.botToken === "string" && config.botToken.trim()) || isRecord(config.botToken)) return "config";
  if (accountId === DEFAULT && opts.env.TELEGRAM_BOT_TOKEN?.trim()) return "env";
  return "none";
}

function accountIds(section: Record<string, unknown>, defaultHasCreds: boolean): string[] {
  const named = isRecord(section.accounts) ? section.accounts : {};
  const others = Object.keys(named).filter((id) => id !== DEFAULT && isRecord(named[id])).sort();
  const listDefault = others.length === 0 || isRecord(named[DEFAULT]) || defaultHasCreds;
  return listDefault ? [DEFAULT, ...others] : others;
}

export function telegramAccounts(section: unknown, opts: ConfigOnlyEnv): ConfigAccount[] {
  if (!isRecord(section)) return [];
  const named = isRecord(section.accounts) ? section.accounts : {};
  const defaultConfig = { ...layer(section), ...layer(named[DEFAULT]) };
  const ids = accountIds(section, telegramToken(defaultConfig, DEFAULT, opts) !== "none" || !!defaultConfig.tokenFile);
  return ids.map((id) => {
    const own = id === DEFAULT ? defaultConfig : { ...layer(section, OWN_KEYS.telegram), ...layer(named[DEFAULT], OWN_KEYS.telegram), ...layer(named[id]) };
    const tokenSource = telegramToken(own, id, opts);
    const enabled = section.enabled !== false && (isRecord(named[id]) ? named[id].enabled !== false : true);
    const mode = typeof own.webhookUrl === "string" && own.webhookUrl ? "webhook" : "polling";
    return { accountId: id, enabled, configured: tokenSource !== "none", mode, tokenSource };
  });
}

export function whatsappAccounts(section: unknown, opts: ConfigOnlyEnv): ConfigAccount[] {
  if (!isRecord(section)) return [];
  const isFile = opts.isFile ?? fileExists;
  const named = isRecord(section.accounts) ? section.accounts : {};
  const authDir = (config: Record<string, unknown>, id: string) =>
    typeof config.authDir === "string" && config.authDir.trim() ? expand(config.authDir.trim()) : join(opts.stateDir, "credentials", "whatsapp", id);
  const linked = (config: Record<string, unknown>, id: string) => isFile(join(authDir(config, id), "creds.json"));
  const defaultConfig = { ...layer(section), ...layer(named[DEFAULT]) };
  const ids = accountIds(section, linked(defaultConfig, DEFAULT) || typeof section.authDir === "string");
  return ids.map((id) => {
    const own = id === DEFAULT ? defaultConfig : { ...layer(section, OWN_KEYS.whatsapp), ...layer(named[DEFAULT], OWN_KEYS.whatsapp), ...layer(named[id]) };
    const isLinked = linked(own, id);
    const enabled = section.enabled !== false && (isRecord(named[id]) ? named[id].enabled !== false : true);
    return { accountId: id, enabled, configured: isLinked, linked: isLinked };
  });
}

/** Every configured channel's accounts, in display order; `only` narrows to one channel. */
export function configOnlyChannels(channels: unknown, opts: ConfigOnlyEnv, only?: string): Array<{ id: ChannelKey; label: string; accounts: ConfigAccount[] }> {
  const sections = isRecord(channels) ? channels : {};
  return CHANNELS.filter((c) => (only === undefined || c.id === only) && sections[c.id] !== undefined).map((c) => ({
    ...c,
    accounts: c.id === "telegram" ? telegramAccounts(sections[c.id], opts) : whatsappAccounts(sections[c.id], opts),
  }));
}

/**
 * `channels.whatsapp` → accounts. The root section is the `default` account; `accounts.<id>` add
 * linked numbers that inherit the root's keys (and `accounts.default`'s) but never `authDir`,
 * `enabled` or `name`: those describe one linked device, and two accounts sharing an auth dir
 * would be one device connected twice (WhatsApp answers that with 440 conflicts).
 *
 * An account is configured when it is linked; `config.authDir` is always the resolved absolute
 * directory, so every other part of the adapter reads it from the account.
 */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import type { ChannelAccount } from "../types.ts";
import { defaultAuthDir, isLinked } from "./creds.ts";

export const DEFAULT_ACCOUNT_ID = "default";
const NOT_INHERITED = new Set(["authDir", "enabled", "name", "accounts", "defaultAccount"]);

export interface WhatsAppAccount extends ChannelAccount {
  channel: "whatsapp";
  config: Record<string, unknown> & { authDir: string };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function pick(from: Record<string, unknown> | undefined, inherited: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(from ?? {})) {
    if (v === undefined || k === "accounts" || k === "defaultAccount") continue;
    if (inherited && NOT_INHERITED.has(k)) continue;
    out[k] = v;
  }
  return out;
}

function resolveAuthDir(configured: unknown, stateDir: string, accountId: string): string {
  if (typeof configured !== "string" || configured.trim() === "") return defaultAuthDir(stateDir, accountId);
  const p = configured.trim();
  if (p === "~" || p.startsWith("~/")) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(p);
}

export function makeAccount(accountId: string, config: Record<string, unknown>, enabled: boolean, stateDir: string): WhatsAppAccount {
  const authDir = resolveAuthDir(config.authDir, stateDir, accountId);
  const linked = isLinked(authDir);
  const account: WhatsAppAccount = { channel: "whatsapp", accountId, enabled, configured: linked, config: { ...config, authDir } };
  if (!linked) account.unconfiguredReason = "not linked";
  return account;
}

/** `default` (when there are no named accounts, it has a layer of its own, or it is linked) first, then the named ones sorted. */
export function resolveAccounts(section: Record<string, unknown> | undefined, stateDir: string): WhatsAppAccount[] {
  if (!isRecord(section)) return [];
  const named = isRecord(section.accounts) ? section.accounts : {};
  const channelEnabled = section.enabled !== false;
  const defaultLayer = isRecord(named[DEFAULT_ACCOUNT_ID]) ? named[DEFAULT_ACCOUNT_ID] : undefined;
  const otherIds = Object.keys(named)
    .filter((id) => id !== DEFAULT_ACCOUNT_ID && isRecord(named[id]))
    .sort();
  const out: WhatsAppAccount[] = [];

  const defaultConfig = { ...pick(section, false), ...pick(defaultLayer, false) };
  const dflt = makeAccount(DEFAULT_ACCOUNT_ID, defaultConfig, channelEnabled && defaultLayer?.enabled !== false, stateDir);
  if (otherIds.length === 0 || defaultLayer || dflt.configured || typeof section.authDir === "string") out.push(dflt);

  const inherited = { ...pick(section, true), ...pick(defaultLayer, true) };
  for (const id of otherIds) {
    const own = named[id] as Record<string, unknown>;
    out.push(makeAccount(id, { ...inherited, ...pick(own, false) }, channelEnabled && own.enabled !== false, stateDir));
  }
  return out;
}

export function authDirOf(account: ChannelAccount): string {
  const dir = account.config.authDir;
  if (typeof dir !== "string" || dir === "") throw new Error(`WhatsApp account ${account.accountId} has no resolved authDir (not resolved by this adapter)`);
  return dir;
}

/**
 * The Telegram channel: Bot API long polling (or webhooks) behind the one channel interface. Loaded
 * by the manager when a Telegram account starts, so a gateway without Telegram never pays for it.
 */
import type { ChannelAccount, ChannelAdapter } from "../types.ts";
import { resolveAccounts } from "./account.ts";
import type { BotIdentity } from "./inbound.ts";
import { createOutbound } from "./outbound.ts";
import { runPoller, type PollerOptions } from "./poller.ts";
import { probeAccount } from "./probe.ts";
import type { SendRetryPolicy } from "./retry.ts";

export { TelegramApiError } from "./api.ts";
export type { TelegramAccount } from "./account.ts";

/** Tunables for tests (shorter timeouts and backoff); production uses the defaults. */
export interface TelegramAdapterOptions {
  timeouts?: Readonly<Record<string, number>>;
  pollTimeoutSeconds?: number;
  backoff?: PollerOptions["backoff"];
  idleSpacing?: PollerOptions["idleSpacing"];
  sendRetry?: SendRetryPolicy;
}

export function createTelegramAdapter(opts: TelegramAdapterOptions = {}): ChannelAdapter {
  // Who each account's bot is, learned from getMe; per adapter instance so tests do not share it.
  const identities = new Map<string, BotIdentity>();
  return {
    id: "telegram",
    label: "Telegram",
    detailLabel: "Telegram Bot",
    systemImage: "paperplane",
    textChunkLimit: 4000,
    resolveAccounts,
    run: (ctx) =>
      runPoller(ctx, {
        timeouts: opts.timeouts,
        pollTimeoutSeconds: opts.pollTimeoutSeconds,
        backoff: opts.backoff,
        idleSpacing: opts.idleSpacing,
        onIdentity: (accountId, bot) => identities.set(accountId, bot),
      }),
    probe: (account: ChannelAccount, timeoutMs: number) => probeAccount(account, timeoutMs, opts.timeouts),
    outbound: createOutbound({ timeouts: opts.timeouts, retry: opts.sendRetry }),
    selfMention: (account: ChannelAccount) => {
      const username = identities.get(account.accountId)?.username;
      return username ? `@${username}` : undefined;
    },
  };
}

export const telegramAdapter: ChannelAdapter = createTelegramAdapter();

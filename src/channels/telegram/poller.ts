/**
 * The account's long-running task: getMe, deleteWebhook, then long polling (or, with webhookUrl
 * set, setWebhook and a listener: webhook.ts). The offset only moves past an update once the
 * gateway has committed it (`ctx.receive` resolved) or we chose to skip it, so a crash at any point
 * costs at most a replay, which the ingress table dedupes.
 */
import { TerminalChannelError, type AccountRunContext } from "../types.ts";
import { apiRootOf, DEFAULT_ACCOUNT_ID, tokenOf, webhookOf, type TokenSource } from "./account.ts";
import { createTelegramApi, isUnauthorized, METHOD_TIMEOUTS_MS, TelegramApiError, type TelegramApi } from "./api.ts";
import { convertUpdate, type BotIdentity } from "./inbound.ts";
import { readOffset, writeOffset } from "./offset-store.ts";
import { Backoff, sleep } from "./retry.ts";
import { runWebhook } from "./webhook.ts";

/**
 * grammY's DEFAULT_UPDATE_TYPES plus message_reaction, as the published gateway asks for. We act on
 * `message` only; the rest is skipped but keeps the wire the same as the published gateway's.
 */
export const ALLOWED_UPDATES = [
  "message", "edited_message", "channel_post", "edited_channel_post", "business_connection", "business_message",
  "edited_business_message", "deleted_business_messages", "inline_query", "chosen_inline_result", "callback_query",
  "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member",
  "chat_join_request", "chat_boost", "removed_chat_boost", "message_reaction",
] as const;

export interface PollerOptions {
  timeouts?: Readonly<Record<string, number>>;
  /** Long-poll `timeout` parameter, seconds (30; Telegram allows up to 50, we cap at 40). */
  pollTimeoutSeconds?: number;
  /** Error backoff (1 s → 30 s, ×2). */
  backoff?: { initialMs: number; maxMs: number };
  /** Spacing after 2+ polls in a row brought nothing (50 ms → 1 s), so a server that answers instantly is not hammered. */
  idleSpacing?: { initialMs: number; maxMs: number };
  /** Called once getMe told us who the bot is (selfMention, probe-free status). */
  onIdentity?: (accountId: string, bot: BotIdentity) => void;
}

function sourceLabel(source: TokenSource | string | undefined): string {
  if (source === "tokenFile") return "token file";
  if (source === "env") return "env token";
  return "config token";
}

/** The documented text (spec channels §3.4), word for word for the default account. */
export function unauthorizedMessage(accountId: string, method: string, source: TokenSource | string | undefined): string {
  const keys =
    accountId === DEFAULT_ACCOUNT_ID
      ? "channels.telegram.botToken, channels.telegram.tokenFile, or TELEGRAM_BOT_TOKEN"
      : `channels.telegram.accounts.${accountId}.botToken or channels.telegram.accounts.${accountId}.tokenFile`;
  return (
    `Telegram bot token unauthorized for account "${accountId}" (${method} returned 401 from Telegram; source: ${sourceLabel(source)}). ` +
    `Update ${keys} with the current BotFather token.`
  );
}

/** Rejects with the signal's reason when it aborts first; the gateway's commit may still finish (a replay is deduped). */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function runPoller(ctx: AccountRunContext, opts: PollerOptions = {}): Promise<void> {
  const { account, signal, log } = ctx;
  const id = account.accountId;
  const token = tokenOf(account);
  if (!token) throw new TerminalChannelError(`Telegram account "${id}" has no bot token (${account.unconfiguredReason ?? "missing token"})`, "unconfigured");
  const api = createTelegramApi({ token, apiRoot: apiRootOf(account), timeouts: opts.timeouts });
  const backoffCfg = opts.backoff ?? { initialMs: 1000, maxMs: 30_000 };
  const terminal = (method: string) => {
    const message = unauthorizedMessage(id, method, account.tokenSource);
    log.error(message);
    ctx.setStatus({ connected: false, lastError: message });
    return new TerminalChannelError(message);
  };

  /** getMe/deleteWebhook/setWebhook: an outage at boot is waited out here, not spent on the manager's 10 restarts. */
  async function startCall<T>(method: string, params: Record<string, unknown>): Promise<T | undefined> {
    const backoff = new Backoff(backoffCfg.initialMs, backoffCfg.maxMs);
    for (;;) {
      try {
        return await api.call<T>(method, params, { signal });
      } catch (err) {
        if (signal.aborted) return undefined;
        if (isUnauthorized(err)) throw terminal(method);
        const e = err as TelegramApiError;
        const transient = e instanceof TelegramApiError && (e.kind !== "api" || e.status === 429 || (e.status ?? 0) >= 500);
        if (!transient) {
          const hint = e instanceof TelegramApiError && e.status === 404 ? " (is apiRoot the Bot API root, without /bot<TOKEN>?)" : "";
          throw new Error(`${errText(err)}${hint}`);
        }
        const wait = backoff.take(e.retryAfter);
        log.warn(`${errText(err)}; retrying in ${wait}ms`);
        ctx.setStatus({ lastError: errText(err) });
        try {
          await sleep(wait, signal);
        } catch {
          return undefined;
        }
      }
    }
  }

  const me = await startCall<Record<string, unknown>>("getMe", {});
  if (!me) return;
  if (!Number.isSafeInteger(me.id)) throw new Error("Telegram getMe returned no bot id");
  const bot: BotIdentity = { id: me.id as number, username: typeof me.username === "string" ? me.username : undefined };
  opts.onIdentity?.(id, bot);
  const webhook = webhookOf(account);
  ctx.setStatus({ bot: { id: bot.id, username: bot.username ?? null }, botUsername: bot.username ?? null, mode: webhook ? "webhook" : "polling" });
  log.info(`starting provider (@${bot.username ?? bot.id})`);
  if (webhook) return runWebhook(ctx, { webhook, bot, allowedUpdates: ALLOWED_UPDATES, startCall });
  if ((await startCall("deleteWebhook", { drop_pending_updates: false })) === undefined) return;

  await pollLoop(ctx, api, bot, opts, terminal);
}

async function pollLoop(
  ctx: AccountRunContext,
  api: TelegramApi,
  bot: BotIdentity,
  opts: PollerOptions,
  terminal: (method: string) => TerminalChannelError,
): Promise<void> {
  const { account, signal, log, stateDir } = ctx;
  const id = account.accountId;
  const backoffCfg = opts.backoff ?? { initialMs: 1000, maxMs: 30_000 };
  const errors = new Backoff(backoffCfg.initialMs, backoffCfg.maxMs);
  const receiveErrors = new Backoff(backoffCfg.initialMs, backoffCfg.maxMs);
  const idleCfg = opts.idleSpacing ?? { initialMs: 50, maxMs: 1000 };
  const idle = new Backoff(idleCfg.initialMs, idleCfg.maxMs);
  const longPoll = Math.max(0, Math.min(opts.pollTimeoutSeconds ?? 30, 40));
  // The request must outlive the long poll, or every quiet poll would end as a timeout.
  const requestTimeout = Math.max(opts.timeouts?.getUpdates ?? METHOD_TIMEOUTS_MS.getUpdates!, longPoll * 1000 + 500);

  const saved = readOffset(stateDir, id);
  let committed: number | undefined;
  if (saved && saved.botId !== undefined && saved.botId !== bot.id) {
    log.warn(`ignoring saved offset ${saved.lastUpdateId}: it belongs to bot ${saved.botId}, this token is bot ${bot.id}`);
  } else if (saved) {
    committed = saved.lastUpdateId;
  }
  let persisted = committed;
  const persist = () => {
    if (committed === undefined || committed === persisted) return;
    try {
      writeOffset(stateDir, id, { lastUpdateId: committed, botId: bot.id });
      persisted = committed;
    } catch (err) {
      log.warn(`could not save the update offset (${errText(err)}); a restart may replay updates the gateway already has`);
    }
  };

  let first = true;
  let connectedOnce = false;
  let failing = false;
  let conflictLogged = false;
  let quietPolls = 0;
  try {
    while (!signal.aborted) {
      const params: Record<string, unknown> = { timeout: first ? 0 : longPoll, limit: 100, allowed_updates: ALLOWED_UPDATES };
      if (committed !== undefined) params.offset = committed + 1;
      let updates: unknown;
      const polledAt = performance.now();
      try {
        updates = await api.call("getUpdates", params, { signal, timeoutMs: requestTimeout });
        if (!Array.isArray(updates)) throw new TelegramApiError("getUpdates", "bad-response", 200, "result is not an array");
      } catch (err) {
        if (signal.aborted) return;
        if (isUnauthorized(err)) throw terminal("getUpdates");
        const e = err instanceof TelegramApiError ? err : undefined;
        const wait = errors.take(e?.retryAfter);
        if (e?.kind === "api" && e.status === 409) {
          if (!conflictLogged) {
            log.error(
              `getUpdates conflict (409): another poller is using this bot token (a second gateway, or a webhook set by another program). ` +
                `Stop the other consumer; retrying with backoff. (${e.description})`,
            );
            conflictLogged = true;
          }
        } else {
          log.warn(`${errText(err)}; polling again in ${wait}ms`);
        }
        failing = true;
        ctx.setStatus({ lastError: errText(err) });
        await sleep(wait, signal).catch(() => undefined);
        continue;
      }

      const now = Date.now();
      first = false;
      errors.reset();
      conflictLogged = false;
      const patch: Record<string, unknown> = { lastTransportActivityAt: now };
      if (!connectedOnce) Object.assign(patch, { connected: true, lifecycle: "ready", mode: "polling", lastConnectedAt: now });
      if (failing) patch.lastError = null;
      connectedOnce = true;
      failing = false;
      ctx.setStatus(patch);

      const before = committed;
      const ok = await deliverBatch(ctx, updates as unknown[], bot, () => committed, (u) => (committed = u));
      persist();
      if (signal.aborted) return;
      if (!ok) {
        const wait = receiveErrors.take();
        log.warn(`polling again in ${wait}ms, from update ${committed === undefined ? "(first)" : committed + 1}`);
        await sleep(wait, signal).catch(() => undefined);
        continue;
      }
      receiveErrors.reset();
      // A poll that moved nothing and came back early: after two in a row, space them so a server that
      // answers at once (ignoring `timeout`) is not hammered. A long poll that waited out its timeout is
      // quiet by design; spacing those only made a message sent during the pause wait for it (up to 1 s).
      const early = longPoll === 0 || performance.now() - polledAt < (longPoll * 1000) / 2;
      if (committed === before && early) {
        if (++quietPolls >= 2) await sleep(idle.take(), signal).catch(() => undefined);
      } else {
        quietPolls = 0;
        idle.reset();
      }
    }
  } finally {
    persist();
    ctx.setStatus({ connected: false });
  }
}

/**
 * Hands the batch to the gateway in order. Returns false when a receive failed: the offset then
 * stays before that update, and the next getUpdates brings it (and what followed) again.
 *
 * A receive commits its message before it first waits, and then waits for that commit to reach the
 * disk; so the whole batch is handed over at once (its turns start, its flushes to disk share one
 * fsync), and only the offset waits, update by update, for each receive to resolve.
 */
async function deliverBatch(
  ctx: AccountRunContext,
  updates: unknown[],
  bot: BotIdentity,
  getCommitted: () => number | undefined,
  setCommitted: (updateId: number) => void,
): Promise<boolean> {
  const { account, signal, log } = ctx;
  const steps: Array<{ updateId: number; taken?: Promise<void> }> = [];
  for (const raw of updates) {
    if (signal.aborted) break;
    const conv = convertUpdate(raw, account.accountId, bot);
    if (!conv) {
      log.warn("skipping a malformed update without an update_id");
      continue;
    }
    const committed = getCommitted();
    // Telegram never resends a confirmed update; a server that does gets no second delivery from us.
    if (committed !== undefined && conv.updateId <= committed) continue;
    if (conv.kind === "malformed") {
      log.warn(`skipping malformed update ${conv.updateId}: ${conv.reason}`);
    } else if (conv.kind === "skip") {
      log.debug(`skipping update ${conv.updateId}: ${conv.reason}`);
    } else {
      const m = conv.message;
      log.debug(`update ${conv.updateId} received (${m.chatType} ${m.chatId}, ${m.text.length} chars)`);
      let taken: Promise<void>;
      try {
        taken = ctx.receive(m);
      } catch (err) {
        taken = Promise.reject(err);
      }
      taken.catch(() => {}); // awaited below, unless an earlier update failed
      steps.push({ updateId: conv.updateId, taken });
      // Not committed at all: later messages must not overtake it (they come again after it).
      if (Bun.peek.status(taken) === "rejected") break;
      continue;
    }
    steps.push({ updateId: conv.updateId });
  }
  for (const { updateId, taken } of steps) {
    if (signal.aborted) return true;
    if (taken) {
      try {
        await untilAborted(taken, signal);
      } catch (err) {
        if (signal.aborted) return true;
        log.warn(`the gateway did not take update ${updateId} (${errText(err)}); it stays unacknowledged`);
        return false;
      }
      const now = Date.now();
      ctx.setStatus({ lastInboundAt: now, lastEventAt: now });
    }
    setCommitted(updateId);
  }
  return true;
}

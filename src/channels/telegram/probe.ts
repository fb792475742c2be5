/**
 * `channels.status {probe:true}`: one getMe, up to 3 tries inside the caller's budget, in the shape
 * the published gateway reports (spec channels §5).
 */
import type { ChannelAccount, ProbeResult } from "../types.ts";
import { apiRootOf, tokenOf } from "./account.ts";
import { createTelegramApi, isRecord, METHOD_TIMEOUTS_MS, TelegramApiError } from "./api.ts";
import { sleep } from "./retry.ts";

const TRIES = 3;

/** getMe's capability flags default to false when Telegram leaves them out, as in the published botInfo. */
const FLAG_KEYS: ReadonlyArray<[raw: string, camel: string]> = [
  ["can_join_groups", "canJoinGroups"],
  ["can_read_all_group_messages", "canReadAllGroupMessages"],
  ["can_manage_bots", "canManageBots"],
  ["supports_inline_queries", "supportsInlineQueries"],
  ["can_connect_to_business", "canConnectToBusiness"],
  ["has_main_web_app", "hasMainWebApp"],
  ["has_topics_enabled", "hasTopicsEnabled"],
  ["allows_users_to_create_topics", "allowsUsersToCreateTopics"],
];

export function describeBot(me: Record<string, unknown>): { botInfo: Record<string, unknown>; bot: Record<string, unknown> } {
  const botInfo: Record<string, unknown> = { ...me };
  const bot: Record<string, unknown> = {
    id: me.id ?? null,
    isBot: me.is_bot ?? true,
    firstName: me.first_name ?? null,
    username: me.username ?? null,
  };
  for (const [raw, camel] of FLAG_KEYS) {
    botInfo[raw] = me[raw] === true;
    bot[camel] = me[raw] === true;
  }
  return { botInfo, bot };
}

/** A failure worth another try: no answer, a garbled one, a 429 or a 5xx. Telegram's "no" (401, 404) is final. */
function transient(err: unknown): boolean {
  if (!(err instanceof TelegramApiError)) return false;
  return err.kind !== "api" || err.status === 429 || (err.status ?? 0) >= 500;
}

export async function probeAccount(account: ChannelAccount, timeoutMs: number, timeouts?: Readonly<Record<string, number>>): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const token = tokenOf(account);
  if (!token) return { ok: false, status: null, error: account.unconfiguredReason ?? "missing token", elapsedMs: 0 };
  const api = createTelegramApi({ token, apiRoot: apiRootOf(account), timeouts });
  const budget = Math.max(1, timeoutMs);
  const deadline = started + budget;
  const timedOut = (): ProbeResult => ({ ok: false, status: null, timedOut: true, error: `probe timed out after ${budget}ms`, elapsedMs: elapsed() });
  let lastErr: unknown;
  for (let attempt = 1; attempt <= TRIES; attempt++) {
    const remaining = Math.floor(deadline - performance.now());
    if (remaining <= 0) return timedOut();
    try {
      const me = await api.call<unknown>("getMe", {}, { timeoutMs: Math.min(remaining, timeouts?.getMe ?? METHOD_TIMEOUTS_MS.getMe!) });
      if (!isRecord(me)) throw new TelegramApiError("getMe", "bad-response", 200, "result is not an object");
      return { ok: true, status: null, error: null, ...describeBot(me), elapsedMs: elapsed() };
    } catch (err) {
      lastErr = err;
      if (!transient(err)) break;
      if (attempt < TRIES) {
        const retryAfter = err instanceof TelegramApiError && err.retryAfter !== undefined ? err.retryAfter * 1000 : 200 * attempt;
        const left = deadline - performance.now();
        if (retryAfter >= left) return timedOut();
        await sleep(retryAfter);
      }
    }
  }
  if (lastErr instanceof TelegramApiError) {
    if (lastErr.kind === "timeout") return timedOut();
    const error = lastErr.kind === "api" ? lastErr.description : lastErr.message;
    return { ok: false, status: lastErr.status, error, elapsedMs: elapsed() };
  }
  return { ok: false, status: null, error: lastErr instanceof Error ? lastErr.message : String(lastErr), elapsedMs: elapsed() };
}

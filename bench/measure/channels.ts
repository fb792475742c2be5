// bench/measure/channels.ts: chat messages through the gateway's Telegram channel. The Bot API is the
// test suite's own double (test/fixtures/telegram-double.ts, in this process): an update pushed into it
// answers the gateway's waiting long poll at once, and every call the gateway makes is timestamped
// here as it arrives, so a message's time is push → the double receiving its sendMessage.

import { startTelegramDouble, type DoubleCall, type TelegramDouble } from "../../test/fixtures/telegram-double.ts";
import { chatOnce } from "./http.ts";
import { cpuSecondsFine } from "./proc.ts";
import { countError, type ErrorCounts } from "./stats.ts";

/** A reply that has not arrived after this long counts as lost. */
const REPLY_TIMEOUT_MS = 15_000;

interface Arrival {
  text: string;
  at: number;
}

/** The double, and every sendMessage it received per chat, in order of arrival. */
export interface BenchDouble {
  double: TelegramDouble;
  url: string;
  /** Calls of each Bot API method so far. */
  count(method: string): number;
  /** Resolves with the arrival time (performance.now()) of the chat's sendMessage with this text; NaN after timeoutMs. */
  reply(chatId: number, text: string, timeoutMs?: number): Promise<number>;
  /** sendMessage texts each chat received, in order. */
  sent(chatId: number): string[];
  /** The gateway is long-polling: a getUpdates with a timeout has arrived. */
  polling(): boolean;
  stop(): Promise<void>;
}

export async function startBenchDouble(): Promise<BenchDouble> {
  const double = await startTelegramDouble();
  const byChat = new Map<number, Arrival[]>();
  const waiters = new Map<string, (at: number) => void>();
  const counts = new Map<string, number>();
  let longPolls = 0;
  // The double records each call as it arrives (after reading its body); this is where it is timed.
  const record = double.calls.push.bind(double.calls);
  double.calls.push = (...calls: DoubleCall[]) => {
    const at = performance.now();
    for (const c of calls) {
      counts.set(c.method, (counts.get(c.method) ?? 0) + 1);
      if (c.method === "getUpdates" && Number(c.params.timeout ?? 0) > 0) longPolls++;
      if (c.method !== "sendMessage") continue;
      const chatId = Number(c.params.chat_id);
      const text = String(c.params.text);
      let list = byChat.get(chatId);
      if (!list) byChat.set(chatId, (list = []));
      list.push({ text, at });
      waiters.get(`${chatId}\n${text}`)?.(at);
    }
    return record(...calls);
  };
  return {
    double,
    url: double.url,
    count: (method) => counts.get(method) ?? 0,
    reply(chatId, text, timeoutMs = REPLY_TIMEOUT_MS) {
      const seen = byChat.get(chatId)?.find((a) => a.text === text);
      if (seen) return Promise.resolve(seen.at);
      const key = `${chatId}\n${text}`;
      return new Promise<number>((resolve) => {
        const timer = setTimeout(() => done(Number.NaN), timeoutMs);
        const done = (at: number) => {
          clearTimeout(timer);
          waiters.delete(key);
          resolve(at);
        };
        waiters.set(key, done);
      });
    },
    sent: (chatId) => (byChat.get(chatId) ?? []).map((a) => a.text),
    polling: () => longPolls > 0,
    stop: () => double.stop(),
  };
}

/** The echo model's answer to `text`, as the gateway sends it back. */
export const echoOf = (text: string) => `echo: ${text}`;

export interface SequentialResult {
  /** Push → the double receiving the reply, ms, per answered message. */
  total: number[];
  /** The same text as a streamed chat completion sent straight to the stub, start → end of stream, ms. */
  model: number[];
  lost: number;
  /** Gateway CPU (all threads) per message, ms (NaN without a pid). */
  gatewayCpuMs: number;
  /** Bot API calls per message besides sendMessage and getUpdates (typing indicators). */
  chatActionsPerMessage: number;
  /** getUpdates calls per message. */
  pollsPerMessage: number;
  errors: ErrorCounts;
}

/**
 * n messages (after `warmup` unmeasured ones), one at a time in one private chat: each is pushed once
 * the previous reply arrived. Beside each, the model's own time: the same user text as a streamed chat
 * completion straight to the stub (the gateway always streams from its provider), before or after the
 * message by turns, so neither side always follows the other.
 */
export async function sequential(d: BenchDouble, stubUrl: string, chatId: number, n: number, warmup: number, pid?: number): Promise<SequentialResult> {
  const total: number[] = [];
  const model: number[] = [];
  const errors: ErrorCounts = {};
  let lost = 0;
  const target = { url: `${stubUrl}/chat/completions`, model: "echo" };
  const headers = { "content-type": "application/json" };
  const direct = async (text: string): Promise<number> => {
    const body = JSON.stringify({ model: "echo", messages: [{ role: "user", content: text }], stream: true });
    try {
      return (await chatOnce(target, headers, body, true)).total;
    } catch (err) {
      countError(errors, `direct stub call: ${(err as Error).message}`);
      return Number.NaN;
    }
  };
  const viaChannel = async (text: string): Promise<number> => {
    const t0 = performance.now();
    d.double.pushMessage({ text, fromId: chatId, chatId });
    const at = await d.reply(chatId, echoOf(text));
    if (Number.isNaN(at)) countError(errors, `no reply within ${REPLY_TIMEOUT_MS} ms`);
    return at - t0;
  };
  let cpu0 = Number.NaN;
  let calls0 = { actions: 0, polls: 0 };
  for (let i = 0; i < warmup + n; i++) {
    const measured = i >= warmup;
    if (i === warmup) {
      cpu0 = pid === undefined ? Number.NaN : cpuSecondsFine(pid);
      calls0 = { actions: d.count("sendChatAction"), polls: d.count("getUpdates") };
    }
    const text = `bench message ${i}`;
    let t = Number.NaN;
    let m = Number.NaN;
    if (i % 2 === 0) {
      t = await viaChannel(text);
      m = await direct(text);
    } else {
      m = await direct(text);
      t = await viaChannel(text);
    }
    if (!measured) continue;
    if (Number.isNaN(t)) lost++;
    else total.push(t);
    if (!Number.isNaN(m)) model.push(m);
  }
  const cpu = pid === undefined ? Number.NaN : cpuSecondsFine(pid) - cpu0;
  return {
    total,
    model,
    lost,
    // The direct calls cost the gateway nothing; the gateway's work for a message may end after its reply.
    gatewayCpuMs: (cpu * 1000) / n,
    chatActionsPerMessage: (d.count("sendChatAction") - calls0.actions) / n,
    pollsPerMessage: (d.count("getUpdates") - calls0.polls) / n,
    errors,
  };
}

export interface ConcurrentResult {
  chats: number;
  rounds: number;
  /** Replies expected and replies that arrived (matching text, right chat). */
  expected: number;
  answered: number;
  /** Chats whose replies arrived in the order their messages were sent (and none twice). */
  inOrder: number;
  /** sendMessage calls beyond the expected replies (a message answered twice). */
  extra: number;
  /** First push → last reply, ms; and per round, its first push → its last reply. */
  wallMs: number;
  roundWallMs: number[];
  /** Push → reply of each answered message, ms. */
  latency: number[];
  errors: ErrorCounts;
}

/**
 * `chats` private chats (ids from firstChatId on) each send one message, all pushed in one go; then,
 * at once, a second round (and so on), so every chat has `rounds` messages in flight and each chat's
 * replies must keep their order. The double hands out at most 100 updates per getUpdates, as Telegram does.
 */
export async function concurrent(d: BenchDouble, chats: number, rounds: number, firstChatId: number): Promise<ConcurrentResult> {
  const errors: ErrorCounts = {};
  const ids = Array.from({ length: chats }, (_, c) => firstChatId + c);
  const textOf = (r: number, c: number) => `round ${r + 1} from chat ${c + 1}`;
  const before = new Map(ids.map((id) => [id, d.sent(id).length]));
  const pushed: number[][] = [];
  const waits: Promise<number>[][] = [];
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    pushed.push([]);
    waits.push([]);
    for (let c = 0; c < chats; c++) {
      pushed[r]!.push(performance.now());
      d.double.pushMessage({ text: textOf(r, c), fromId: ids[c]!, chatId: ids[c]! });
      waits[r]!.push(d.reply(ids[c]!, echoOf(textOf(r, c))));
    }
  }
  const arrived = await Promise.all(waits.map((w) => Promise.all(w)));
  const latency: number[] = [];
  const roundWallMs: number[] = [];
  let last = t0;
  for (let r = 0; r < rounds; r++) {
    let roundLast = Number.NaN;
    for (let c = 0; c < chats; c++) {
      const at = arrived[r]![c]!;
      if (Number.isNaN(at)) continue;
      latency.push(at - pushed[r]![c]!);
      roundLast = Number.isNaN(roundLast) ? at : Math.max(roundLast, at);
      last = Math.max(last, at);
    }
    roundWallMs.push(roundLast - pushed[r]![0]!);
  }
  let inOrder = 0;
  let extra = 0;
  ids.forEach((id, c) => {
    const got = d.sent(id).slice(before.get(id));
    const want = Array.from({ length: rounds }, (_, r) => echoOf(textOf(r, c)));
    extra += Math.max(0, got.length - want.length);
    if (got.length === want.length && got.every((t, i) => t === want[i])) inOrder++;
    else if (got.length >= want.length) countError(errors, "a chat's replies out of order or repeated");
  });
  const answered = latency.length;
  if (answered < chats * rounds) countError(errors, `${chats * rounds - answered} of ${chats * rounds} messages not answered within ${REPLY_TIMEOUT_MS} ms`);
  return { chats, rounds, expected: chats * rounds, answered, inOrder, extra, wallMs: last - t0, roundWallMs, latency, errors };
}

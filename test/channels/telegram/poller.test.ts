import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTelegramAdapter } from "../../../src/channels/telegram/index.ts";
import { TerminalChannelError, type InboundMessage } from "../../../src/channels/types.ts";
import { startTelegramDouble, type TelegramDouble } from "../../fixtures/telegram-double.ts";
import { waitUntil } from "../../fixtures/wait.ts";
import { accountFor, FAST, makeCtx, tmpState, TOKEN, visibleText, type TestCtx } from "./helpers.ts";

let double: TelegramDouble;
let state: string;
beforeEach(async () => {
  double = await startTelegramDouble();
  state = tmpState();
});
afterEach(() => double.stop());

const offsetFile = () => join(state, "telegram", "offset-default.json");
const savedOffset = () => (existsSync(offsetFile()) ? (JSON.parse(readFileSync(offsetFile(), "utf8")).lastUpdateId as number) : undefined);
const offsets = () => double.callsOf("getUpdates").map((c) => c.params.offset as number | undefined);
const ids = (ms: InboundMessage[]) => ms.map((m) => m.eventId);

/** Starts a run and keeps its outcome observable without an unhandled rejection. */
function start(t: TestCtx, opts = FAST) {
  const adapter = createTelegramAdapter(opts);
  const outcome: { done: boolean; error?: unknown } = { done: false };
  const promise = adapter.run(t.ctx).then(
    () => void (outcome.done = true),
    (e: unknown) => void Object.assign(outcome, { done: true, error: e }),
  );
  return { adapter, outcome, promise };
}

async function stop(t: TestCtx, run: { promise: Promise<void> }) {
  t.controller.abort();
  await run.promise;
}

describe("Telegram polling", () => {
  test("start: getMe, deleteWebhook, then getUpdates with timeout 0 first and the long poll after", async () => {
    const t = makeCtx(accountFor(double.url), state);
    const run = start(t);
    await waitUntil(() => double.callsOf("getUpdates").length >= 2, "second getUpdates");
    expect(double.calls.slice(0, 4).map((c) => c.method)).toEqual(["getMe", "deleteWebhook", "getUpdates", "getUpdates"]);
    expect(double.callsOf("deleteWebhook")[0]!.params).toEqual({ drop_pending_updates: false });
    const [first, second] = double.callsOf("getUpdates");
    expect(first!.params).toMatchObject({ timeout: 0, limit: 100 });
    expect(first!.params.offset).toBeUndefined();
    expect(first!.params.allowed_updates).toContain("message");
    expect(first!.params.allowed_updates).toContain("message_reaction");
    expect(second!.params.timeout).toBe(1);
    expect(t.status).toMatchObject({ connected: true, lifecycle: "ready", mode: "polling", bot: { id: double.bot.id, username: "double_bot" } });
    expect(typeof t.status.lastTransportActivityAt).toBe("number");
    expect(t.logs).toContainEqual({ level: "info", line: "starting provider (@double_bot)" });
    expect(run.adapter.selfMention?.(t.ctx.account)).toBe("@double_bot");
    await stop(t, run);
    expect(run.outcome).toEqual({ done: true });
    expect(t.status.connected).toBe(false);
  });

  test("hands a batch over in order at once; the offset advances only once each receive resolved", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const t = makeCtx(accountFor(double.url), state, async (m) => {
      if (m.text === "one") await gate;
    });
    const pushed = ["one", "two", "three"].map((text) => double.pushMessage({ text }));
    const run = start(t);
    await waitUntil(() => t.attempts.length === 3, "the batch handed to the gateway");
    expect(t.attempts.map((m) => m.text)).toEqual(["one", "two", "three"]);
    // A negative check needs a moment to prove nothing is acknowledged while the first commit is pending.
    await Bun.sleep(150);
    expect(t.committed.map((m) => m.text)).toEqual(["two", "three"]);
    expect(offsets().every((o) => o === undefined)).toBe(true);
    expect(savedOffset()).toBeUndefined();

    release();
    const last = pushed[2]!.update_id as number;
    await waitUntil(() => offsets().includes(last + 1), "getUpdates past the batch", { detail: () => JSON.stringify(offsets()) });
    expect(ids(t.attempts)).toEqual(pushed.map((u) => String(u.update_id)));
    expect(t.committed.map((m) => m.text).sort()).toEqual(["one", "three", "two"]);
    expect(t.attempts[0]).toMatchObject({ channel: "telegram", accountId: "default", chatType: "direct", chatId: "424242", sender: { id: "424242" } });
    expect(savedOffset()).toBe(last);
    expect(typeof t.status.lastInboundAt).toBe("number");
    await stop(t, run);
  });

  test("a receive that fails leaves the update unacknowledged; it comes again and everything is committed in order", async () => {
    let failures = 0;
    // Fails as the gateway does when it cannot commit: an already-rejected promise, and nothing after it is handed over.
    const t = makeCtx(accountFor(double.url), state, (m) =>
      m.text === "two" && failures++ === 0 ? Promise.reject(new Error("ingress table busy")) : Promise.resolve(),
    );
    const pushed = ["one", "two", "three"].map((text) => double.pushMessage({ text }));
    const [u1, u2, u3] = pushed.map((u) => u.update_id as number);
    const run = start(t);
    await waitUntil(() => t.committed.length === 3, "all three committed", { detail: () => JSON.stringify(ids(t.attempts)) });
    expect(ids(t.attempts)).toEqual([u1, u2, u2, u3].map(String));
    expect(ids(t.committed)).toEqual([u1, u2, u3].map(String));
    // After the failure the poller asked again from the failed update, not past it.
    const o = offsets();
    expect(o.indexOf(u1! + 1)).toBeGreaterThan(-1);
    expect(o.indexOf(u1! + 1)).toBeLessThan(o.indexOf(u3! + 1) === -1 ? Infinity : o.indexOf(u3! + 1));
    expect(t.logs.some((l) => l.level === "warn" && l.line.includes(`did not take update ${u2}`))).toBe(true);
    await stop(t, run);
  });

  test("a restart resumes from the saved offset and replays nothing", async () => {
    const t1 = makeCtx(accountFor(double.url), state);
    const first = [double.pushMessage({ text: "a" }), double.pushMessage({ text: "b" })];
    const run1 = start(t1);
    await waitUntil(() => t1.committed.length === 2, "first run committed both");
    await stop(t1, run1);
    expect(savedOffset()).toBe(first[1]!.update_id);

    // As if Telegram still held them (never confirmed): without the saved offset they would come again.
    for (const u of first) double.push(structuredClone(u));
    const fresh = double.pushMessage({ text: "c" });
    const pollsBefore = double.callsOf("getUpdates").length;
    const t2 = makeCtx(accountFor(double.url), state);
    const run2 = start(t2);
    await waitUntil(() => t2.committed.length === 1, "second run committed the new update");
    await Bun.sleep(100);
    expect(ids(t2.attempts)).toEqual([String(fresh.update_id)]);
    expect(double.callsOf("getUpdates")[pollsBefore]!.params.offset).toBe((first[1]!.update_id as number) + 1);
    await stop(t2, run2);
  });

  test("an offset saved for another bot (the token changed) is ignored", async () => {
    mkdirSync(join(state, "telegram"), { recursive: true });
    writeFileSync(offsetFile(), JSON.stringify({ lastUpdateId: 99_999_999, botId: 1 }));
    const u = double.pushMessage({ text: "hi" });
    const t = makeCtx(accountFor(double.url), state);
    const run = start(t);
    await waitUntil(() => t.committed.length === 1, "update committed");
    expect(t.committed[0]!.eventId).toBe(String(u.update_id));
    expect(t.logs.some((l) => l.level === "warn" && l.line.includes("ignoring saved offset"))).toBe(true);
    await waitUntil(() => savedOffset() === u.update_id, "offset saved for this bot");
    expect(JSON.parse(readFileSync(offsetFile(), "utf8")).botId).toBe(double.bot.id);
    await stop(t, run);
  });

  test("non-message and malformed updates are skipped but still advance the offset", async () => {
    double.push({ edited_message: { message_id: 1, chat: { id: 1, type: "private" }, text: "edit" } });
    const junk = double.push({ message: "junk" });
    const good = double.pushMessage({ text: "real", chatId: -100555, extra: { text: "@double_bot hello group" } });
    const t = makeCtx(accountFor(double.url), state);
    const run = start(t);
    await waitUntil(() => offsets().includes((good.update_id as number) + 1), "offset past all three");
    expect(t.attempts).toHaveLength(1);
    expect(t.committed[0]).toMatchObject({ chatType: "group", chatId: "-100555", mentioned: true, text: "@double_bot hello group" });
    expect(t.logs.some((l) => l.level === "warn" && l.line.includes(`malformed update ${junk.update_id}`))).toBe(true);
    await stop(t, run);
  });

  test("401 from getMe: TerminalChannelError with the documented text, and no polling", async () => {
    const t = makeCtx(accountFor(double.url, {}, "123456789:bad-AAHdqTcvCH1vGWJxfSeofSAs0K5PAL"), state);
    const err = await createTelegramAdapter(FAST).run(t.ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TerminalChannelError);
    expect((err as Error).message).toBe(
      'Telegram bot token unauthorized for account "default" (getMe returned 401 from Telegram; source: config token). ' +
        "Update channels.telegram.botToken, channels.telegram.tokenFile, or TELEGRAM_BOT_TOKEN with the current BotFather token.",
    );
    expect(double.callsOf("getUpdates")).toHaveLength(0);
    expect(t.logs).toContainEqual({ level: "error", line: (err as Error).message });
    expect(t.status.lastError).toBe((err as Error).message);
    expect(visibleText(t, [err])).not.toContain("bad-AAHdq");
  });

  test("401 while polling (token revoked) is terminal too", async () => {
    const t = makeCtx(accountFor(double.url), state);
    const run = start(t);
    await waitUntil(() => double.callsOf("getUpdates").length >= 2, "polling");
    double.revoke(TOKEN);
    double.pushMessage({ text: "wake the long poll" });
    await waitUntil(() => run.outcome.done, "run ended");
    expect(run.outcome.error).toBeInstanceOf(TerminalChannelError);
    expect((run.outcome.error as Error).message).toContain("(getUpdates returned 401 from Telegram; source: config token)");
    expect(visibleText(t, [run.outcome.error])).not.toContain(TOKEN);
  });

  test("409 (another poller) is logged once and survived", async () => {
    const conflict = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
    double.fail("getUpdates", { status: 409, description: conflict }, 3);
    const t = makeCtx(accountFor(double.url), state);
    const run = start(t);
    await waitUntil(() => double.callsOf("getUpdates").length >= 4, "polling after the conflicts");
    double.pushMessage({ text: "after the conflict" });
    await waitUntil(() => t.committed.length === 1, "update committed after the conflict");
    expect(t.logs.filter((l) => l.line.includes("409"))).toHaveLength(1);
    expect(t.logs.find((l) => l.line.includes("409"))!.level).toBe("error");
    expect(run.outcome.done).toBe(false);
    expect(t.status.lastError).toBeNull();
    await stop(t, run);
  });

  test("garbage, a hang and a 5xx from getUpdates are survived", async () => {
    double.fail("getUpdates", { garbage: "<html>oops</html>" });
    double.fail("getUpdates", { hang: true });
    double.fail("getUpdates", { status: 502, description: "Bad Gateway" });
    double.fail("getUpdates", { json: { ok: true, result: { not: "an array" } } });
    double.pushMessage({ text: "through it all" });
    const t = makeCtx(accountFor(double.url), state);
    const run = start(t);
    await waitUntil(() => t.committed.length === 1, "update committed after the failures", { timeoutMs: 10_000 });
    const warns = t.logs.filter((l) => l.level === "warn").map((l) => l.line).join("\n");
    expect(warns).toContain("invalid response");
    expect(warns).toContain("timed out");
    expect(warns).toContain("502 Bad Gateway");
    expect(warns).toContain("not an array");
    expect(run.outcome.done).toBe(false);
    await waitUntil(() => double.hanging() === 0, "the hung request released");
    await stop(t, run);
  }, 15_000);

  test("429 on getUpdates waits retry_after", async () => {
    double.fail("getUpdates", { status: 429, description: "Too Many Requests: retry after 1", retryAfter: 1 });
    const t = makeCtx(accountFor(double.url), state);
    const run = start(t);
    await waitUntil(() => double.callsOf("getUpdates").length >= 2, "polling again after the 429");
    const [a, b] = double.callsOf("getUpdates");
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(950);
    await stop(t, run);
  }, 8000);

  test("an outage of getMe at start is waited out; a 404 (wrong apiRoot) ends the run with a hint", async () => {
    double.fail("getMe", { garbage: "starting up", httpStatus: 503 }, 2);
    const t = makeCtx(accountFor(double.url), state);
    const run = start(t);
    await waitUntil(() => double.callsOf("getUpdates").length >= 1, "polling after the outage");
    expect(double.callsOf("getMe")).toHaveLength(3);
    await stop(t, run);

    const bad = makeCtx(accountFor(`${double.url}/bot${TOKEN}`), state);
    const err = await createTelegramAdapter(FAST).run(bad.ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(TerminalChannelError);
    expect((err as Error).message).toContain("is apiRoot the Bot API root");
    expect(visibleText(bad, [err])).not.toContain(TOKEN);
  });
});

describe("stopping", () => {
  test("abort ends a long poll in flight promptly", async () => {
    const t = makeCtx(accountFor(double.url), state);
    const run = start(t, {});
    await waitUntil(() => double.callsOf("getUpdates").some((c) => c.params.timeout === 30), "a 30 s long poll in flight");
    const t0 = performance.now();
    await stop(t, run);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(run.outcome).toEqual({ done: true });
  }, 5000);

  test("abort while the gateway has not committed an update: prompt, and the offset stays before it", async () => {
    const t = makeCtx(accountFor(double.url), state, () => new Promise<void>(() => {}));
    double.pushMessage({ text: "never committed" });
    const run = start(t);
    await waitUntil(() => t.attempts.length === 1, "update handed over");
    const t0 = performance.now();
    await stop(t, run);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(savedOffset()).toBeUndefined();
  }, 5000);

  test("abort during an error backoff is prompt", async () => {
    double.fail("getUpdates", { status: 500, description: "Internal Server Error" });
    const t = makeCtx(accountFor(double.url), state);
    const run = start(t, { ...FAST, backoff: { initialMs: 20_000, maxMs: 30_000 } });
    await waitUntil(() => t.logs.some((l) => l.line.includes("polling again in 20000ms")), "backing off");
    const t0 = performance.now();
    await stop(t, run);
    expect(performance.now() - t0).toBeLessThan(1000);
  }, 5000);
});

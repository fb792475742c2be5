import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolveAccounts } from "../../../src/channels/telegram/account.ts";
import { createTelegramAdapter } from "../../../src/channels/telegram/index.ts";
import { startTelegramDouble, type TelegramDouble } from "../../fixtures/telegram-double.ts";
import { accountFor, TOKEN } from "./helpers.ts";

let double: TelegramDouble;
beforeAll(async () => {
  double = await startTelegramDouble();
});
afterAll(() => double.stop());

const probe = createTelegramAdapter().probe!;

describe("probe", () => {
  test("ok: getMe as botInfo and the camelCase bot summary", async () => {
    const res = await probe(accountFor(double.url), 5000);
    expect(res).toEqual({
      ok: true,
      status: null,
      error: null,
      elapsedMs: expect.any(Number),
      botInfo: expect.objectContaining({ id: double.bot.id, username: "double_bot", can_join_groups: true, has_main_web_app: false }),
      bot: {
        id: double.bot.id,
        isBot: true,
        firstName: "Double",
        username: "double_bot",
        canJoinGroups: true,
        canReadAllGroupMessages: false,
        canManageBots: false,
        supportsInlineQueries: false,
        canConnectToBusiness: false,
        hasMainWebApp: false,
        hasTopicsEnabled: false,
        allowsUsersToCreateTopics: false,
      },
    });
  });

  test("a rejected token: {ok:false, status:401, error:'Unauthorized'} after one try", async () => {
    const before = double.callsOf("getMe").length;
    const res = await probe(accountFor(double.url, {}, "42:bad"), 5000);
    expect(res).toEqual({ ok: false, status: 401, error: "Unauthorized", elapsedMs: expect.any(Number) });
    expect(double.callsOf("getMe").length - before).toBe(1);
  });

  test("up to three tries within the budget: two garbage answers, then ok", async () => {
    double.fail("getMe", { garbage: "<html>", httpStatus: 502 }, 2);
    const before = double.callsOf("getMe").length;
    const res = await probe(accountFor(double.url), 5000);
    expect(res.ok).toBe(true);
    expect(double.callsOf("getMe").length - before).toBe(3);
  });

  test("three failures: the last error, not a crash", async () => {
    double.fail("getMe", { status: 500, description: "Internal Server Error" }, 3);
    const res = await probe(accountFor(double.url), 5000);
    expect(res).toEqual({ ok: false, status: 500, error: "Internal Server Error", elapsedMs: expect.any(Number) });
  });

  test("a hang: timedOut with the documented text, within the budget", async () => {
    double.fail("getMe", { hang: true }, 3);
    const t0 = performance.now();
    const res = await probe(accountFor(double.url), 300);
    expect(res).toEqual({ ok: false, status: null, timedOut: true, error: "probe timed out after 300ms", elapsedMs: expect.any(Number) });
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(res.elapsedMs).toBeGreaterThanOrEqual(250);
  }, 5000);

  test("unreachable Bot API: an error that names no token", async () => {
    const dead = await startTelegramDouble();
    await dead.stop();
    const res = await probe(accountFor(dead.url), 2000);
    expect(res.ok).toBe(false);
    expect(JSON.stringify(res)).not.toContain(TOKEN);
  });

  test("an account without a token answers without calling Telegram", async () => {
    const [account] = resolveAccounts({ apiRoot: double.url }, {}, "/s");
    const before = double.calls.length;
    expect(await probe(account!, 1000)).toEqual({ ok: false, status: null, error: "missing token", elapsedMs: 0 });
    expect(double.calls.length).toBe(before);
  });
});

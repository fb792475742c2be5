import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTelegramApi, redactToken, TelegramApiError } from "../../../src/channels/telegram/api.ts";
import { withSendRetry } from "../../../src/channels/telegram/retry.ts";
import { startTelegramDouble, type TelegramDouble } from "../../fixtures/telegram-double.ts";
import { TOKEN } from "./helpers.ts";

let double: TelegramDouble;
beforeAll(async () => {
  double = await startTelegramDouble();
});
afterAll(() => double.stop());

async function failure(p: Promise<unknown>): Promise<TelegramApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TelegramApiError);
  const e = err as TelegramApiError;
  expect(`${e.message} ${e.stack} ${e.description}`).not.toContain(TOKEN);
  expect(`${e.message}`).not.toContain(TOKEN.split(":")[1]!);
  return e;
}

describe("Bot API client", () => {
  test("POSTs JSON to {apiRoot}/bot<TOKEN>/<method> and returns result", async () => {
    const api = createTelegramApi({ token: TOKEN, apiRoot: `${double.url}/` });
    const me = await api.call<{ username: string }>("getMe");
    expect(me.username).toBe("double_bot");
    await api.call("deleteWebhook", { drop_pending_updates: false });
    const call = double.callsOf("deleteWebhook").at(-1)!;
    expect(call.token).toBe(TOKEN);
    expect(call.params).toEqual({ drop_pending_updates: false });
  });

  test("ok:false becomes a TelegramApiError with status, description and retry_after", async () => {
    const api = createTelegramApi({ token: TOKEN, apiRoot: double.url });
    double.fail("sendMessage", { status: 429, description: "Too Many Requests: retry after 7", retryAfter: 7 });
    const e = await failure(api.call("sendMessage", { chat_id: "1", text: "x" }));
    expect(e).toMatchObject({ kind: "api", status: 429, description: "Too Many Requests: retry after 7", retryAfter: 7, method: "sendMessage" });
    expect(e.message).toBe("Telegram sendMessage failed: 429 Too Many Requests: retry after 7");
  });

  test("401 for a rejected token", async () => {
    const api = createTelegramApi({ token: "999:bad-token", apiRoot: double.url });
    const e = await failure(api.call("getMe"));
    expect(e).toMatchObject({ kind: "api", status: 401, description: "Unauthorized" });
    expect(e.message).not.toContain("bad-token");
  });

  test("a body that is not Bot API JSON is an error, never a crash", async () => {
    const api = createTelegramApi({ token: TOKEN, apiRoot: double.url });
    double.fail("getMe", { garbage: "<html>502 Bad Gateway</html>", httpStatus: 502 });
    expect(await failure(api.call("getMe"))).toMatchObject({ kind: "bad-response", status: 502 });
    double.fail("getMe", { json: { hello: "world" } });
    expect(await failure(api.call("getMe"))).toMatchObject({ kind: "bad-response" });
    double.fail("getMe", { json: { ok: true } });
    expect(await failure(api.call("getMe"))).toMatchObject({ kind: "bad-response" });
    double.fail("getMe", { json: [1, 2] });
    expect(await failure(api.call("getMe"))).toMatchObject({ kind: "bad-response" });
  });

  test("a server that echoes the token in its error gets it redacted", async () => {
    const api = createTelegramApi({ token: TOKEN, apiRoot: double.url });
    double.fail("getMe", { status: 400, description: `Bad Request: /bot${TOKEN}/getMe is wrong` });
    const e = await failure(api.call("getMe"));
    expect(e.description).toContain("<redacted>");
    double.fail("getMe", { garbage: `oops ${TOKEN}` });
    await failure(api.call("getMe"));
  });

  test("a hanging request times out with the method's timeout", async () => {
    const api = createTelegramApi({ token: TOKEN, apiRoot: double.url, timeouts: { getMe: 200 } });
    double.fail("getMe", { hang: true });
    const t0 = performance.now();
    const e = await failure(api.call("getMe"));
    expect(e).toMatchObject({ kind: "timeout", status: null });
    expect(performance.now() - t0).toBeLessThan(2000);
  }, 5000);

  test("a refused connection is a network error that names no token", async () => {
    const dead = await startTelegramDouble();
    const root = dead.url;
    await dead.stop();
    const api = createTelegramApi({ token: TOKEN, apiRoot: root });
    expect(await failure(api.call("getMe"))).toMatchObject({ kind: "network", status: null });
  });

  test("the caller's abort ends the call at once with the abort reason, not a Telegram error", async () => {
    const api = createTelegramApi({ token: TOKEN, apiRoot: double.url });
    double.fail("getMe", { hang: true });
    const ac = new AbortController();
    const p = api.call("getMe", {}, { signal: ac.signal });
    const t0 = performance.now();
    setTimeout(() => ac.abort(new Error("stopping")), 50);
    const err = await p.catch((e: unknown) => e);
    expect((err as Error).message).toBe("stopping");
    expect(performance.now() - t0).toBeLessThan(1000);
  }, 5000);
});

describe("redactToken", () => {
  test("removes the known token and anything shaped like a bot token", () => {
    expect(redactToken(`GET https://api.telegram.org/bot${TOKEN}/getMe`, TOKEN)).not.toContain(TOKEN);
    expect(redactToken("see /bot42:abc_DEF-ghi/getMe")).toBe("see /bot<redacted>/getMe");
    expect(redactToken("token 5555555:AAHdqTcvCH1vGWJxfSeofSAs0K5P in text")).toBe("token <redacted> in text");
    expect(redactToken("update 12345 of chat 67890")).toBe("update 12345 of chat 67890");
  });
});

describe("send retries", () => {
  const policy = { attempts: 3, minDelayMs: 20, maxDelayMs: 5000, jitter: 0 };
  const api = () => createTelegramApi({ token: TOKEN, apiRoot: double.url, timeouts: { sendMessage: 200 } });

  test("429 waits retry_after seconds, then succeeds", async () => {
    double.fail("sendMessage", { status: 429, description: "Too Many Requests: retry after 1", retryAfter: 1 });
    const before = double.callsOf("sendMessage").length;
    const t0 = performance.now();
    const msg = await withSendRetry(() => api().call<{ message_id: number }>("sendMessage", { chat_id: "1", text: "x" }), policy);
    expect(msg.message_id).toBeGreaterThan(0);
    const calls = double.callsOf("sendMessage").slice(before);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    expect(performance.now() - t0).toBeLessThan(4000);
  }, 8000);

  test("timeouts are retried; three attempts at most", async () => {
    double.fail("sendMessage", { hang: true }, 3);
    const before = double.callsOf("sendMessage").length;
    const e = await failure(withSendRetry(() => api().call("sendMessage", { chat_id: "1", text: "x" }), policy));
    expect(e.kind).toBe("timeout");
    expect(double.callsOf("sendMessage").length - before).toBe(3);
  }, 8000);

  test("a 400 is not retried; neither is a retry_after beyond the cap", async () => {
    double.fail("sendMessage", { status: 400, description: "Bad Request: chat not found" });
    let before = double.callsOf("sendMessage").length;
    expect(await failure(withSendRetry(() => api().call("sendMessage", { chat_id: "1", text: "x" }), policy))).toMatchObject({ status: 400 });
    expect(double.callsOf("sendMessage").length - before).toBe(1);

    double.fail("sendMessage", { status: 429, description: "Too Many Requests: retry after 60", retryAfter: 60 });
    before = double.callsOf("sendMessage").length;
    const t0 = performance.now();
    expect(await failure(withSendRetry(() => api().call("sendMessage", { chat_id: "1", text: "x" }), policy))).toMatchObject({ retryAfter: 60 });
    expect(double.callsOf("sendMessage").length - before).toBe(1);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  test("garbage after a send is not retried (the message may have gone out)", async () => {
    double.fail("sendMessage", { garbage: "<html>", httpStatus: 502 });
    const before = double.callsOf("sendMessage").length;
    await failure(withSendRetry(() => api().call("sendMessage", { chat_id: "1", text: "x" }), policy));
    expect(double.callsOf("sendMessage").length - before).toBe(1);
  });
});

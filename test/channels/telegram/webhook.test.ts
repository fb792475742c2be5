// Webhook mode of the Telegram adapter against our Bot API double: setWebhook instead of
// deleteWebhook + getUpdates, a listener that takes only POSTs carrying the secret, commits each
// update before answering, and frees its port on stop.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ChannelManager } from "../../../src/channels/manager.ts";
import { createTelegramAdapter } from "../../../src/channels/telegram/index.ts";
import { ALLOWED_UPDATES } from "../../../src/channels/telegram/poller.ts";
import { ACCEPTED_HEADER, SECRET_HEADER, secretMatches, WEBHOOK_BODY_LIMIT } from "../../../src/channels/telegram/webhook.ts";
import { TerminalChannelError } from "../../../src/channels/types.ts";
import { startTelegramDouble, type TelegramDouble } from "../../fixtures/telegram-double.ts";
import { waitUntil } from "../../fixtures/wait.ts";
import { accountFor, FAST, makeCtx, tmpState, type TestCtx } from "./helpers.ts";

const SECRET = "s3cret_Webhook-token";
const PUBLIC_URL = "https://bot.example.test/tg-hook";

let double: TelegramDouble;
let state: string;
const running: Array<{ t: TestCtx; promise: Promise<void> }> = [];
beforeEach(async () => {
  double = await startTelegramDouble();
  state = tmpState();
});
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.t.controller.abort();
    await r.promise;
  }
  await double.stop();
});

function webhookAccount(extra: Record<string, unknown> = {}) {
  return accountFor(double.url, { webhookUrl: PUBLIC_URL, webhookSecret: SECRET, webhookPort: 0, ...extra });
}

/** Starts a run; the outcome stays observable without an unhandled rejection. */
function start(t: TestCtx) {
  const outcome: { done: boolean; error?: unknown } = { done: false };
  const promise = createTelegramAdapter(FAST).run(t.ctx).then(
    () => void (outcome.done = true),
    (e: unknown) => void Object.assign(outcome, { done: true, error: e }),
  );
  running.push({ t, promise });
  return { outcome, promise };
}

/** Starts in webhook mode and waits for the listener to be ready; returns its URL. */
async function ready(t: TestCtx): Promise<{ listener: string; run: ReturnType<typeof start> }> {
  const run = start(t);
  await waitUntil(() => t.status.lifecycle === "ready" || run.outcome.done, "the webhook account ready", { detail: () => JSON.stringify(t.logs) });
  expect(run.outcome.error).toBeUndefined();
  return { listener: t.status.webhookListener as string, run };
}

const post = (url: string, body: unknown, secret: string | null = SECRET, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(secret === null ? {} : { [SECRET_HEADER]: secret }), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const update = (updateId: number, text = "hello") => ({
  update_id: updateId,
  message: { message_id: 10, date: 1_700_000_000, from: { id: 424242, is_bot: false, first_name: "Tess" }, chat: { id: 424242, type: "private" }, text },
});

describe("Telegram webhook mode", () => {
  test("start: getMe, then setWebhook with the url, secret and the poller's update list; never getUpdates or deleteWebhook", async () => {
    const t = makeCtx(webhookAccount(), state);
    const { listener } = await ready(t);
    expect(double.calls.map((c) => c.method)).toEqual(["getMe", "setWebhook"]);
    expect(double.callsOf("setWebhook")[0]!.params).toEqual({
      url: PUBLIC_URL, secret_token: SECRET, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false,
    });
    expect(double.webhook()?.url).toBe(PUBLIC_URL);
    expect(listener).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/telegram-webhook$/);
    expect(t.status).toMatchObject({ connected: true, lifecycle: "ready", mode: "webhook", webhookUrl: PUBLIC_URL, lastError: null });
    expect(t.logs).toContainEqual({ level: "info", line: `webhook set (${PUBLIC_URL}); listening on ${listener}` });
    // A negative check needs a moment: a poller would have called getUpdates by now.
    await Bun.sleep(200);
    expect(double.callsOf("getUpdates")).toHaveLength(0);
    expect(double.callsOf("deleteWebhook")).toHaveLength(0);
    expect(JSON.stringify(t.patches)).not.toContain(SECRET);
  });

  test("an update Telegram delivers with the secret is committed, then answered 200 durable", async () => {
    const t = makeCtx(webhookAccount({ webhookPath: "/in/tg" }), state);
    const { listener } = await ready(t);
    expect(new URL(listener).pathname).toBe("/in/tg");
    double.routeWebhook(listener);
    const pushed = double.pushMessage({ text: "hi via webhook" });
    await waitUntil(() => double.deliveries.length === 1, "the delivery");
    expect(double.deliveries[0]).toMatchObject({ updateId: pushed.update_id, status: 200, accepted: "durable" });
    expect(t.committed.map((m) => [m.eventId, m.text, m.chatId])).toEqual([[String(pushed.update_id), "hi via webhook", "424242"]]);
    expect(double.pending()).toHaveLength(0);
    expect(typeof t.status.lastInboundAt).toBe("number");
  });

  test("a missing or wrong secret is 401 and nothing reaches the gateway", async () => {
    const t = makeCtx(webhookAccount(), state);
    const { listener } = await ready(t);
    expect((await post(listener, update(1), null)).status).toBe(401);
    expect((await post(listener, update(2), "not-the-secret")).status).toBe(401);
    expect((await post(listener, update(3), SECRET.slice(0, -1))).status).toBe(401);
    expect((await post(listener, update(4), "")).status).toBe(401);
    expect(t.attempts).toHaveLength(0);
    expect(t.logs.some((l) => l.level === "warn" && l.line.includes("401"))).toBe(true);
    expect(JSON.stringify(t.logs)).not.toContain(SECRET);
    const ok = await post(listener, update(5));
    expect(ok.status).toBe(200);
    expect(ok.headers.get(ACCEPTED_HEADER)).toBe("durable");
    expect(await ok.text()).toBe("");
    expect(t.committed.map((m) => m.eventId)).toEqual(["5"]);
  });

  test("method, path, body: 405, 404, 400 for garbage or a non-update, 413 over the limit; /healthz answers", async () => {
    const t = makeCtx(webhookAccount(), state);
    const { listener } = await ready(t);
    const get = await fetch(listener, { headers: { [SECRET_HEADER]: SECRET } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await post(listener.replace("/telegram-webhook", "/other"), update(1))).status).toBe(404);
    expect((await post(listener, "{not json")).status).toBe(400);
    expect((await post(listener, { message: { text: "no update_id" } })).status).toBe(400);
    expect((await post(listener, [update(2)])).status).toBe(400);
    expect((await post(listener, { update_id: "3" })).status).toBe(400);
    expect((await post(listener, "x".repeat(WEBHOOK_BODY_LIMIT + 1))).status).toBe(413);
    expect(t.attempts).toHaveLength(0);
    const health = await fetch(new URL("/healthz", listener));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
  });

  test("updates the assistant does not act on are settled with 200 without reaching the gateway", async () => {
    const t = makeCtx(webhookAccount(), state);
    const { listener } = await ready(t);
    const edit = await post(listener, { update_id: 7, edited_message: update(7).message });
    expect(edit.status).toBe(200);
    expect(edit.headers.get(ACCEPTED_HEADER)).toBe("durable");
    expect(t.attempts).toHaveLength(0);
  });

  test("a commit that fails is answered 500; Telegram's redelivery is then committed once", async () => {
    let failures = 2;
    const t = makeCtx(webhookAccount(), state, async () => {
      if (failures-- > 0) throw new Error("disk full");
    });
    const { listener } = await ready(t);
    double.routeWebhook(listener);
    const pushed = double.pushMessage({ text: "keep me" });
    // The commit happens before the listener answers: wait for the double to have seen that answer too.
    await waitUntil(() => t.committed.length === 1 && double.deliveries.length === 3, "the redelivered update committed and answered", { detail: () => JSON.stringify(double.deliveries) });
    expect(double.deliveries.map((d) => d.status)).toEqual([500, 500, 200]);
    expect(t.attempts.map((m) => m.eventId)).toEqual(Array(3).fill(String(pushed.update_id)));
    expect(t.logs.some((l) => l.level === "warn" && l.line.includes("answering 500"))).toBe(true);
  });

  test("stop closes the listener: the port is refused, then free to bind again", async () => {
    const t = makeCtx(webhookAccount(), state);
    const { listener, run } = await ready(t);
    const port = Number(new URL(listener).port);
    t.controller.abort();
    await run.promise;
    expect(run.outcome).toEqual({ done: true });
    expect(t.status.connected).toBe(false);
    expect(await post(listener, update(1)).then((r) => r.status, (e: Error) => e.message)).toContain("Unable to connect");
    const again = Bun.serve({ hostname: "127.0.0.1", port, fetch: () => new Response("mine") });
    try {
      expect(again.port).toBe(port);
    } finally {
      await again.stop(true);
    }
    expect(t.attempts).toHaveLength(0);
  });

  test("webhookCertPath is uploaded as certificate (multipart); an unreadable one stops the account naming the key", async () => {
    const cert = join(state, "public.pem");
    const pem = "-----BEGIN CERTIFICATE-----\nMIIBdouble\n-----END CERTIFICATE-----\n";
    writeFileSync(cert, pem);
    const t = makeCtx(webhookAccount({ webhookCertPath: cert }), state);
    await ready(t);
    const params = double.callsOf("setWebhook")[0]!.params;
    expect(params).toMatchObject({ url: PUBLIC_URL, secret_token: SECRET, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false });
    expect(params.certificate).toMatchObject({ filename: "public.pem", text: pem });

    const missing = makeCtx(accountFor(double.url, { webhookUrl: PUBLIC_URL, webhookSecret: SECRET, webhookPort: 0, webhookCertPath: join(state, "nope.pem") }), state);
    const run = start(missing);
    await run.promise;
    expect(run.outcome.error).toBeInstanceOf(TerminalChannelError);
    expect((run.outcome.error as Error).message).toBe(`webhookCertPath ${join(state, "nope.pem")} does not exist or cannot be read (ENOENT); fix channels.telegram.webhookCertPath`);
    expect(double.callsOf("setWebhook")).toHaveLength(1);
  });

  test("setWebhook: an outage is waited out, a refusal fails the task (port freed), a 401 is terminal", async () => {
    double.fail("setWebhook", { status: 502, description: "Bad Gateway" }, 2);
    const t = makeCtx(webhookAccount(), state);
    await ready(t);
    expect(double.callsOf("setWebhook")).toHaveLength(3);

    double.fail("setWebhook", { status: 400, description: "Bad Request: bad webhook: HTTPS url must be provided for webhook" });
    const refused = makeCtx(webhookAccount(), state);
    const run = start(refused);
    await run.promise;
    expect(run.outcome.error).toBeInstanceOf(Error);
    expect(run.outcome.error).not.toBeInstanceOf(TerminalChannelError);
    expect((run.outcome.error as Error).message).toContain("Telegram setWebhook failed: 400 Bad Request: bad webhook");
    const listener = refused.status.webhookListener as string;
    expect(await post(listener, update(1)).then((r) => r.status, (e: Error) => e.message)).toContain("Unable to connect");

    double.fail("setWebhook", { status: 401, description: "Unauthorized" });
    const revoked = makeCtx(webhookAccount(), state);
    const run401 = start(revoked);
    await run401.promise;
    expect(run401.outcome.error).toBeInstanceOf(TerminalChannelError);
    expect((run401.outcome.error as Error).message).toContain("setWebhook returned 401 from Telegram");
  });

  test("a port in use fails the task (the manager restarts it) before Telegram is told anything", async () => {
    const taken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    try {
      const t = makeCtx(webhookAccount({ webhookPort: taken.port }), state);
      const run = start(t);
      await run.promise;
      expect(run.outcome.error).not.toBeInstanceOf(TerminalChannelError);
      expect((run.outcome.error as Error).message).toStartWith(`Telegram webhook listener could not listen on 127.0.0.1:${taken.port}:`);
      expect(double.callsOf("setWebhook")).toHaveLength(0);
    } finally {
      await taken.stop(true);
    }
  });
});

test("a config change restarts the account on the same fixed port: the old listener is gone before the new one binds", async () => {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = probe.port!;
  await probe.stop(true);
  const logs: string[] = [];
  const manager = new ChannelManager({
    loadAdapter: async () => createTelegramAdapter(FAST), stateDir: state, env: {},
    log: () => ({ debug() {}, info() {}, warn: (l) => void logs.push(l), error: (l) => void logs.push(l) }),
    receive: async () => {},
    restart: { initialMs: 10_000 },
  });
  const section = (secret: string) => ({ telegram: { botToken: "123:ok", apiRoot: double.url, webhookUrl: PUBLIC_URL, webhookSecret: secret, webhookPort: port } });
  const ready = () => manager.snapshot("telegram", "default")?.lifecycle === "ready";
  try {
    await manager.apply(section("first_secret"));
    await waitUntil(ready, "the first listener", { detail: () => logs.join("\n") });
    await manager.apply(section("second_secret"));
    await waitUntil(() => double.callsOf("setWebhook").length === 2 && ready(), "the restarted listener", { detail: () => logs.join("\n") });
    expect(manager.snapshot("telegram", "default")).toMatchObject({ running: true, reconnectAttempts: 0, webhookListener: `http://127.0.0.1:${port}/telegram-webhook` });
    const listener = `http://127.0.0.1:${port}/telegram-webhook`;
    expect((await post(listener, update(1), "first_secret")).status).toBe(401);
    expect((await post(listener, update(2), "second_secret")).status).toBe(200);
    expect(logs).toEqual(["webhook request refused (401, missing or wrong secret token)"]);
  } finally {
    await manager.close();
  }
});

test("secretMatches: exact match only, whatever the lengths", () => {
  expect(secretMatches("abc", "abc")).toBe(true);
  expect(secretMatches("abd", "abc")).toBe(false);
  expect(secretMatches("abcd", "abc")).toBe(false);
  expect(secretMatches(null, "abc")).toBe(false);
  expect(secretMatches("", "")).toBe(false);
});

// Telegram in webhook mode, end to end in process: our gateway with the real Telegram adapter, our
// Bot API double delivering updates to the gateway's webhook listener (as a TLS proxy would forward
// them), agents on the scripted provider. An update becomes a turn and a reply in the same chat; a
// redelivery is answered once; a request without the secret is refused and leaves no trace; the
// account never polls; stopping it frees the listener.
import { Database } from "bun:sqlite";
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { ACCEPTED_HEADER, SECRET_HEADER } from "../../src/channels/telegram/webhook.ts";
import { AGENT_CONFIG, startAgentGateway } from "../fixtures/agent-gateway.ts";
import { TEST_TOKEN } from "../fixtures/gateway.ts";
import { startTelegramDouble, type TelegramDouble } from "../fixtures/telegram-double.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

setDefaultTimeout(30_000);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SECRET = "e2e_webhook_secret";
const PUBLIC_URL = "https://bot.example.test/telegram-webhook";

async function startWebhookGateway(tg: TelegramDouble) {
  const config = {
    ...AGENT_CONFIG,
    channels: { telegram: { botToken: "123:ok", apiRoot: tg.url, dmPolicy: "open", allowFrom: ["*"], webhookUrl: PUBLIC_URL, webhookSecret: SECRET, webhookPort: 0 } },
  } as OpenClawConfig;
  const g = await startAgentGateway({ config });
  const admin = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.write", "operator.read"] });
  cleanups.push(async () => {
    admin.close();
    await g.stop();
  });
  const status = async () => (await admin.request("channels.status", {})).payload;
  const account = await waitUntil(async () => {
    const a = (await status()).channelAccounts?.telegram?.[0];
    return a?.lifecycle === "ready" && a;
  }, "the webhook account ready");
  return { g, admin, status, account, listener: account.webhookListener as string };
}

const sends = (tg: TelegramDouble) => tg.callsOf("sendMessage").map((c) => c.params);

/** Rows in the gateway's durable ingress table. */
function ingressRows(stateDir: string): number {
  const db = new Database(join(stateDir, "state", "channels.sqlite"), { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM ingress_events").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test("webhook mode: setWebhook at start, an update becomes a turn and a reply; a redelivery is answered once; no polling", async () => {
  const tg = await startTelegramDouble();
  cleanups.push(() => tg.stop());
  const { g, status, account, listener } = await startWebhookGateway(tg);
  expect(account).toMatchObject({ mode: "webhook", webhookUrl: PUBLIC_URL, connected: true, running: true });
  expect((await status()).channels.telegram).toMatchObject({ mode: "webhook", running: true });
  expect(tg.callsOf("setWebhook").map((c) => c.params)).toEqual([
    expect.objectContaining({ url: PUBLIC_URL, secret_token: SECRET, drop_pending_updates: false, allowed_updates: expect.arrayContaining(["message"]) }),
  ]);

  tg.routeWebhook(listener);
  const pushed = tg.pushMessage({ text: "what is two plus two", fromId: 424242, chatId: 424242 });
  await waitUntil(() => sends(tg).length === 1, "the agent's reply", { detail: () => JSON.stringify(tg.deliveries) });
  expect(sends(tg)[0]).toMatchObject({ chat_id: "424242", text: "echo: what is two plus two" });
  expect(tg.deliveries).toEqual([expect.objectContaining({ updateId: pushed.update_id, status: 200, accepted: "durable" })]);

  // Telegram redelivers when it missed our answer: accepted again, not answered again.
  const again = await fetch(listener, { method: "POST", headers: { [SECRET_HEADER]: SECRET, "content-type": "application/json" }, body: JSON.stringify(pushed) });
  expect(again.status).toBe(200);
  expect(again.headers.get(ACCEPTED_HEADER)).toBe("durable");
  await g.runtime.channels.active!.idle();
  expect(sends(tg)).toHaveLength(1);
  expect(ingressRows(g.dir)).toBe(1);
  expect(tg.callsOf("getUpdates")).toHaveLength(0);
  expect(tg.callsOf("deleteWebhook")).toHaveLength(0);
});

test("webhook mode: a wrong or missing secret is 401 and nothing is ingested; channels.stop closes the listener", async () => {
  const tg = await startTelegramDouble();
  cleanups.push(() => tg.stop());
  const { g, admin, status, listener } = await startWebhookGateway(tg);
  const update = { update_id: 77, message: { message_id: 5, date: 1_700_000_000, from: { id: 424242, is_bot: false, first_name: "Tess" }, chat: { id: 424242, type: "private" }, text: "sneaky" } };
  const post = (headers: Record<string, string>, body: string) => fetch(listener, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  expect((await post({}, JSON.stringify(update))).status).toBe(401);
  expect((await post({ [SECRET_HEADER]: "guess" }, JSON.stringify(update))).status).toBe(401);
  expect((await post({ [SECRET_HEADER]: SECRET }, "<html>not an update</html>")).status).toBe(400);
  await g.runtime.channels.active!.idle();
  expect(sends(tg)).toHaveLength(0);
  expect(ingressRows(g.dir)).toBe(0);
  expect((await fetch(new URL("/healthz", listener))).status).toBe(200);

  expect((await admin.request("channels.stop", { channel: "telegram" })).payload).toMatchObject({ stopped: true });
  expect((await status()).channelAccounts.telegram[0]).toMatchObject({ running: false, connected: false, lifecycle: "stopped" });
  expect(await fetch(listener).then((r) => r.status, (e: Error) => e.message)).toContain("Unable to connect");
});

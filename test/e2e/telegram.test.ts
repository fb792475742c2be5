// Telegram end to end, in process: our gateway with the real Telegram adapter polling our own Bot
// API double, agents on the scripted provider. A stranger pairs, the owner approves, the next
// message is answered in the same chat; groups answer only mentions; a restart in the middle
// answers nothing twice; a revoked token stops the account with the documented status.
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { AGENT_CONFIG, startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { tempDir, TEST_TOKEN } from "../fixtures/gateway.ts";
import { startTelegramDouble, type TelegramDouble } from "../fixtures/telegram-double.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

setDefaultTimeout(30_000);

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function configFor(tg: TelegramDouble, extra: Record<string, unknown> = {}, token = "123:ok"): OpenClawConfig {
  return { ...AGENT_CONFIG, channels: { telegram: { botToken: token, apiRoot: tg.url, ...extra } } } as OpenClawConfig;
}

async function start(tg: TelegramDouble, config: OpenClawConfig, storePath?: string): Promise<{ g: AgentTestGateway; admin: RawClient }> {
  const g = await startAgentGateway({ config, ...(storePath ? { storePath } : {}) });
  const admin = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.pairing", "operator.write", "operator.read"] });
  cleanups.push(async () => {
    admin.close();
    await g.stop();
  });
  return { g, admin };
}

const sends = (tg: TelegramDouble) => tg.callsOf("sendMessage").map((c) => c.params);

test("pairing code → approve → the next message is answered in the same chat, with typing", async () => {
  const tg = await startTelegramDouble();
  cleanups.push(() => tg.stop());
  const { admin } = await start(tg, configFor(tg));
  tg.pushMessage({ text: "hello bot", fromId: 424242, chatId: 424242, username: "tess", firstName: "Tess" });
  await waitUntil(() => sends(tg).length === 1, "the pairing reply");
  const reply = sends(tg)[0]!;
  expect(String(reply.chat_id)).toBe("424242");
  const code = /Pairing code: ([A-Z2-9]{8})/.exec(reply.text)![1]!;
  expect(reply.text).toContain(`openclaw pairing approve telegram ${code}`);

  const list = (await admin.request("channels.pairing.list", { channel: "telegram" })).payload;
  expect(list.requests[0]).toMatchObject({ senderId: "424242", metadata: { username: "tess", firstName: "Tess" } });
  expect((await admin.request("channels.pairing.approve", { channel: "telegram", requestId: code, notify: true })).payload).toMatchObject({ notification: "sent" });
  await waitUntil(() => sends(tg).length === 2, "the approval notice");

  tg.pushMessage({ text: "what is two plus two", fromId: 424242, chatId: 424242 });
  await waitUntil(() => sends(tg).length === 3, "the agent's reply");
  expect(sends(tg)[2]).toMatchObject({ chat_id: "424242", text: "echo: what is two plus two" });
  const typing = tg.callsOf("sendChatAction");
  expect(typing.length).toBeGreaterThan(0);
  expect(typing[0]!.params).toMatchObject({ chat_id: 424242, action: "typing" });
});

test("groups: ignored without a groups entry; with one, only mentions of the bot run a turn", async () => {
  const tg = await startTelegramDouble();
  cleanups.push(() => tg.stop());
  const group = { fromId: 424242, chatId: -100123, chatType: "supergroup" as const };
  const { g } = await start(tg, configFor(tg, { allowFrom: ["424242"], groups: { "*": { requireMention: true } } }));
  tg.pushMessage({ ...group, text: "just chatting" });
  tg.pushMessage({ ...group, text: "@double_bot hello group" });
  tg.pushMessage({ ...group, fromId: 999, text: "@double_bot me too" });
  await waitUntil(() => sends(tg).length === 1, "the reply to the mention");
  await waitUntil(() => tg.pending().length === 0, "every update confirmed");
  await g.runtime.channels.active!.idle();
  expect(sends(tg)).toEqual([expect.objectContaining({ chat_id: "-100123", text: "echo: Tess: @double_bot hello group" })]);
});

test("a restart in the middle answers every message exactly once", async () => {
  const tg = await startTelegramDouble();
  cleanups.push(() => tg.stop());
  const storePath = join(tempDir("store-"), "sessions.sqlite");
  const config = configFor(tg, { dmPolicy: "open" });
  const first = await start(tg, config, storePath);
  for (let i = 1; i <= 3; i++) tg.pushMessage({ text: `message ${i} [slow:30]`, fromId: 7, chatId: 7 });
  await waitUntil(() => sends(tg).length >= 1, "the first reply");
  // Stop while the rest are committed or in flight; the next gateway uses the same state.
  await first.g.stop();
  const second = await startAgentGateway({ config, storePath, dir: first.g.dir });
  cleanups.push(() => second.stop());
  await waitUntil(() => sends(tg).length >= 3 && tg.pending().length === 0, "all three answered", {
    timeoutMs: 20_000,
    detail: () => `${JSON.stringify(sends(tg).map((x) => x.text))}, ${tg.pending().length} update(s) unconfirmed`,
  });
  await second.runtime.channels.active!.idle();
  const texts = sends(tg).map((s) => s.text as string);
  for (let i = 1; i <= 3; i++) expect(texts.filter((t) => t.includes(`message ${i}`))).toHaveLength(1);
});

test("a revoked token: the account stops, blocked, with the documented error and status issue", async () => {
  const tg = await startTelegramDouble();
  cleanups.push(() => tg.stop());
  const { admin } = await start(tg, configFor(tg, {}, "123:bad-token"));
  const status = await waitUntil(async () => {
    const s = (await admin.request("channels.status", {})).payload;
    return s.channelAccounts.telegram[0].lifecycle === "blocked" && s;
  }, "the blocked account");
  expect(status.channelAccounts.telegram[0]).toMatchObject({ running: false, connected: false, terminalDisconnect: true, healthState: "terminal-disconnect" });
  expect(status.channelAccounts.telegram[0].lastError).toStartWith('Telegram bot token unauthorized for account "default" (getMe returned 401 from Telegram; source: config token).');
  expect(status.statusIssues[0]).toMatchObject({ kind: "runtime", fix: "resolve the reported channel error, then restart the channel" });
  const probe = (await admin.request("channels.status", { probe: true, timeoutMs: 2000 })).payload;
  expect(probe.channelAccounts.telegram[0].probe).toMatchObject({ ok: false, status: 401, error: "Unauthorized" });
  expect(JSON.stringify(probe)).not.toContain("bad-token");
});

test("hooks deliver an agent's reply to a Telegram chat; an unknown channel lists the registered ones", async () => {
  const tg = await startTelegramDouble();
  cleanups.push(() => tg.stop());
  const config = { ...configFor(tg), hooks: { enabled: true, token: "hooks-secret-0123456789" } } as OpenClawConfig;
  const { g } = await start(tg, config);
  await waitUntil(() => g.runtime.channels.active?.configuredChannels().length === 1, "the channel");
  const base = g.url.replace("ws://", "http://");
  const post = (body: unknown) => fetch(`${base}/hooks/agent`, {
    method: "POST", headers: { authorization: "Bearer hooks-secret-0123456789", "content-type": "application/json" }, body: JSON.stringify(body),
  });
  const res = await post({ message: "build failed", channel: "telegram", to: "424242", waitForCompletion: true });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ ok: true, completion: { status: "ok", delivered: true, deliveryAttempted: true } });
  expect(sends(tg)).toHaveLength(1);
  expect(sends(tg)[0]).toMatchObject({ chat_id: "424242" });
  expect(sends(tg)[0]!.text).toContain("build failed");
  const bad = await post({ message: "x", channel: "slack", to: "1" });
  expect(bad.status).toBe(400);
  expect(await bad.json()).toEqual({ ok: false, error: "channel must be last|telegram" });
});

test("send with media: the Bot API gets the URL (photo with its caption, a PDF as a document); bad media is refused", async () => {
  const tg = await startTelegramDouble();
  cleanups.push(() => tg.stop());
  const { admin } = await start(tg, configFor(tg));
  await waitUntil(async () => (await admin.request("channels.status", {})).payload.channelAccounts?.telegram?.[0]?.connected, "connected");
  const photo = await admin.request("send", { to: "424242", message: "the view", mediaUrl: "https://example.test/view.jpg", idempotencyKey: crypto.randomUUID() });
  expect(photo.payload).toMatchObject({ channel: "telegram", chatId: "424242" });
  expect(tg.callsOf("sendPhoto")[0]!.params).toMatchObject({ chat_id: "424242", photo: "https://example.test/view.jpg", caption: "the view", parse_mode: "HTML" });
  await admin.request("send", { to: "424242", mediaUrls: ["https://example.test/a.pdf"], idempotencyKey: crypto.randomUUID() });
  expect(tg.callsOf("sendDocument")[0]!.params).toMatchObject({ chat_id: "424242", document: "https://example.test/a.pdf" });
  expect(tg.callsOf("sendDocument")[0]!.params.caption).toBeUndefined();
  const bad = await admin.request("send", { to: "424242", mediaUrl: "file:///etc/passwd", idempotencyKey: crypto.randomUUID() });
  expect(bad.error).toEqual({ code: "INVALID_REQUEST", message: "mediaUrl must be an http(s) URL: file:///etc/passwd" });
  const buffer = await admin.request("send", { to: "424242", buffer: "aGk=", idempotencyKey: crypto.randomUUID() });
  expect(buffer.error?.message).toContain("buffer uploads are not supported");
});

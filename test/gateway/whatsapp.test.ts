// WhatsApp through the gateway, at the Baileys seam (a fake socket): NOT_LINKED before linking,
// health's linkChannel, the QR login over web.login.start/wait starting the account, an inbound
// DM answered through the socket, and channels.logout unlinking.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { createWhatsAppAdapter, type WhatsAppAdapter } from "../../src/channels/whatsapp/index.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { fakeFactory } from "../channels/whatsapp/fake-socket.ts";
import { AGENT_CONFIG, startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { fakeChannel } from "../fixtures/fake-channel.ts";
import { TEST_TOKEN, tempDir } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

const ME = { id: "15557654321:9@s.whatsapp.net", lid: "4242:9@lid" };
let g: AgentTestGateway;
let c: RawClient;
let adapter: WhatsAppAdapter;
const factory = fakeFactory();

beforeAll(async () => {
  const dir = tempDir("wa-gw-");
  adapter = createWhatsAppAdapter({ createSocket: factory.create, stateDir: dir, reconnect: { initialMs: 20, maxMs: 50 } });
  const config = { ...AGENT_CONFIG, channels: { whatsapp: { dmPolicy: "open" } } } as OpenClawConfig;
  g = await startAgentGateway({ config, dir, channelAdapters: async (id) => (id === "whatsapp" ? adapter : fakeChannel()) });
  c = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.write", "operator.read"] });
  await waitUntil(() => g.runtime.channels.active?.configuredChannels().includes("whatsapp"), "the whatsapp channel");
});
afterAll(async () => {
  c.close();
  await g.stop();
});

test("not linked: a send is NOT_LINKED and says how to link; health says linked:false; the account is not started", async () => {
  const res = await c.request("send", { to: "+15551234567", message: "hi", channel: "whatsapp", idempotencyKey: crypto.randomUUID() });
  expect(res.error?.code).toBe("NOT_LINKED");
  expect(res.error?.message).toContain("openclaw channels login --channel whatsapp");
  g.runtime.refreshHealth();
  const health = (await c.request("health", {})).payload;
  expect(health.linkChannel).toEqual({ id: "whatsapp", label: "WhatsApp", linked: false, accountId: "default" });
  const status = (await c.request("channels.status", {})).payload;
  expect(status.channelAccounts.whatsapp[0]).toMatchObject({ configured: false, running: false, linked: false });
  expect(status.statusIssues[0]).toMatchObject({ channel: "whatsapp", kind: "config", fix: "run openclaw channels login --channel whatsapp" });
  expect((await c.request("web.login.start", { channel: "telegram" })).error).toEqual({ code: "INVALID_REQUEST", message: "web login is not supported by provider telegram" });
});

test("QR login: start returns the QR, the scan links, wait says connected and the account starts; a DM is answered", async () => {
  const started = c.request("web.login.start", { channel: "whatsapp" });
  const loginSock = await waitUntil(() => factory.sockets[0], "the login socket");
  loginSock.qr("2@qr-one");
  const start = await started;
  expect(start.payload.qrDataUrl).toStartWith("data:image/png;base64,");
  expect(start.payload.message).toBe("Scan this QR in WhatsApp → Linked Devices.");

  const waiting = c.request("web.login.wait", { channel: "whatsapp", timeoutMs: 10_000, currentQrDataUrl: start.payload.qrDataUrl });
  loginSock.credsUpdate({ me: ME, registered: true });
  loginSock.open(ME);
  expect((await waiting).payload).toEqual({ connected: true, message: "✅ Linked! WhatsApp is ready." });

  const runSock = await waitUntil(() => factory.sockets.find((s, i) => i > 0 && !s.ended), "the account's own socket");
  runSock.open(ME);
  await waitUntil(async () => (await c.request("channels.status", {})).payload.channelAccounts.whatsapp[0].connected, "connected");
  g.runtime.refreshHealth();
  expect((await c.request("health", {})).payload.linkChannel).toMatchObject({ id: "whatsapp", linked: true });

  runSock.upsert([{ key: { remoteJid: "15551234567@s.whatsapp.net", fromMe: false, id: "IN1" }, message: { conversation: "hello there" }, messageTimestamp: 1, pushName: "Sam" }]);
  await waitUntil(() => runSock.sent.some((s) => s.content.text === "echo: hello there"), "the reply through the socket", {
    detail: () => JSON.stringify(runSock.sent),
  });
  expect(runSock.sent.find((s) => s.content.text === "echo: hello there")!.jid).toBe("15551234567@s.whatsapp.net");

  const sent = await c.request("send", { to: "+15551234567", message: "dinner at 8", channel: "whatsapp", idempotencyKey: crypto.randomUUID() });
  expect(sent.payload).toMatchObject({ channel: "whatsapp", chatId: "15551234567@s.whatsapp.net" });
  const media = await c.request("send", { to: "+15551234567", message: "the view", mediaUrl: "https://example.test/view.jpg", channel: "whatsapp", idempotencyKey: crypto.randomUUID() });
  expect(media.payload).toMatchObject({ channel: "whatsapp" });
  expect(runSock.sent.at(-1)).toEqual({ jid: "15551234567@s.whatsapp.net", content: { image: { url: "https://example.test/view.jpg" }, caption: "the view" } });
});

test("channels.logout unlinks: credentials gone, the account stopped, sends NOT_LINKED again", async () => {
  const out = await c.request("channels.logout", { channel: "whatsapp" });
  expect(out.payload).toMatchObject({ channel: "whatsapp", accountId: "default", cleared: true });
  expect(existsSync(`${g.dir}/credentials/whatsapp/default/creds.json`)).toBe(false);
  const res = await c.request("send", { to: "+15551234567", message: "hi", channel: "whatsapp", idempotencyKey: crypto.randomUUID() });
  expect(res.error?.code).toBe("NOT_LINKED");
});

// The channel RPCs over real sockets, with a scripted adapter: send/poll/message.action, status,
// start/stop, sender pairing, the errors of each, and a config reload.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { fakeChannel, type FakeChannel } from "../fixtures/fake-channel.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

let g: TestGateway;
let fake: FakeChannel;
let admin: RawClient;
const config: OpenClawConfig = { gateway: { mode: "local" }, channels: { telegram: { botToken: "t" } } };

beforeAll(async () => {
  fake = fakeChannel();
  g = await startTestGateway({ config, channelAdapters: async () => fake });
  admin = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.pairing", "operator.write", "operator.read"] });
  await waitUntil(() => fake.runs.has("default"), "the telegram account to run");
});
afterAll(async () => {
  admin.close();
  await g.stop();
});

const key = () => crypto.randomUUID();

describe("send and friends", () => {
  test("send: idempotent by key, no second message", async () => {
    const k = key();
    const first = await admin.request("send", { to: "424242", message: "dinner at 8", channel: "telegram", idempotencyKey: k });
    expect(first.payload).toMatchObject({ runId: k, channel: "telegram", chatId: "424242" });
    const before = fake.sent.length;
    expect((await admin.request("send", { to: "424242", message: "dinner at 8", channel: "telegram", idempotencyKey: k })).payload).toEqual(first.payload);
    expect(fake.sent.length).toBe(before);
  });

  test.each([
    [{ to: "424242", message: "x" }, "invalid send params: must have required property 'idempotencyKey'"],
    [{ to: "424242", idempotencyKey: "a" }, "invalid send params: text or media is required"],
    [{ to: "424242", message: "x", channel: "nope", idempotencyKey: "b" }, "unsupported channel: nope"],
    [{ to: "not-a-chat", message: "x", idempotencyKey: "c" }, "invalid target: not-a-chat"],
    [{ to: "1", message: "x", extra: 1, idempotencyKey: "d" }, undefined],
  ])("%j → INVALID_REQUEST", async (params, message) => {
    const res = await admin.request("send", params);
    expect(res.error?.code).toBe("INVALID_REQUEST");
    if (message) expect(res.error!.message).toBe(message);
  });

  test("a delivery failure is UNAVAILABLE", async () => {
    fake.failSends = 1;
    const res = await admin.request("send", { to: "1", message: "x", idempotencyKey: key() });
    expect(res.error).toMatchObject({ code: "UNAVAILABLE", message: "network down" });
  });

  test("message.action send / react / poll, and an unknown action", async () => {
    const sent = await admin.request("message.action", { channel: "telegram", action: "send", params: { target: "424242", message: "via action", to: "telegram:424242" }, idempotencyKey: key() });
    expect(sent.payload).toMatchObject({ ok: true, chatId: "424242", receipt: {} });
    const react = await admin.request("message.action", { channel: "telegram", action: "react", params: { to: "telegram:424242", messageId: sent.payload.messageId, emoji: "👍" }, idempotencyKey: key() });
    expect(react.payload).toEqual({ ok: true, added: "👍" });
    const poll = await admin.request("message.action", { channel: "telegram", action: "poll", params: { to: "424242", pollQuestion: "Q", pollOption: ["a", "b"] }, idempotencyKey: key() });
    expect(poll.payload).toMatchObject({ ok: true, pollId: "p1" });
    const bogus = await admin.request("message.action", { channel: "telegram", action: "bogus", params: {}, idempotencyKey: key() });
    expect(bogus.error).toEqual({ code: "INVALID_REQUEST", message: "Message action bogus not supported for channel telegram." });
  });

  test("poll validates its options", async () => {
    const res = await admin.request("poll", { to: "1", question: "Q", options: ["only one"], idempotencyKey: key() });
    expect(res.error?.code).toBe("INVALID_REQUEST");
    expect((await admin.request("poll", { to: "1", question: "Q", options: ["a", "b"], idempotencyKey: key() })).payload).toMatchObject({ channel: "telegram", pollId: "p1" });
  });

  test("send needs operator.write", async () => {
    const reader = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    expect((await reader.request("send", { to: "1", message: "x", idempotencyKey: key() })).error).toMatchObject({ code: "FORBIDDEN" });
    reader.close();
  });
});

describe("status and lifecycle", () => {
  test("channels.status: the account snapshot; unknown channel refused", async () => {
    const s = (await admin.request("channels.status", {})).payload;
    expect(s).toMatchObject({
      channelOrder: ["telegram"], channelLabels: { telegram: "Telegram" }, channelDefaultAccountId: { telegram: "default" },
      channels: { telegram: { configured: true, running: true } }, statusIssues: [],
    });
    expect(s.channelAccounts.telegram[0]).toMatchObject({ accountId: "default", enabled: true, configured: true, running: true, connected: true, lifecycle: "ready", tokenSource: "config" });
    expect((await admin.request("channels.status", { channel: "slack" })).error).toEqual({ code: "INVALID_REQUEST", message: "unknown channel: slack" });
  });

  test("stop → the status issue → start", async () => {
    expect((await admin.request("channels.stop", { channel: "telegram" })).payload).toEqual({ channel: "telegram", accountId: "default", stopped: true });
    const s = (await admin.request("channels.status", {})).payload;
    expect(s.statusIssues).toEqual([{ channel: "telegram", accountId: "default", kind: "runtime", message: "Channel is enabled and configured, but its runtime is not running.", fix: "restart the channel or gateway" }]);
    expect((await admin.request("channels.start", { channel: "telegram" })).payload).toEqual({ channel: "telegram", accountId: "default", started: true, outcome: { status: "handed-off" } });
    await waitUntil(() => fake.runs.has("default"), "running again");
    expect((await admin.request("channels.stop", { channel: "nope" })).error).toEqual({ code: "INVALID_REQUEST", message: "invalid channels.stop channel" });
  });
});

describe("sender pairing over RPC", () => {
  test("list → approve by code → the sender's next message runs a turn", async () => {
    await fake.inbound("default", { text: "hi", chatId: "5151", sender: { id: "5151", username: "sam" } });
    const list = await waitUntil(async () => {
      const p = (await admin.request("channels.pairing.list", { channel: "telegram" })).payload;
      return p.requests.length > 0 && p;
    }, "the request");
    expect(list).toMatchObject({ accounts: [{ channel: "telegram", accountId: "default" }], limits: { pendingPerAccount: 3, ttlMs: 3600000 } });
    const req = list.requests[0];
    expect(req).toMatchObject({ channel: "telegram", senderId: "5151", metadata: { username: "sam" } });
    const approved = await admin.request("channels.pairing.approve", { channel: "telegram", requestId: req.code, notify: true });
    expect(approved.payload).toEqual({ requestId: req.requestId, senderId: "5151", notification: "sent", commandOwnerBootstrap: "not-requested" });
    expect((await admin.request("channels.pairing.approve", { channel: "telegram", requestId: req.code })).error).toMatchObject({ code: "INVALID_REQUEST" });
    expect((await admin.request("channels.pairing.dismiss", { channel: "telegram", requestId: "NOPE" })).error).toMatchObject({ code: "INVALID_REQUEST" });
  });
});

describe("reload", () => {
  test("a changed section restarts the account; removing channels stops it", async () => {
    const starts = fake.starts;
    g.applyConfig({ loaded: g.runtime.loaded, config: { ...config, channels: { telegram: { botToken: "t2" } } }, auth: g.runtime.auth });
    await waitUntil(() => fake.starts === starts + 1 && fake.runs.has("default"), "the restart with the new token");
    g.applyConfig({ loaded: g.runtime.loaded, config: { gateway: { mode: "local" } }, auth: g.runtime.auth });
    await waitUntil(() => !fake.runs.has("default"), "the account to stop");
    expect((await admin.request("send", { to: "1", message: "x", idempotencyKey: key() })).error).toMatchObject({ code: "INVALID_REQUEST" });
  });
});

describe("health", () => {
  test("carries each channel's default account with all accounts, and no linkChannel without WhatsApp", async () => {
    g.applyConfig({ loaded: g.runtime.loaded, config, auth: g.runtime.auth });
    await waitUntil(() => fake.runs.has("default"), "running again");
    g.runtime.refreshHealth();
    const h = (await admin.request("health", {})).payload;
    expect(h.channelOrder).toEqual(["telegram"]);
    expect(h.channelLabels).toEqual({ telegram: "Telegram" });
    expect(h.channels.telegram).toMatchObject({ accountId: "default", configured: true, running: true, accounts: { default: { accountId: "default" } } });
    expect(h.linkChannel).toBeUndefined();
  });
});

// Sends through the account's socket: a message id is required, NOT_LINKED says how to link (or
// start), targets normalize, polls/reactions/typing, and each adapter instance has its own sockets.
import { describe, expect, test } from "bun:test";
import { tempDir } from "../../fixtures/gateway.ts";
import { waitUntil } from "../../fixtures/wait.ts";
import { createWhatsAppAdapter, normalizeTarget } from "../../../src/channels/whatsapp/index.ts";
import { ChannelInputError, ChannelNotLinkedError, type ChannelAccount } from "../../../src/channels/types.ts";
import { fakeFactory, silentLog, writeLinkedCreds } from "./fake-socket.ts";

async function connected(section: Record<string, unknown> = {}, backoffMs = 1) {
  const state = tempDir("wa-out-");
  const factory = fakeFactory();
  const adapter = createWhatsAppAdapter({ createSocket: factory.create, stateDir: state, reconnect: { initialMs: backoffMs, maxMs: backoffMs } });
  const dir = adapter.resolveAccounts(section, {}, state)[0]!.config.authDir as string;
  writeLinkedCreds(dir);
  const account = adapter.resolveAccounts(section, {}, state)[0]!;
  const abort = new AbortController();
  const statuses: Record<string, unknown> = {};
  const task = adapter.run({ account, signal: abort.signal, log: silentLog, stateDir: state, setStatus: (p) => Object.assign(statuses, p), async receive() {} });
  const sock = await waitUntil(() => factory.sockets[0], "socket");
  sock.open();
  const stop = async () => {
    abort.abort();
    await task;
  };
  return { adapter, account, sock, factory, state, statuses, stop };
}

describe("normalizeTarget", () => {
  test("E.164 → user jid; groups, channels and jids pass; whatsapp: prefix stripped", () => {
    expect(normalizeTarget("+15551234567")).toBe("15551234567@s.whatsapp.net");
    expect(normalizeTarget("+1 (555) 123-4567")).toBe("15551234567@s.whatsapp.net");
    expect(normalizeTarget("15551234567")).toBe("15551234567@s.whatsapp.net");
    expect(normalizeTarget("whatsapp:+15551234567")).toBe("15551234567@s.whatsapp.net");
    expect(normalizeTarget("WhatsApp:120363025246125486@g.us")).toBe("120363025246125486@g.us");
    expect(normalizeTarget("15551234567-1600000000@g.us")).toBe("15551234567-1600000000@g.us");
    expect(normalizeTarget("120363000000000000@newsletter")).toBe("120363000000000000@newsletter");
    expect(normalizeTarget("15551234567:3@s.whatsapp.net")).toBe("15551234567@s.whatsapp.net");
    expect(normalizeTarget("1234567890@lid")).toBe("1234567890@lid");
  });

  test("anything else is a ChannelInputError", () => {
    for (const bad of ["", "whatsapp:", "+12", "alice", "@alice", "+1555123456789012", "123@example.com", "status@broadcast", "abc@g.us"]) {
      expect(() => normalizeTarget(bad)).toThrow(ChannelInputError);
    }
  });
});

describe("sends", () => {
  test("sendText → sock.sendMessage(jid, {text}); the result carries Baileys' message id", async () => {
    const c = await connected();
    const r = await c.adapter.outbound.sendText(c.account, "+15552223333", "dinner at 8");
    expect(c.sock.sent).toEqual([{ jid: "15552223333@s.whatsapp.net", content: { text: "dinner at 8" } }]);
    expect(r).toEqual({ messageId: "MSG1", chatId: "15552223333@s.whatsapp.net" });
    expect(c.statuses.lastOutboundAt).toBeNumber();
    await c.stop();
  });

  test("no message id from Baileys → the send throws instead of counting", async () => {
    const c = await connected();
    c.sock.reply = () => undefined;
    await expect(c.adapter.outbound.sendText(c.account, "+15552223333", "x")).rejects.toThrow("no message id returned");
    c.sock.reply = () => ({ key: { id: null } });
    await expect(c.adapter.outbound.sendText(c.account, "+15552223333", "x")).rejects.toThrow("did not confirm the message");
    c.sock.reply = () => ({ key: {} });
    await expect(c.adapter.outbound.sendPoll!(c.account, "+15552223333", { question: "Q", options: ["a", "b"] })).rejects.toThrow("did not confirm the poll");
    await c.stop();
  });

  test("sendPoll, react, sendTyping", async () => {
    const c = await connected();
    const poll = await c.adapter.outbound.sendPoll!(c.account, "120363025246125486@g.us", { question: "Lunch?", options: ["pizza", " sushi "], maxSelections: 2 });
    expect(c.sock.sent[0]).toEqual({ jid: "120363025246125486@g.us", content: { poll: { name: "Lunch?", values: ["pizza", "sushi"], selectableCount: 2 } } });
    expect(poll).toMatchObject({ messageId: "MSG1", pollId: "MSG1", chatId: "120363025246125486@g.us" });
    await expect(c.adapter.outbound.sendPoll!(c.account, "+15552223333", { question: "Q", options: ["only"] })).rejects.toBeInstanceOf(ChannelInputError);

    expect(await c.adapter.outbound.react!(c.account, "+15552223333", "3EB0AA", "👍")).toEqual({ ok: true, added: "👍" });
    expect(c.sock.sent[1]).toEqual({ jid: "15552223333@s.whatsapp.net", content: { react: { text: "👍", key: { remoteJid: "15552223333@s.whatsapp.net", id: "3EB0AA", fromMe: false } } } });
    expect(await c.adapter.outbound.react!(c.account, "+15552223333", "3EB0AA", "", true)).toEqual({ ok: true, removed: true });
    expect((c.sock.sent[2]!.content.react as { text: string }).text).toBe("");

    await c.adapter.outbound.sendTyping!(c.account, "+15552223333");
    expect(c.sock.subscribed).toEqual(["15552223333@s.whatsapp.net"]);
    expect(c.sock.presence).toEqual([{ type: "composing", jid: "15552223333@s.whatsapp.net" }]);
    await c.stop();
  });
});

describe("NOT_LINKED", () => {
  test("not linked: says how to link, with the account id", async () => {
    const state = tempDir("wa-out-");
    const adapter = createWhatsAppAdapter({ createSocket: fakeFactory().create, stateDir: state });
    const [, work] = adapter.resolveAccounts({ accounts: { default: {}, work: {} } }, {}, state) as [ChannelAccount, ChannelAccount];
    const err = await adapter.outbound.sendText(work, "+15552223333", "hi").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelNotLinkedError);
    expect((err as Error).message).toBe("WhatsApp is not linked (account: work). Link it with: openclaw channels login --channel whatsapp --account work");
    await expect(adapter.outbound.sendPoll!(work, "+15552223333", { question: "Q", options: ["a", "b"] })).rejects.toBeInstanceOf(ChannelNotLinkedError);
    await expect(adapter.outbound.react!(work, "+15552223333", "ID", "👍")).rejects.toBeInstanceOf(ChannelNotLinkedError);
    await adapter.outbound.sendTyping!(work, "+15552223333"); // best effort: no throw
  });

  test("linked but not running: says to start it; while reconnecting: says so; after stop: not running again", async () => {
    const c = await connected({}, 60_000); // the backoff outlasts the test: the task stays between attempts
    const other = createWhatsAppAdapter({ createSocket: fakeFactory().create, stateDir: c.state });
    // Same account, another adapter instance: its registry has no socket (no process-wide state).
    const err = await other.outbound.sendText(c.account, "+15552223333", "hi").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelNotLinkedError);
    expect((err as Error).message).toBe(
      "WhatsApp is linked but not running (account: default). Start the gateway, or the channel with: openclaw channels start --channel whatsapp --account default",
    );
    c.sock.close(428);
    await waitUntil(() => c.statuses.connected === false, "the drop");
    await expect(c.adapter.outbound.sendText(c.account, "+15552223333", "hi")).rejects.toThrow("the gateway is reconnecting");
    await c.stop();
    await expect(c.adapter.outbound.sendText(c.account, "+15552223333", "hi")).rejects.toThrow("linked but not running");
  });

  test("probe and describeAccount report the link and the live socket; logout clears the creds", async () => {
    const c = await connected();
    expect(await c.adapter.probe!(c.account, 1000)).toMatchObject({ ok: true, linked: true, connected: true, error: null, self: { e164: "+15550001111" } });
    expect(c.adapter.describeAccount(c.account).authAgeMs).toBeNumber();
    expect(await c.adapter.logout(c.account)).toEqual({ cleared: true, loggedOut: true });
    expect(c.sock.loggedOut).toBe(true);
    await c.stop();
    expect(await c.adapter.probe!(c.account, 1000)).toMatchObject({ ok: false, linked: false, connected: false, error: "not linked" });
    expect(await c.adapter.logout(c.account)).toEqual({ cleared: false, loggedOut: false });
  });
});

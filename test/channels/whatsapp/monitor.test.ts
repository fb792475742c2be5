// An account's run task against a fake Baileys socket: connect → status; the reconnect policy
// (backoff, 401 logged out, 440 conflict, 515 restart, giving up after 12, the reset after a long
// connection); abort; inbound messages handed over in order, with the read receipt only after
// ctx.receive resolved; creds.update saved to disk.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../fixtures/gateway.ts";
import { waitUntil } from "../../fixtures/wait.ts";
import { createWhatsAppAdapter } from "../../../src/channels/whatsapp/index.ts";
import { RECONNECT, reconnectDelay } from "../../../src/channels/whatsapp/reconnect.ts";
import { TerminalChannelError, type AccountStatusPatch, type InboundMessage } from "../../../src/channels/types.ts";
import { fakeFactory, recordingLog, writeLinkedCreds } from "./fake-socket.ts";

function setup(opts: { reconnect?: Partial<typeof RECONNECT>; now?: () => number; receive?: (m: InboundMessage) => Promise<void>; config?: Record<string, unknown> } = {}) {
  const state = tempDir("wa-run-");
  const factory = fakeFactory();
  const adapter = createWhatsAppAdapter({
    createSocket: factory.create, stateDir: state, random: () => 0,
    reconnect: { initialMs: 1, maxMs: 5, ...opts.reconnect },
    ...(opts.now ? { now: opts.now } : {}),
  });
  const [account] = adapter.resolveAccounts({ ...opts.config }, {}, state);
  writeLinkedCreds(account!.config.authDir as string);
  // Resolved again now that it is linked.
  const linked = adapter.resolveAccounts({ ...opts.config }, {}, state)[0]!;
  const status: AccountStatusPatch = {};
  const received: InboundMessage[] = [];
  const abort = new AbortController();
  const log = recordingLog();
  const task = adapter.run({
    account: linked, signal: abort.signal, log, stateDir: state,
    setStatus: (p) => Object.assign(status, p),
    receive: opts.receive ?? (async (m) => void received.push(m)),
  });
  return { state, factory, adapter, account: linked, status, received, abort, log, task, authDir: linked.config.authDir as string };
}

const settle = <T,>(p: Promise<T>) => p.then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e }));

describe("connection", () => {
  test("open → connected with self identity; creds.update is saved; abort ends the socket and the task resolves", async () => {
    const t = setup();
    const sock = await waitUntil(() => t.factory.sockets[0], "a socket");
    expect(sock.opts.purpose).toBe("run");
    sock.open();
    expect(t.status).toMatchObject({ connected: true, lifecycle: "ready", linked: true, lastError: null, self: { e164: "+15550001111", jid: "15550001111@s.whatsapp.net", lid: "99887766@lid" } });
    expect(t.adapter.selfMention!(t.account)).toBe("+15550001111");
    sock.credsUpdate({ accountSyncCounter: 7 });
    await waitUntil(() => JSON.parse(readFileSync(join(t.authDir, "creds.json"), "utf8")).accountSyncCounter === 7, "creds saved");
    expect(existsSync(join(t.authDir, "creds.json.bak"))).toBe(true);
    t.abort.abort();
    expect(await t.task).toBeUndefined();
    expect(sock.ended).toBe(true);
    expect(t.factory.sockets.length).toBe(1); // no reconnect after an abort
  });

  test("an unlinked account ends at once with a terminal 'not linked' error", async () => {
    const t = setup();
    t.abort.abort();
    await t.task;
    const { rmSync } = await import("node:fs");
    rmSync(t.authDir, { recursive: true });
    const r = await settle(t.adapter.run({ account: t.account, signal: new AbortController().signal, log: t.log, stateDir: t.state, setStatus() {}, async receive() {} }));
    expect(r.ok).toBe(false);
    expect((r as { e: unknown }).e).toBeInstanceOf(TerminalChannelError);
    expect(String((r as { e: Error }).e.message)).toContain("openclaw channels login --channel whatsapp --account default");
  });
});

describe("reconnect policy", () => {
  test("delays: 2 s ×1.8 up to 30 s, jitter adds at most 25 %", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => reconnectDelay(n, RECONNECT, () => 0))).toEqual([2000, 3600, 6480, 11664, 20995, 30000, 30000, 30000]);
    expect(reconnectDelay(1, RECONNECT, () => 1)).toBe(2500);
    expect(reconnectDelay(3, RECONNECT, () => 0.5)).toBe(Math.round(6480 * 1.125));
    expect(reconnectDelay(12, RECONNECT, () => 1)).toBe(30000);
    expect(RECONNECT).toMatchObject({ maxAttempts: 12, stableMs: 60_000 });
  });

  test("a drop reconnects with a new socket and counts the attempt; reopening keeps the count until the connection proved stable", async () => {
    const t = setup();
    const s1 = await waitUntil(() => t.factory.sockets[0], "socket 1");
    s1.open();
    s1.close(428, "Connection Closed");
    const s2 = await waitUntil(() => t.factory.sockets[1], "socket 2");
    expect(t.status).toMatchObject({ connected: false, reconnectAttempts: 1, lastError: "status 428: Connection Closed" });
    expect(t.log.lines.some((l) => l.startsWith("warn connection closed (status 428: Connection Closed); reconnect attempt 1/12"))).toBe(true);
    s2.open();
    expect(t.status).toMatchObject({ connected: true, reconnectAttempts: 1 });
    t.abort.abort();
    await t.task;
  });

  test("401 logged out: terminal, creds removed, the account reads as not linked", async () => {
    const t = setup();
    const s = await waitUntil(() => t.factory.sockets[0], "socket");
    s.open();
    s.close(401, "Connection Failure");
    const r = await settle(t.task);
    expect(r.ok).toBe(false);
    const err = (r as { e: TerminalChannelError }).e;
    expect(err).toBeInstanceOf(TerminalChannelError);
    expect(err.message).toBe("WhatsApp session logged out. Run `openclaw channels login --channel whatsapp` to relink.");
    expect(err.reason).toBe("logged-out");
    expect(existsSync(join(t.authDir, "creds.json"))).toBe(false);
    expect(t.status).toMatchObject({ linked: false, connected: false, lastError: "logged out", lastDisconnect: { status: 401, loggedOut: true } });
    expect(t.adapter.resolveAccounts({}, {}, t.state)[0]!.configured).toBe(false);
    expect(t.factory.sockets.length).toBe(1);
  });

  test("440 conflict: terminal, no retry, creds kept", async () => {
    const t = setup();
    const s = await waitUntil(() => t.factory.sockets[0], "socket");
    s.open();
    s.close(440, "Stream Errored (conflict)");
    const r = await settle(t.task);
    const err = (r as { e: TerminalChannelError }).e;
    expect(err).toBeInstanceOf(TerminalChannelError);
    expect(err.reason).toBe("conflict");
    expect(err.message).toContain("440");
    expect(existsSync(join(t.authDir, "creds.json"))).toBe(true);
    expect(t.factory.sockets.length).toBe(1);
  });

  test("after 12 failed attempts in a row the task throws a plain Error (the manager's ladder applies)", async () => {
    const t = setup();
    t.factory.state.fail = 100; // every reconnect fails to even open
    const s = await waitUntil(() => t.factory.sockets[0], "socket");
    s.close(408, "Connection Lost"); // never opened
    const r = await settle(t.task);
    expect(r.ok).toBe(false);
    const err = (r as { e: Error }).e;
    expect(err).not.toBeInstanceOf(TerminalChannelError);
    expect(err.message).toBe("WhatsApp connection lost; gave up after 12 reconnect attempts (last: could not open a WhatsApp socket: ECONNREFUSED)");
    expect(t.factory.state.fail).toBe(100 - 12);
    expect(t.status.reconnectAttempts).toBe(12);
  });

  test("a connection that lived longer than 60 s resets the count; a short one does not", async () => {
    let clock = 1_000_000;
    const t = setup({ now: () => clock, reconnect: { maxAttempts: 2 } });
    let s = await waitUntil(() => t.factory.sockets[0], "socket 1");
    for (let i = 1; i <= 2; i++) {
      s.open();
      s.close(428); // short-lived: attempts 1, 2
      s = await waitUntil(() => t.factory.sockets[i], `socket ${i + 1}`);
    }
    expect(t.status.reconnectAttempts).toBe(2);
    s.open();
    clock += 60_001; // stable: the count starts again
    s.close(428);
    s = await waitUntil(() => t.factory.sockets[3], "socket 4");
    expect(t.status.reconnectAttempts).toBe(1);
    s.open();
    clock += 1_000;
    s.close(428);
    s = await waitUntil(() => t.factory.sockets[4], "socket 5");
    expect(t.status.reconnectAttempts).toBe(2);
    s.close(428); // third short failure in a row with maxAttempts 2
    const r = await settle(t.task);
    expect((r as { e: Error }).e.message).toContain("gave up after 2 reconnect attempts");
  });

  test("515 restart required reopens at once; a QR during a run means the session is gone (terminal)", async () => {
    const t = setup({ reconnect: { initialMs: 60_000, maxMs: 60_000 } }); // a backoff delay would time the test out
    const s1 = await waitUntil(() => t.factory.sockets[0], "socket 1");
    s1.close(515, "Stream Errored (restart required)");
    const s2 = await waitUntil(() => t.factory.sockets[1], "socket 2");
    s2.qr("2@abc,def,ghi");
    const r = await settle(t.task);
    expect((r as { e: TerminalChannelError }).e).toBeInstanceOf(TerminalChannelError);
    expect((r as { e: TerminalChannelError }).e.reason).toBe("not-linked");
    expect(s2.ended).toBe(true);
  });

  test("an abort during the backoff sleep ends the task without another socket", async () => {
    const t = setup({ reconnect: { initialMs: 60_000, maxMs: 60_000 } });
    const s1 = await waitUntil(() => t.factory.sockets[0], "socket 1");
    s1.close(428);
    await waitUntil(() => t.status.reconnectAttempts === 1, "the attempt to be counted");
    t.abort.abort();
    expect(await t.task).toBeUndefined();
    expect(t.factory.sockets.length).toBe(1);
  });
});

describe("inbound", () => {
  const dm = (id: string, text: string) => ({
    key: { remoteJid: "15552223333@s.whatsapp.net", fromMe: false, id },
    message: { conversation: text }, pushName: "Ann", messageTimestamp: 1_700_000_000,
  });

  test("messages go to ctx.receive one at a time, in order; the read receipt follows the resolved receive", async () => {
    const gates: Array<() => void> = [];
    const order: string[] = [];
    const t = setup({
      receive: (m) => {
        order.push(`receive ${m.eventId}`);
        return new Promise<void>((resolve) => gates.push(() => { order.push(`committed ${m.eventId}`); resolve(); }));
      },
    });
    const s = await waitUntil(() => t.factory.sockets[0], "socket");
    s.open();
    s.upsert([dm("A1", "one"), dm("A2", "two")]);
    s.upsert([dm("A3", "three")]);
    s.upsert([dm("H1", "history")], "append"); // not live traffic: ignored
    await waitUntil(() => gates.length === 1, "the first receive");
    await Bun.sleep(5); // give a wrong implementation the chance to start the second receive early
    expect(order).toEqual(["receive A1"]);
    expect(s.read).toEqual([]); // no receipt before the message is durable
    gates[0]!();
    await waitUntil(() => s.read.length === 1 && gates.length === 2, "receipt of A1 and the second receive");
    gates[1]!();
    await waitUntil(() => gates.length === 3, "the third receive");
    gates[2]!();
    await waitUntil(() => s.read.length === 3, "all receipts");
    expect(order).toEqual(["receive A1", "committed A1", "receive A2", "committed A2", "receive A3", "committed A3"]);
    expect((s.read as Array<{ id: string }>).map((k) => k.id)).toEqual(["A1", "A2", "A3"]);
    expect(t.status.lastInboundAt).toBeNumber();
    t.abort.abort();
    await t.task;
  });

  test("a receive that fails sends no read receipt and does not stop the next message", async () => {
    const t = setup({ receive: async (m) => { if (m.eventId === "B1") throw new Error("disk full"); } });
    const s = await waitUntil(() => t.factory.sockets[0], "socket");
    s.open();
    s.upsert([dm("B1", "lost?"), dm("B2", "fine")]);
    await waitUntil(() => s.read.length === 1, "one receipt");
    expect((s.read[0] as { id: string }).id).toBe("B2");
    expect(t.log.lines.some((l) => l.includes("inbound message B1") && l.includes("disk full"))).toBe(true);
    t.abort.abort();
    await t.task;
  });

  test("sendReadReceipts: false sends none", async () => {
    const t = setup({ config: { sendReadReceipts: false } });
    const s = await waitUntil(() => t.factory.sockets[0], "socket");
    s.open();
    s.upsert([dm("C1", "hi")]);
    await waitUntil(() => t.received.length === 1, "the message");
    await Bun.sleep(5);
    expect(s.read).toEqual([]);
    t.abort.abort();
    await t.task;
  });
});

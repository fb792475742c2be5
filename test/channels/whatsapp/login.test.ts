// QR login (web.login.start / web.login.wait) against a fake socket that emits `qr`, then the
// pairing's creds.update + 515 close, then `connection: "open"` on the reopened socket. Messages are
// the published plugin's (spec channels §6.3). Also: the terminal rendering of the QR.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../fixtures/gateway.ts";
import { waitUntil } from "../../fixtures/wait.ts";
import { createWhatsAppAdapter } from "../../../src/channels/whatsapp/index.ts";
import { defaultAuthDir, isLinked, readSelf } from "../../../src/channels/whatsapp/creds.ts";
import { gridFromPngDataUrl, qrToDataUrl } from "../../../src/channels/whatsapp/qr.ts";
import { fakeFactory, writeLinkedCreds } from "./fake-socket.ts";

const QR1 = "2@Q1abc,noise1,identity1,adv1";
const QR2 = "2@Q2def,noise1,identity1,adv1";
const PAIRED_ME = { id: "15557654321:9@s.whatsapp.net", lid: "4242:9@lid" };

function setup(clock?: { now: number }) {
  const state = tempDir("wa-login-");
  const factory = fakeFactory();
  const adapter = createWhatsAppAdapter({ createSocket: factory.create, stateDir: state, ...(clock ? { now: () => clock.now } : {}) });
  return { state, factory, adapter, authDir: defaultAuthDir(state, "default") };
}

/** Starts a login and shows QR1 as soon as the socket exists. */
async function startWithQr(t: ReturnType<typeof setup>, params: Record<string, unknown> = {}) {
  const started = t.adapter.login.start(params);
  const sock = await waitUntil(() => t.factory.sockets[t.factory.sockets.length - 1], "a login socket");
  sock.qr(QR1);
  return { result: await started, sock };
}

describe("web.login.start", () => {
  test("already linked (no force): says so with the number, opens no socket", async () => {
    const t = setup();
    writeLinkedCreds(t.authDir);
    expect(await t.adapter.login.start()).toEqual({ message: "WhatsApp is already linked (+15550001111). Say “relink” if you want a fresh QR." });
    expect(t.factory.sockets.length).toBe(0);
  });

  test("fresh socket → first qr → PNG data URL; a second start within 3 min returns the same QR", async () => {
    const t = setup();
    const { result, sock } = await startWithQr(t);
    expect(sock.opts.purpose).toBe("login");
    expect(result.message).toBe("Scan this QR in WhatsApp → Linked Devices.");
    expect(result.qrDataUrl).toStartWith("data:image/png;base64,");
    expect(await gridFromPngDataUrl(result.qrDataUrl!)).toEqual(await gridOf(QR1));
    expect(await t.adapter.login.start()).toEqual({ qrDataUrl: result.qrDataUrl!, message: "QR already active. Scan it in WhatsApp → Linked Devices." });
    expect(t.factory.sockets.length).toBe(1);
    expect(existsSync(t.authDir)).toBe(false); // nothing written before pairing
    t.adapter.login.cancel("default");
    expect(sock.ended).toBe(true);
  });

  test("no QR in time → the published timeout message; a factory failure → 'Failed to start WhatsApp login'", async () => {
    const t = setup();
    const t0 = Date.now();
    expect(await t.adapter.login.start({ timeoutMs: 10 })).toEqual({ message: "Failed to get QR: Error: Timed out waiting for WhatsApp QR" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4_900); // the floor is 5 s whatever the caller asks
    expect(t.factory.sockets[0]!.ended).toBe(true);
    t.factory.state.fail = 1;
    expect(await t.adapter.login.start()).toEqual({ message: "Failed to start WhatsApp login: Error: ECONNREFUSED" });
  }, 20_000);

  test("refused while the account's run task owns the auth dir", async () => {
    const t = setup();
    writeLinkedCreds(t.authDir);
    const account = t.adapter.resolveAccounts({}, {}, t.state)[0]!;
    const abort = new AbortController();
    const task = t.adapter.run({ account, signal: abort.signal, log: { debug() {}, info() {}, warn() {}, error() {} }, stateDir: t.state, setStatus() {}, async receive() {} });
    await waitUntil(() => t.factory.sockets[0], "the run socket");
    expect((await t.adapter.login.start({ force: true })).message).toContain("account default is running; stop it first");
    abort.abort();
    await task;
  });
});

describe("web.login.wait", () => {
  test("no login in progress", async () => {
    expect(await setup().adapter.login.wait()).toEqual({ connected: false, message: "No active WhatsApp login in progress." });
  });

  test("scan → creds.update(me) → 515 → reopen once → open: linked, creds on disk (0600), login socket closed", async () => {
    const t = setup();
    const { sock } = await startWithQr(t);
    const waiting = t.adapter.login.wait({ timeoutMs: 10_000 });
    sock.credsUpdate({ me: PAIRED_ME, registered: true });
    await waitUntil(() => isLinked(t.authDir), "the paired creds on disk");
    sock.close(515, "Stream Errored (restart required)");
    const reopened = await waitUntil(() => t.factory.sockets[1], "the reopened socket");
    expect(reopened.opts.auth.creds?.me).toEqual(PAIRED_ME); // same creds, not fresh ones
    reopened.open(PAIRED_ME);
    expect(await waiting).toEqual({ connected: true, message: "✅ Linked! WhatsApp is ready." });
    expect(reopened.ended).toBe(true);
    expect(readSelf(t.authDir).e164).toBe("+15557654321");
    expect((await import("node:fs")).statSync(join(t.authDir, "creds.json")).mode & 0o777).toBe(0o600);
    expect(t.adapter.login.active("default")).toBe(false);
    expect((await t.adapter.login.start()).message).toBe("WhatsApp is already linked (+15557654321). Say “relink” if you want a fresh QR.");
  });

  test("a rotated QR is returned to a caller that shows an older one", async () => {
    const t = setup();
    const { result, sock } = await startWithQr(t);
    const waiting = t.adapter.login.wait({ timeoutMs: 10_000, currentQrDataUrl: result.qrDataUrl! });
    sock.qr(QR2);
    const r = await waiting;
    expect(r).toMatchObject({ connected: false, message: "QR refreshed. Scan the new QR in WhatsApp → Linked Devices." });
    expect(await gridFromPngDataUrl(r.qrDataUrl!)).toEqual(await gridOf(QR2));
    t.adapter.login.cancel("default");
  });

  test("timeout → still waiting; older than 3 minutes → expired", async () => {
    const clock = { now: 1_000_000 };
    const t = setup(clock);
    await startWithQr(t);
    expect(await t.adapter.login.wait({ timeoutMs: 1 })).toEqual({ connected: false, message: "Still waiting for the QR scan. Let me know when you’ve scanned it." });
    clock.now += 180_001;
    expect(await t.adapter.login.wait()).toEqual({ connected: false, message: "The login QR expired. Ask me to generate a new one." });
    expect(t.factory.sockets[0]!.ended).toBe(true);
    expect(await t.adapter.login.wait()).toEqual({ connected: false, message: "No active WhatsApp login in progress." });
  });

  test("401 after the one reopen clears the creds this login wrote", async () => {
    const t = setup();
    const { sock } = await startWithQr(t);
    const waiting = t.adapter.login.wait({ timeoutMs: 10_000 });
    sock.credsUpdate({ me: PAIRED_ME });
    await waitUntil(() => isLinked(t.authDir), "creds on disk");
    sock.close(515);
    const again = await waitUntil(() => t.factory.sockets[1], "reopened");
    again.close(401, "Connection Failure");
    expect(await waiting).toEqual({ connected: false, message: "WhatsApp reported the session is logged out. Cleared cached web session; please scan a new QR." });
    expect(isLinked(t.authDir)).toBe(false);
  });

  test("another close fails the login with its reason", async () => {
    const t = setup();
    const { sock } = await startWithQr(t);
    const waiting = t.adapter.login.wait({ timeoutMs: 10_000 });
    sock.close(408, "QR refs attempts ended");
    expect(await waiting).toEqual({ connected: false, message: "WhatsApp login failed: QR refs attempts ended (status 408)" });
  });

  test("a forced relink that is never scanned leaves the existing link as it was", async () => {
    const t = setup();
    writeLinkedCreds(t.authDir);
    const before = readFileSync(join(t.authDir, "creds.json"), "utf8");
    const { result, sock } = await startWithQr(t, { force: true });
    expect(result.qrDataUrl).toStartWith("data:image/png;base64,");
    sock.credsUpdate({ accountSyncCounter: 3 }); // pre-pairing traffic: not worth writing
    t.adapter.login.cancel("default");
    expect(readFileSync(join(t.authDir, "creds.json"), "utf8")).toBe(before);
  });
});

describe("terminal QR", () => {
  test("raw text and the PNG data URL draw the same code; black on white whatever the theme", async () => {
    const t = setup();
    const fromText = await t.adapter.login.renderTerminal(QR1);
    const fromPng = await t.adapter.login.renderTerminal(await qrToDataUrl(QR1));
    expect(fromPng).toBe(fromText);
    const lines = fromText.trimEnd().split("\n");
    const size = (await gridOf(QR1)).length;
    expect(lines.length).toBe(Math.ceil((size + 4) / 2));
    for (const l of lines) expect(l).toStartWith("\x1b[47m\x1b[30m");
    expect(fromText).toContain("█");
    await expect(t.adapter.login.renderTerminal("data:image/png;base64,AAAA")).rejects.toThrow();
  });
});

async function gridOf(text: string): Promise<boolean[][]> {
  const QRCode = await import("qrcode");
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  return Array.from({ length: modules.size }, (_, y) => Array.from({ length: modules.size }, (_, x) => !!modules.get(y, x)));
}

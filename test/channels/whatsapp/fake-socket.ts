// A stand-in for a Baileys socket at the seam the adapter uses: it emits what Baileys emits
// (connection.update, creds.update, messages.upsert) when the test says so, and records what the
// adapter asks of it (sendMessage, presence, read receipts, end).
import { EventEmitter } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SocketFactory, SocketOptions, WhatsAppSocket } from "../../../src/channels/whatsapp/index.ts";
import type { ChannelLog } from "../../../src/channels/types.ts";

export class FakeSocket implements WhatsAppSocket {
  readonly ev = new EventEmitter();
  user: { id?: string; lid?: string } | undefined;
  readonly sent: Array<{ jid: string; content: Record<string, unknown> }> = [];
  readonly presence: Array<{ type: string; jid?: string }> = [];
  readonly subscribed: string[] = [];
  readonly read: unknown[] = [];
  ended = false;
  loggedOut = false;
  /** What sendMessage answers; default a fresh id per message. */
  reply: (jid: string, content: Record<string, unknown>) => { key?: { id?: string | null } } | undefined = () => ({ key: { id: `MSG${this.sent.length}` } });
  /** Baileys emits a close when end() is called; so does the fake (status 428, like Baileys' connectionClosed). */
  emitCloseOnEnd = true;

  constructor(readonly opts: SocketOptions) {}

  async sendMessage(jid: string, content: Record<string, unknown>) {
    this.sent.push({ jid, content });
    return this.reply(jid, content);
  }
  async presenceSubscribe(jid: string) {
    this.subscribed.push(jid);
  }
  async sendPresenceUpdate(type: "available" | "unavailable" | "composing" | "recording" | "paused", jid?: string) {
    this.presence.push({ type, jid });
  }
  async readMessages(keys: unknown[]) {
    this.read.push(...keys);
  }
  async logout() {
    this.loggedOut = true;
  }
  end(_error: Error | undefined): void {
    if (this.ended) return;
    this.ended = true;
    if (this.emitCloseOnEnd) this.close(428, "Connection Closed");
  }

  open(me: { id: string; lid?: string } = { id: "15550001111:7@s.whatsapp.net", lid: "99887766:7@lid" }): void {
    this.user = me;
    this.ev.emit("connection.update", { connection: "open" });
  }
  close(statusCode?: number, message = "closed"): void {
    const error = Object.assign(new Error(message), statusCode === undefined ? {} : { output: { statusCode } });
    this.ev.emit("connection.update", { connection: "close", lastDisconnect: { error, date: new Date() } });
  }
  qr(text: string): void {
    this.ev.emit("connection.update", { qr: text });
  }
  upsert(messages: unknown[], type = "notify"): void {
    this.ev.emit("messages.upsert", { messages, type });
  }
  /** Baileys mutates auth.creds, then emits creds.update. */
  credsUpdate(patch: Record<string, unknown>): void {
    const creds = this.opts.auth.ensureCreds(() => ({ noiseKey: { private: Buffer.from([1, 2, 3]) }, registered: false }));
    Object.assign(creds, patch);
    this.ev.emit("creds.update", patch);
  }
}

/** A factory that hands out FakeSockets and remembers them; `fail` makes the next creations throw. */
export function fakeFactory() {
  const sockets: FakeSocket[] = [];
  const state = { fail: 0 as number, failWith: "ECONNREFUSED" };
  const create: SocketFactory = async (opts) => {
    if (state.fail > 0) {
      state.fail--;
      throw new Error(state.failWith);
    }
    // Baileys fills in fresh creds on a fresh auth state; the fake does the same.
    opts.auth.ensureCreds(() => ({ noiseKey: { private: Buffer.from([1, 2, 3]) }, registered: false }));
    const s = new FakeSocket(opts);
    sockets.push(s);
    return s;
  };
  return { create, sockets, state, last: () => sockets[sockets.length - 1]! };
}

export const silentLog: ChannelLog = { debug() {}, info() {}, warn() {}, error() {} };

export function recordingLog(): ChannelLog & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (l) => lines.push(`debug ${l}`),
    info: (l) => lines.push(`info ${l}`),
    warn: (l) => lines.push(`warn ${l}`),
    error: (l) => lines.push(`error ${l}`),
  };
}

/** An auth dir that reads as linked to +15550001111. */
export function writeLinkedCreds(authDir: string, me = { id: "15550001111:7@s.whatsapp.net", lid: "99887766:7@lid" }): void {
  mkdirSync(authDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(authDir, "creds.json"), JSON.stringify({ me, registered: true, noiseKey: { private: { type: "Buffer", data: "AQID" } } }), { mode: 0o600 });
}

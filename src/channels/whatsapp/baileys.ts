/**
 * The seam between the adapter and Baileys. Everything else in this directory talks to a
 * `WhatsAppSocket` — the few members of Baileys' socket it uses — so tests drive the adapter with
 * a fake that emits `connection.update` / `creds.update` / `messages.upsert`.
 *
 * Baileys (+ libsignal, protobufjs, a WASM bridge: ~5 MB of minified JS, ~30 MiB of memory once
 * evaluated) is imported only here and only through `import()`, when an account starts or logs in:
 * a gateway without WhatsApp never loads it.
 * Only `import type` may name the package anywhere else.
 */
import type { ChannelLog } from "../types.ts";
import type { AuthStore } from "./auth-store.ts";
import { VERSION } from "../../version.ts";

type BaileysModule = typeof import("@whiskeysockets/baileys");

/** What the adapter uses of a Baileys socket. */
export interface WhatsAppSocket {
  ev: { on(event: string, listener: (arg: any) => void): void };
  user?: { id?: string; lid?: string; name?: string } | undefined;
  sendMessage(jid: string, content: Record<string, unknown>, options?: Record<string, unknown>): Promise<{ key?: { id?: string | null } | null } | undefined>;
  presenceSubscribe?(jid: string): Promise<void>;
  sendPresenceUpdate?(type: "available" | "unavailable" | "composing" | "recording" | "paused", jid?: string): Promise<void>;
  readMessages?(keys: unknown[]): Promise<void>;
  /** Closes the connection; Baileys then emits connection.update {connection: "close"}. */
  end(error: Error | undefined): void;
  /** Unlinks this device on WhatsApp's side (it disappears from the phone's Linked Devices). */
  logout?(): Promise<void>;
}

export interface SocketOptions {
  accountId: string;
  /** The auth state; the factory fills in fresh creds when there are none. */
  auth: AuthStore;
  log: ChannelLog;
  /** "login" sockets exist to show a QR; "run" sockets carry the account's traffic. */
  purpose: "run" | "login";
}

export type SocketFactory = (opts: SocketOptions) => Promise<WhatsAppSocket>;

export interface BaileysFactoryOptions {
  /** Where the socket connects (default Baileys' wss://web.whatsapp.com/ws/chat); a local server in tests/diagnostics. */
  waWebSocketUrl?: string;
  /** Ask GitHub which WhatsApp Web version Baileys currently uses (default true; WhatsApp refuses stale ones with 405). */
  fetchLatestVersion?: boolean;
  connectTimeoutMs?: number;
}

/** The library itself; the one dynamic import of it. */
export async function loadBaileys(): Promise<BaileysModule> {
  return await import("@whiskeysockets/baileys");
}

export async function baileysVersion(): Promise<string> {
  const pkg = (await import("@whiskeysockets/baileys/package.json", { with: { type: "json" } })) as { default?: { version?: string }; version?: string };
  return pkg.default?.version ?? pkg.version ?? "unknown";
}

/**
 * The diagnostic behind a "WhatsApp support" line (doctor / channels capabilities): loads Baileys
 * the way an account start does and reports its version, or why it could not be loaded.
 */
export async function whatsAppSupport(): Promise<{ ok: true; version: string; message: string } | { ok: false; error: string; message: string }> {
  try {
    const mod = await loadBaileys();
    if (typeof mod.makeWASocket !== "function") throw new Error("makeWASocket is missing from @whiskeysockets/baileys");
    const version = await baileysVersion();
    return { ok: true, version, message: `WhatsApp support: loaded (baileys ${version})` };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { ok: false, error, message: `WhatsApp support: unavailable (${error})` };
  }
}

/** Baileys logs a lot at info/debug; only its errors reach the account log (as warnings: they are rarely fatal). */
function baileysLogger(log: ChannelLog) {
  const text = (obj: unknown, msg?: string) => {
    if (msg) return msg;
    if (obj instanceof Error) return obj.message;
    if (typeof obj === "string") return obj;
    const err = (obj as { err?: unknown; error?: unknown } | null)?.err ?? (obj as { error?: unknown } | null)?.error;
    return err instanceof Error ? err.message : JSON.stringify(obj)?.slice(0, 300) ?? "";
  };
  const logger = {
    level: "warn",
    child: () => logger,
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (obj: unknown, msg?: string) => log.debug(`baileys: ${text(obj, msg)}`),
    error: (obj: unknown, msg?: string) => log.warn(`baileys: ${text(obj, msg)}`),
  };
  return logger;
}

async function latestVersion(b: BaileysModule): Promise<[number, number, number] | undefined> {
  // fetchLatestBaileysVersion cannot be aborted (it ignores a signal), so it races a timer; on any
  // failure the version bundled with Baileys is used.
  const timeout = new Promise<undefined>((resolve) => setTimeout(resolve, 5_000).unref?.());
  try {
    const res = await Promise.race([b.fetchLatestBaileysVersion(), timeout]);
    return res?.version as [number, number, number] | undefined;
  } catch {
    return undefined;
  }
}

/** How long a fetched WhatsApp Web version is reused: reconnects should not each wait on GitHub. */
const VERSION_TTL_MS = 6 * 3_600_000;

/** The production factory: a real Baileys socket over the account's auth store. */
export function createBaileysSocketFactory(options: BaileysFactoryOptions = {}): SocketFactory {
  let fetched: { at: number; version: [number, number, number] | undefined } | undefined;
  const version = async (b: BaileysModule) => {
    if (options.fetchLatestVersion === false) return undefined;
    if (!fetched || Date.now() - fetched.at > VERSION_TTL_MS) fetched = { at: Date.now(), version: await latestVersion(b) };
    return fetched.version;
  };
  return async ({ auth, log }) => {
    const b = await loadBaileys();
    auth.ensureCreds(() => b.initAuthCreds() as unknown as Record<string, unknown>);
    // Baileys reads app-state keys back as protobuf objects; its own store does the same conversion.
    auth.reviveKey = (type, value) =>
      type === "app-state-sync-key" ? b.proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>) : value;
    const logger = baileysLogger(log);
    const waVersion = await version(b);
    const sock = b.makeWASocket({
      auth: { creds: auth.creds as never, keys: b.makeCacheableSignalKeyStore(auth.keys as never, logger) },
      ...(waVersion ? { version: waVersion } : {}),
      ...(options.waWebSocketUrl ? { waWebSocketUrl: options.waWebSocketUrl } : {}),
      ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      browser: ["openclaw", "cli", VERSION],
      logger,
      printQRInTerminal: false,
      syncFullHistory: false,
      markOnlineOnConnect: false,
    });
    return sock as unknown as WhatsAppSocket;
  };
}

/** The HTTP-like status of a connection.update close (Baileys wraps it in a Boom error). */
export function disconnectStatus(update: { lastDisconnect?: { error?: unknown } }): number | undefined {
  const err = update.lastDisconnect?.error as { output?: { statusCode?: unknown }; statusCode?: unknown } | undefined;
  const code = err?.output?.statusCode ?? err?.statusCode;
  return typeof code === "number" ? code : undefined;
}

export function disconnectMessage(update: { lastDisconnect?: { error?: unknown } }): string {
  const err = update.lastDisconnect?.error;
  return err instanceof Error ? err.message : err === undefined ? "connection closed" : String(err);
}

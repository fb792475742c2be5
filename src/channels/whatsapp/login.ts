/**
 * QR linking (web.login.start / web.login.wait, and `openclaw channels login --channel whatsapp`),
 * with the published plugin's messages (spec channels §6.3).
 *
 * A login opens its own socket on fresh in-memory creds and writes nothing until WhatsApp pairs
 * the device: an abandoned QR, or a relink that is never scanned, leaves the directory (and a link
 * already in it) untouched. The pairing is followed by a 515 "restart required" close; the socket is
 * reopened once on the new creds and the login succeeds when that connection opens. The login
 * socket is closed before `connected: true` is answered, so the account's own task can take over.
 *
 * The account's run task must not be running during a login (the gateway stops it first): two
 * writers on one auth dir would overwrite each other's creds.
 */
import type { ChannelLog } from "../types.ts";
import { AuthStore, type Serializer } from "./auth-store.ts";
import { disconnectMessage, disconnectStatus, type SocketFactory, type WhatsAppSocket } from "./baileys.ts";
import { isLinked, logoutAuthDir, readSelf } from "./creds.ts";
import type { ConnectionRegistry } from "./outbound.ts";
import { qrToDataUrl } from "./qr.ts";
import { STATUS } from "./reconnect.ts";

/** A QR (and the login behind it) is good for 3 minutes. */
export const LOGIN_TTL_MS = 180_000;
const START_TIMEOUT_MS = 30_000;
const MIN_START_TIMEOUT_MS = 5_000;
const WAIT_TIMEOUT_MS = 120_000;
const MIN_WAIT_TIMEOUT_MS = 1_000;

export const MESSAGES = {
  scan: "Scan this QR in WhatsApp → Linked Devices.",
  active: "QR already active. Scan it in WhatsApp → Linked Devices.",
  refreshed: "QR refreshed. Scan the new QR in WhatsApp → Linked Devices.",
  linked: "✅ Linked! WhatsApp is ready.",
  none: "No active WhatsApp login in progress.",
  expired: "The login QR expired. Ask me to generate a new one.",
  waiting: "Still waiting for the QR scan. Let me know when you’ve scanned it.",
  loggedOut: "WhatsApp reported the session is logged out. Cleared cached web session; please scan a new QR.",
  qrTimeout: "Failed to get QR: Error: Timed out waiting for WhatsApp QR",
} as const;

export interface LoginStartParams {
  accountId?: string;
  force?: boolean;
  timeoutMs?: number;
  /** The account's resolved auth dir (account.config.authDir); default <stateDir>/credentials/whatsapp/<id>. */
  authDir?: string;
}

export interface LoginWaitParams {
  accountId?: string;
  timeoutMs?: number;
  /** The QR the caller shows; a different current one is returned as soon as it rotates. */
  currentQrDataUrl?: string;
}

export interface LoginStartResult {
  message: string;
  qrDataUrl?: string;
  connected?: boolean;
}

export interface LoginWaitResult {
  connected: boolean;
  message: string;
  qrDataUrl?: string;
}

export interface LoginDeps {
  createSocket: SocketFactory;
  serialize: Serializer;
  registry: ConnectionRegistry;
  authDirFor(accountId: string): string;
  log(accountId: string): ChannelLog;
  now(): number;
}

interface ActiveLogin {
  accountId: string;
  authDir: string;
  startedAt: number;
  auth: AuthStore;
  sock?: WhatsAppSocket;
  qr?: string;
  qrDataUrl?: string;
  state: "pending" | "connected" | "failed" | "cancelled";
  error?: string;
  restarted: boolean;
  listeners: Set<() => void>;
}

const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

export class WhatsAppLogin {
  private readonly logins = new Map<string, ActiveLogin>();

  constructor(private readonly deps: LoginDeps) {}

  async start(p: LoginStartParams = {}): Promise<LoginStartResult> {
    const accountId = p.accountId ?? "default";
    const authDir = p.authDir ?? this.deps.authDirFor(accountId);
    if (!p.force && isLinked(authDir)) {
      const self = readSelf(authDir);
      return { message: `WhatsApp is already linked (${self.e164 ?? self.jid ?? "unknown number"}). Say “relink” if you want a fresh QR.` };
    }
    const existing = this.logins.get(accountId);
    if (!p.force && existing?.state === "pending" && existing.qrDataUrl && this.deps.now() - existing.startedAt < LOGIN_TTL_MS) {
      return { qrDataUrl: existing.qrDataUrl, message: MESSAGES.active };
    }
    if (this.deps.registry.isRunning(accountId)) {
      return { message: `Failed to start WhatsApp login: account ${accountId} is running; stop it first (openclaw channels stop --channel whatsapp --account ${accountId}).` };
    }
    this.reset(accountId);
    const login: ActiveLogin = {
      accountId, authDir, startedAt: this.deps.now(), restarted: false, state: "pending", listeners: new Set(),
      auth: new AuthStore(authDir, { serialize: this.deps.serialize, fresh: true }),
    };
    this.logins.set(accountId, login);
    try {
      await this.open(login);
    } catch (err) {
      this.reset(accountId);
      return { message: `Failed to start WhatsApp login: ${errorText(err)}` };
    }
    await this.until(login, () => !!login.qrDataUrl || login.state !== "pending", Math.max(p.timeoutMs ?? START_TIMEOUT_MS, MIN_START_TIMEOUT_MS));
    if (login.state === "connected") return { connected: true, message: (await this.finish(login)).message };
    if (login.state === "failed") {
      this.reset(accountId);
      return { message: `Failed to get QR: ${login.error ?? "unknown error"}` };
    }
    if (!login.qrDataUrl) {
      this.reset(accountId);
      return { message: MESSAGES.qrTimeout };
    }
    return { qrDataUrl: login.qrDataUrl, message: MESSAGES.scan };
  }

  async wait(p: LoginWaitParams = {}): Promise<LoginWaitResult> {
    const accountId = p.accountId ?? "default";
    const login = this.logins.get(accountId);
    if (!login || login.state === "cancelled") return { connected: false, message: MESSAGES.none };
    const age = this.deps.now() - login.startedAt;
    if (age > LOGIN_TTL_MS) {
      this.reset(accountId);
      return { connected: false, message: MESSAGES.expired };
    }
    const timeoutMs = Math.max(p.timeoutMs ?? WAIT_TIMEOUT_MS, MIN_WAIT_TIMEOUT_MS);
    const rotated = () => !!p.currentQrDataUrl && !!login.qrDataUrl && login.qrDataUrl !== p.currentQrDataUrl;
    const timedOut = !(await this.until(login, () => login.state !== "pending" || rotated(), Math.min(timeoutMs, LOGIN_TTL_MS - age)));
    switch (login.state as ActiveLogin["state"]) {
      case "connected":
        return await this.finish(login);
      case "failed":
        this.reset(accountId);
        return { connected: false, message: login.error ?? "WhatsApp login failed" };
      case "cancelled":
        return { connected: false, message: MESSAGES.none };
    }
    if (rotated()) return { connected: false, qrDataUrl: login.qrDataUrl!, message: MESSAGES.refreshed };
    if (timedOut && this.deps.now() - login.startedAt >= LOGIN_TTL_MS) {
      this.reset(accountId);
      return { connected: false, message: MESSAGES.expired };
    }
    return { connected: false, message: MESSAGES.waiting };
  }

  /** Whether a login is in progress for the account (its socket holds the auth dir). */
  active(accountId: string): boolean {
    return this.logins.get(accountId)?.state === "pending";
  }

  /** Ends every login (gateway shutdown). */
  closeAll(): void {
    for (const id of [...this.logins.keys()]) this.reset(id);
  }

  /** Ends the account's login, if any; whoever waits on it hears "no active login". */
  reset(accountId: string): void {
    const login = this.logins.get(accountId);
    if (!login) return;
    this.logins.delete(accountId);
    if (login.state === "pending") login.state = "cancelled";
    endQuietly(login.sock);
    notify(login);
  }

  /** Linked: creds on disk, the login socket closed, so the account's task can open its own. */
  private async finish(login: ActiveLogin): Promise<LoginWaitResult> {
    await login.auth.commit();
    if (this.logins.get(login.accountId) === login) this.logins.delete(login.accountId);
    endQuietly(login.sock);
    return { connected: true, message: MESSAGES.linked };
  }

  private async open(login: ActiveLogin): Promise<void> {
    const log = this.deps.log(login.accountId);
    const sock = await this.deps.createSocket({ accountId: login.accountId, auth: login.auth, log, purpose: "login" });
    login.sock = sock;
    const current = () => login.sock === sock && this.logins.get(login.accountId) === login;

    sock.ev.on("creds.update", () => {
      if (!current()) return;
      // `me` appears when the phone accepted the QR: from then on the creds are worth keeping.
      const save = login.auth.isDeferred ? (login.auth.creds?.me ? login.auth.commit() : Promise.resolve()) : login.auth.saveCreds();
      save.catch((err: unknown) => log.error(`saving WhatsApp credentials failed: ${errorText(err)}`));
    });

    sock.ev.on("connection.update", (u: { connection?: string; qr?: string; lastDisconnect?: { error?: unknown } }) => {
      if (!current() || login.state !== "pending") return;
      if (u.qr && u.qr !== login.qr) {
        const qr = u.qr;
        login.qr = qr;
        qrToDataUrl(qr).then(
          (url) => {
            if (login.qr !== qr) return;
            login.qrDataUrl = url;
            notify(login);
          },
          (err: unknown) => this.fail(login, `Failed to render the WhatsApp QR: ${errorText(err)}`),
        );
      }
      if (u.connection === "open") {
        login.state = "connected";
        notify(login);
      } else if (u.connection === "close") {
        void this.closed(login, disconnectStatus(u), disconnectMessage(u));
      }
    });
  }

  private async closed(login: ActiveLogin, status: number | undefined, message: string): Promise<void> {
    const retryable = status === STATUS.restartRequired || status === STATUS.loggedOut;
    if (retryable && !login.restarted) {
      // Pairing ends with 515 by design (and sometimes a first 401): reopen once on the new creds.
      login.restarted = true;
      try {
        await Promise.race([login.auth.flush(), Bun.sleep(15_000)]);
        if (this.logins.get(login.accountId) === login && login.state === "pending") await this.open(login);
      } catch (err) {
        this.fail(login, `WhatsApp login failed: ${errorText(err)}`);
      }
      return;
    }
    if (status === STATUS.loggedOut) {
      // Creds this login wrote are useless now; a link that was there before (deferred store) is left alone.
      if (!login.auth.isDeferred) logoutAuthDir(login.authDir);
      this.fail(login, MESSAGES.loggedOut);
      return;
    }
    this.fail(login, `WhatsApp login failed: ${message}${status !== undefined ? ` (status ${status})` : ""}`);
  }

  private fail(login: ActiveLogin, error: string): void {
    if (login.state !== "pending") return;
    login.state = "failed";
    login.error = error;
    endQuietly(login.sock);
    notify(login);
  }

  /** Resolves true when `done()` holds, false after `ms`. */
  private until(login: ActiveLogin, done: () => boolean, ms: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve(true);
      };
      const timer = setTimeout(() => {
        cleanup();
        resolve(done());
      }, Math.max(0, ms));
      const cleanup = () => {
        clearTimeout(timer);
        login.listeners.delete(check);
      };
      login.listeners.add(check);
    });
  }
}

function notify(login: ActiveLogin): void {
  for (const l of [...login.listeners]) l();
}

function endQuietly(sock: WhatsAppSocket | undefined): void {
  try {
    sock?.end(undefined);
  } catch {
    // already closed
  }
}

/**
 * The WhatsApp channel (a linked device through Baileys). `createWhatsAppAdapter()` builds one
 * adapter with its own sockets, logins and save locks, so several gateways can share a process.
 *
 * Importing this module does not load Baileys: only baileys.ts imports it, lazily, when an account
 * starts or a login opens a socket. Tests pass `createSocket` to drive the adapter with a fake.
 */
import type { ChannelAccount, ChannelAdapter, ChannelLog, ProbeResult } from "../types.ts";
import { authDirOf, resolveAccounts } from "./accounts.ts";
import { createSerializer } from "./auth-store.ts";
import { createBaileysSocketFactory, whatsAppSupport, type SocketFactory } from "./baileys.ts";
import { authAgeMs, defaultAuthDir, isLinked, logoutAuthDir, readSelf, type SelfIdentity } from "./creds.ts";
import { WhatsAppLogin, type LoginStartParams, type LoginStartResult, type LoginWaitParams, type LoginWaitResult } from "./login.ts";
import { runAccount } from "./monitor.ts";
import { ConnectionRegistry, createOutbound } from "./outbound.ts";
import { renderQrForTerminal } from "./qr.ts";
import { RECONNECT, type ReconnectPolicy } from "./reconnect.ts";

export { normalizeTarget } from "./jid.ts";
export { whatsAppSupport } from "./baileys.ts";
export type { WhatsAppSocket, SocketFactory, SocketOptions } from "./baileys.ts";

export interface WhatsAppAdapterDeps {
  /** Default: real Baileys sockets (loaded on first use). */
  createSocket?: SocketFactory;
  /** The gateway's state dir, for logins that name no authDir (default auth dir per account). */
  stateDir?: string;
  /** Tests shorten the reconnect policy. */
  reconnect?: Partial<ReconnectPolicy>;
  random?: () => number;
  now?: () => number;
  /** Log of login sockets (run tasks log through their AccountRunContext). */
  log?: (accountId: string) => ChannelLog;
}

export interface WhatsAppAccountDetails {
  linked: boolean;
  authAgeMs: number | null;
  self: SelfIdentity;
  connected: boolean;
}

export interface WhatsAppAdapter extends ChannelAdapter {
  id: "whatsapp";
  login: {
    /** web.login.start */
    start(params?: LoginStartParams): Promise<LoginStartResult>;
    /** web.login.wait */
    wait(params?: LoginWaitParams): Promise<LoginWaitResult>;
    /** Whether a login socket is open for the account. */
    active(accountId: string): boolean;
    cancel(accountId: string): void;
    /** The QR for a terminal, from raw QR text or the data URL start/wait returned. */
    renderTerminal(qrOrDataUrl: string): Promise<string>;
  };
  /** channels.logout: unlinks on the phone when connected (best effort), then removes the creds. Stop the account first. */
  logout(account: ChannelAccount): Promise<{ cleared: boolean; loggedOut: boolean }>;
  /** Link facts for status snapshots (linked, authAgeMs, self). */
  describeAccount(account: ChannelAccount): WhatsAppAccountDetails;
  /** "WhatsApp support: loaded (baileys x.y.z)" — loads Baileys, for doctor / capabilities. */
  support(): ReturnType<typeof whatsAppSupport>;
  /** Ends login sockets (gateway shutdown). */
  close(): void;
}

const quietLog: ChannelLog = { debug() {}, info() {}, warn() {}, error() {} };

export function createWhatsAppAdapter(deps: WhatsAppAdapterDeps = {}): WhatsAppAdapter {
  const registry = new ConnectionRegistry();
  const serialize = createSerializer();
  const createSocket = deps.createSocket ?? createBaileysSocketFactory();
  const now = deps.now ?? Date.now;
  const policy = { ...RECONNECT, ...deps.reconnect };
  const login = new WhatsAppLogin({
    createSocket, serialize, registry, now,
    log: deps.log ?? (() => quietLog),
    authDirFor: (accountId) => {
      if (!deps.stateDir) throw new Error("WhatsApp login needs the account's authDir (or the adapter's stateDir)");
      return defaultAuthDir(deps.stateDir, accountId);
    },
  });

  const describe = (account: ChannelAccount): WhatsAppAccountDetails => {
    const dir = authDirOf(account);
    const conn = registry.connected(account.accountId);
    return { linked: isLinked(dir), authAgeMs: authAgeMs(dir, now()), self: conn?.self ?? readSelf(dir), connected: !!conn };
  };

  return {
    id: "whatsapp",
    label: "WhatsApp",
    detailLabel: "WhatsApp Web",
    systemImage: "message",
    textChunkLimit: 4000,

    resolveAccounts: (section, _env, stateDir) => resolveAccounts(section, stateDir),

    run: (ctx) => runAccount(ctx, { createSocket, registry, serialize, policy, random: deps.random ?? Math.random, now }),

    /** WhatsApp has no cheap request to probe with: the probe reports the link and the live socket. */
    async probe(account: ChannelAccount, _timeoutMs: number): Promise<ProbeResult> {
      const t0 = performance.now();
      const d = describe(account);
      const error = !d.linked ? "not linked" : !d.connected ? "not connected" : null;
      return { ok: d.linked && d.connected, status: null, error, elapsedMs: Math.round(performance.now() - t0), ...d };
    },

    outbound: createOutbound(registry),

    selfMention(account) {
      return describe(account).self.e164 ?? undefined;
    },

    login: {
      start: (p) => login.start(p),
      wait: (p) => login.wait(p),
      active: (id) => login.active(id),
      cancel: (id) => login.reset(id),
      renderTerminal: renderQrForTerminal,
    },

    async logout(account) {
      login.reset(account.accountId);
      const conn = registry.connected(account.accountId);
      if (conn?.sock.logout) {
        // Removes the device from the phone's Linked Devices too; the local creds go either way.
        await Promise.race([conn.sock.logout().catch(() => undefined), Bun.sleep(5_000)]);
      }
      const cleared = logoutAuthDir(authDirOf(account));
      return { cleared, loggedOut: cleared };
    },

    describeAccount: describe,
    support: whatsAppSupport,
    close: () => login.closeAll(),
  };
}

/**
 * An account's long-running task: one Baileys socket at a time, reopened after drops with the
 * policy of reconnect.ts, until the task is aborted (returns) or retrying cannot help (throws).
 *
 * - 401 (logged out from the phone): the creds are dead, so they are removed — the account then
 *   reads as "not linked" — and the task ends with a TerminalChannelError: the manager must not
 *   restart it, only a new login helps.
 * - 440 (another client took over this session): terminal too; reconnecting would just fight it.
 * - 515 (restart required, normal right after pairing): reopen at once.
 * - anything else: reconnect with backoff; after 12 attempts in a row a plain Error, so the
 *   manager's slower restart ladder takes over.
 *
 * Inbound messages are handed to the gateway one at a time, in arrival order; a read receipt goes
 * out only after ctx.receive resolved (the message is durable), never for one the gateway lost.
 */
import type { AccountRunContext } from "../types.ts";
import { TerminalChannelError } from "../types.ts";
import { authDirOf } from "./accounts.ts";
import { AuthStore, type Serializer } from "./auth-store.ts";
import { disconnectMessage, disconnectStatus, type SocketFactory, type WhatsAppSocket } from "./baileys.ts";
import { isLinked, logoutAuthDir, selfFromCreds, type SelfIdentity } from "./creds.ts";
import { toInbound, type WAMessageLike } from "./inbound.ts";
import { loginHint, type ConnectionRegistry } from "./outbound.ts";
import { reconnectDelay, sleepUnlessAborted, STATUS, type ReconnectPolicy } from "./reconnect.ts";

export interface MonitorDeps {
  createSocket: SocketFactory;
  registry: ConnectionRegistry;
  serialize: Serializer;
  policy: ReconnectPolicy;
  random: () => number;
  now: () => number;
}

interface Outcome {
  /** Close status (Baileys' DisconnectReason), when the socket reported one. */
  status?: number;
  message: string;
  /** When the connection was open (undefined: it never opened). */
  openedAt?: number;
  closedAt: number;
  /** WhatsApp asked for a QR: the creds are not (or no longer) registered. */
  wantsQr?: boolean;
}

export function loggedOutMessage(accountId: string): string {
  const cmd = accountId === "default" ? "openclaw channels login --channel whatsapp" : loginHint(accountId);
  return `WhatsApp session logged out. Run \`${cmd}\` to relink.`;
}

export async function runAccount(ctx: AccountRunContext, deps: MonitorDeps): Promise<void> {
  const { account, signal, log } = ctx;
  const id = account.accountId;
  const authDir = authDirOf(account);
  const { policy } = deps;
  deps.registry.taskStarted(id);
  try {
    let attempts = 0;
    while (!signal.aborted) {
      if (!isLinked(authDir)) {
        ctx.setStatus({ linked: false, connected: false });
        throw new TerminalChannelError(`WhatsApp is not linked (account: ${id}). Link it with: ${loginHint(id)}`, "not-linked");
      }
      ctx.setStatus({ lifecycle: "starting", linked: true });
      const outcome = await connectOnce(ctx, deps, authDir, () => attempts);
      if (signal.aborted) return;

      const status = outcome.status;
      const what = `${status !== undefined ? `status ${status}: ` : ""}${outcome.message}`;
      const lastDisconnect = { at: outcome.closedAt, status: status ?? null, error: outcome.message, loggedOut: status === STATUS.loggedOut };
      ctx.setStatus({ connected: false, lastDisconnect, lastError: what });

      if (outcome.wantsQr) {
        throw new TerminalChannelError(`WhatsApp asked for a new QR: the session of account ${id} is not linked. Link it with: ${loginHint(id)}`, "not-linked");
      }
      if (status === STATUS.loggedOut) {
        // The phone removed this linked device: the creds can never connect again.
        logoutAuthDir(authDir);
        ctx.setStatus({ linked: false, self: null, lastError: "logged out" });
        throw new TerminalChannelError(loggedOutMessage(id), "logged-out");
      }
      if (status === STATUS.connectionReplaced) {
        throw new TerminalChannelError(
          `WhatsApp session conflict (status 440): the same linked session was opened by another client. Stop the other client, then start the channel again (openclaw channels start --channel whatsapp --account ${id}).`,
          "conflict",
        );
      }
      if (outcome.openedAt !== undefined && outcome.closedAt - outcome.openedAt > policy.stableMs) attempts = 0;
      if (attempts >= policy.maxAttempts) {
        throw new Error(`WhatsApp connection lost; gave up after ${policy.maxAttempts} reconnect attempts (last: ${what})`);
      }
      attempts++;
      const delay = status === STATUS.restartRequired ? 0 : reconnectDelay(attempts, policy, deps.random);
      ctx.setStatus({ reconnectAttempts: attempts, lifecycle: "starting" });
      log.warn(`connection closed (${what}); reconnect attempt ${attempts}/${policy.maxAttempts} in ${(delay / 1000).toFixed(1)}s`);
      if (!(await sleepUnlessAborted(delay, signal))) return;
    }
  } finally {
    deps.registry.taskEnded(id);
  }
}

function selfOf(sock: WhatsAppSocket, auth: AuthStore): SelfIdentity {
  const fromSock = selfFromCreds(sock.user ? { me: sock.user } : undefined);
  return fromSock.jid || fromSock.lid ? fromSock : selfFromCreds(auth.creds);
}

/** One socket from creation to close (or abort). Never throws: failures are outcomes. */
async function connectOnce(ctx: AccountRunContext, deps: MonitorDeps, authDir: string, attempts: () => number): Promise<Outcome> {
  const { account, signal, log } = ctx;
  const id = account.accountId;
  const auth = new AuthStore(authDir, { serialize: deps.serialize });
  let sock: WhatsAppSocket;
  try {
    sock = await deps.createSocket({ accountId: id, auth, log, purpose: "run" });
  } catch (err) {
    return { message: `could not open a WhatsApp socket: ${err instanceof Error ? err.message : String(err)}`, closedAt: deps.now() };
  }
  if (signal.aborted) {
    endQuietly(sock);
    return { message: "aborted", closedAt: deps.now() };
  }

  const outcome = await new Promise<Outcome>((resolve) => {
    let openedAt: number | undefined;
    let settled = false;
    let inbound: Promise<void> = Promise.resolve();
    const finish = (o: Omit<Outcome, "openedAt" | "closedAt">) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      deps.registry.clearConnected(id, sock);
      resolve({ ...o, closedAt: deps.now(), ...(openedAt !== undefined ? { openedAt } : {}) });
    };
    // finish() before end(): end() may emit its close synchronously, which must not become the outcome.
    const onAbort = () => {
      finish({ message: "aborted" });
      endQuietly(sock);
    };
    signal.addEventListener("abort", onAbort, { once: true });

    sock.ev.on("creds.update", () => {
      auth.saveCreds().catch((err: unknown) => log.error(`saving WhatsApp credentials failed: ${err instanceof Error ? err.message : String(err)}`));
    });

    sock.ev.on("connection.update", (u: { connection?: string; qr?: string; lastDisconnect?: { error?: unknown } }) => {
      if (settled) return;
      if (u.qr) {
        finish({ message: "WhatsApp asked for a QR", wantsQr: true });
        endQuietly(sock);
        return;
      }
      if (u.connection === "open") {
        openedAt = deps.now();
        const self = selfOf(sock, auth);
        deps.registry.setConnected(id, { sock, self, setStatus: ctx.setStatus });
        ctx.setStatus({
          connected: true, lifecycle: "ready", linked: true, self, lastConnectedAt: openedAt, lastEventAt: openedAt,
          lastError: null, reconnectAttempts: attempts(),
        });
        log.info(`connected as ${self.e164 ?? self.jid ?? self.lid ?? "unknown"}`);
      } else if (u.connection === "close") {
        const status = disconnectStatus(u);
        finish({ message: disconnectMessage(u), ...(status !== undefined ? { status } : {}) });
      }
    });

    sock.ev.on("messages.upsert", (up: { messages?: WAMessageLike[]; type?: string }) => {
      if (up?.type !== "notify" || !Array.isArray(up.messages)) return;
      const batch = up.messages;
      inbound = inbound.then(() => deliver(ctx, sock, auth, batch, deps.now));
    });
  });
  // Creds written by this socket must be on disk before the next one reads them.
  await auth.flush();
  return outcome;
}

async function deliver(ctx: AccountRunContext, sock: WhatsAppSocket, auth: AuthStore, messages: WAMessageLike[], now: () => number): Promise<void> {
  const { account, log } = ctx;
  for (const raw of messages) {
    const msg = toInbound(raw, { accountId: account.accountId, self: selfOf(sock, auth), now: now() });
    if (!msg) continue;
    const at = now();
    ctx.setStatus({ lastInboundAt: at, lastEventAt: at });
    try {
      await ctx.receive(msg);
    } catch (err) {
      log.error(`inbound message ${msg.eventId} from ${msg.chatId} was not accepted: ${err instanceof Error ? err.message : String(err)}`);
      continue; // no read receipt for a message the gateway did not keep
    }
    if (account.config.sendReadReceipts === false || !raw.key) continue;
    try {
      await sock.readMessages?.([raw.key]);
    } catch {
      // receipts are cosmetic; the message itself is safe
    }
  }
}

function endQuietly(sock: WhatsAppSocket): void {
  try {
    sock.end(undefined);
  } catch {
    // already closed
  }
}

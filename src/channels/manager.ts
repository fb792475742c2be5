/**
 * Keeps every enabled channel account running: one long-running task each, restarted when it ends
 * on its own (5 s doubling to 300 s, ±10%, at most 10 times; a run of 300 s resets the count),
 * never after a terminal disconnect (a revoked token, a WhatsApp logout), and never when an
 * operator stopped it. A config change restarts exactly the accounts whose section changed.
 */
import type { AccountStatusPatch, ChannelAccount, ChannelAdapter, ChannelId, ChannelLog, InboundMessage } from "./types.ts";
import { TerminalChannelError } from "./types.ts";
import { backoffDelay, type BackoffPolicy } from "../backoff.ts";

export const CHANNEL_IDS: readonly ChannelId[] = ["telegram", "whatsapp"];
export interface RestartLadder extends BackoffPolicy {
  maxAttempts: number;
  /** A run at least this long resets the attempt count. */
  stableMs: number;
}
export const RESTART: Readonly<RestartLadder> = { initialMs: 5_000, maxMs: 300_000, factor: 2, jitter: 0.1, maxAttempts: 10, stableMs: 300_000 };
const STOP_TIMEOUT_MS = 5_000;

export interface ManagerDeps {
  loadAdapter(id: ChannelId): Promise<ChannelAdapter>;
  stateDir: string;
  env: Record<string, string | undefined>;
  log(channel: string, accountId: string): ChannelLog;
  receive(message: InboundMessage): Promise<void>;
  random?: () => number;
  /** Tests shorten the ladder. */
  restart?: Partial<RestartLadder>;
}

export interface AccountSnapshot extends AccountStatusPatch {
  accountId: string;
  enabled: boolean;
  configured: boolean;
  running: boolean;
  connected: boolean;
  lifecycle: "starting" | "ready" | "stopped" | "blocked";
  lastError: string | null;
  lastStartAt: number | null;
  lastStopAt: number | null;
  reconnectAttempts: number;
  restartPending: boolean;
  tokenSource?: string;
  terminalDisconnect?: boolean;
  healthState?: string;
  stateReason?: string;
}

interface Runtime {
  account: ChannelAccount;
  status: AccountSnapshot;
  abort?: AbortController;
  task?: Promise<void>;
  startedAt?: number;
  attempts: number;
  manualStop: boolean;
  timer?: Timer;
}

const key = (channel: string, accountId: string) => `${channel}:${accountId}`;

function freshStatus(a: ChannelAccount): AccountSnapshot {
  const s: AccountSnapshot = {
    accountId: a.accountId, enabled: a.enabled, configured: a.configured, running: false, connected: false, lifecycle: "stopped",
    lastError: null, lastStartAt: null, lastStopAt: null, reconnectAttempts: 0, restartPending: false,
  };
  if (a.tokenSource !== undefined) s.tokenSource = a.tokenSource;
  if (!a.configured && a.unconfiguredReason) s.stateReason = a.unconfiguredReason;
  return s;
}

export class ChannelManager {
  private readonly runtimes = new Map<string, Runtime>();
  private readonly adapters = new Map<ChannelId, ChannelAdapter>();
  private closed = false;

  constructor(private readonly deps: ManagerDeps) {}

  /** The adapter of a channel that has been started (or loaded for a probe/send). */
  async adapter(id: ChannelId): Promise<ChannelAdapter> {
    let a = this.adapters.get(id);
    if (!a) {
      a = await this.deps.loadAdapter(id);
      this.adapters.set(id, a);
    }
    return a;
  }

  loadedAdapter(id: ChannelId): ChannelAdapter | undefined {
    return this.adapters.get(id);
  }

  /** Configured channels in display order. */
  channels(): ChannelId[] {
    return CHANNEL_IDS.filter((id) => [...this.runtimes.values()].some((r) => r.account.channel === id));
  }

  accounts(channel: ChannelId): ChannelAccount[] {
    return [...this.runtimes.values()].filter((r) => r.account.channel === channel).map((r) => r.account);
  }

  /** The account's status, with what only its channel knows (WhatsApp's link) merged in. */
  snapshot(channel: ChannelId, accountId: string): AccountSnapshot | undefined {
    const r = this.runtimes.get(key(channel, accountId));
    if (!r) return undefined;
    const extra = this.adapters.get(channel)?.describeAccount?.(r.account);
    return extra ? { ...r.status, ...extra } : r.status;
  }

  setStatus(channel: ChannelId, accountId: string, patch: AccountStatusPatch): void {
    const r = this.runtimes.get(key(channel, accountId));
    if (r) Object.assign(r.status, patch);
  }

  /**
   * Brings the running accounts in line with `sections` (the `channels` config): new accounts
   * start, removed ones stop, changed ones restart; unchanged ones are left alone. Accounts an
   * operator stopped stay stopped.
   */
  async apply(sections: Record<string, unknown> | undefined): Promise<void> {
    const wanted = new Map<string, ChannelAccount>();
    for (const id of CHANNEL_IDS) {
      const section = sections?.[id] as Record<string, unknown> | undefined;
      if (section === undefined) continue;
      const adapter = await this.adapter(id);
      for (const a of adapter.resolveAccounts(section, this.deps.env, this.deps.stateDir)) wanted.set(key(id, a.accountId), a);
    }
    for (const [k, r] of this.runtimes) {
      if (!wanted.has(k)) {
        await this.halt(r, "removed from config");
        this.runtimes.delete(k);
      }
    }
    for (const [k, account] of wanted) {
      const existing = this.runtimes.get(k);
      if (existing && JSON.stringify(existing.account) === JSON.stringify(account)) continue;
      const manualStop = existing?.manualStop ?? false;
      if (existing) await this.halt(existing, "config changed");
      const r: Runtime = { account, status: freshStatus(account), attempts: 0, manualStop };
      this.runtimes.set(k, r);
      if (account.enabled && account.configured && !manualStop) this.launch(r);
    }
  }

  /** channels.start: the outcome says whether a task was handed off. */
  start(channel: ChannelId, accountId: string): { started: boolean; outcome: { status: "handed-off" | "skipped"; reason?: string } } {
    const r = this.runtimes.get(key(channel, accountId));
    if (!r) return { started: false, outcome: { status: "skipped", reason: "unconfigured" } };
    r.manualStop = false;
    if (r.task) return { started: false, outcome: { status: "skipped", reason: "task-owned" } };
    if (!r.account.enabled) return { started: false, outcome: { status: "skipped", reason: "disabled" } };
    if (!r.account.configured) return { started: false, outcome: { status: "skipped", reason: r.account.channel === "whatsapp" ? "unlinked" : "unconfigured" } };
    clearTimeout(r.timer);
    r.attempts = 0;
    this.launch(r);
    return { started: true, outcome: { status: "handed-off" } };
  }

  /** channels.stop: stays stopped (across reloads) until channels.start. */
  async stop(channel: ChannelId, accountId: string): Promise<boolean> {
    const r = this.runtimes.get(key(channel, accountId));
    if (!r) return false;
    r.manualStop = true;
    await this.halt(r, "stopped by operator");
    r.status.healthState = "not-running";
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.runtimes.values()].map((r) => this.halt(r, "gateway stopping")));
    for (const a of this.adapters.values()) a.close?.();
  }

  private launch(r: Runtime): void {
    const { account } = r;
    const adapter = this.adapters.get(account.channel)!;
    const log = this.deps.log(account.channel, account.accountId);
    const abort = new AbortController();
    r.abort = abort;
    r.startedAt = Date.now();
    Object.assign(r.status, { running: true, lifecycle: "starting", lastStartAt: r.startedAt, restartPending: false });
    delete r.status.terminalDisconnect;
    delete r.status.healthState;
    const task = adapter
      .run({
        account, signal: abort.signal, log, stateDir: this.deps.stateDir,
        setStatus: (patch) => {
          if (r.abort === abort) Object.assign(r.status, patch);
        },
        receive: (m) => this.deps.receive(m),
      })
      .then(
        () => this.ended(r, abort, undefined),
        (err: unknown) => this.ended(r, abort, err),
      );
    r.task = task;
  }

  private ended(r: Runtime, abort: AbortController, err: unknown): void {
    if (r.abort !== abort) return;
    const ladder = { ...RESTART, ...this.deps.restart };
    r.task = undefined;
    r.abort = undefined;
    const log = this.deps.log(r.account.channel, r.account.accountId);
    Object.assign(r.status, { running: false, connected: false, lastStopAt: Date.now() });
    if (abort.signal.aborted || this.closed) {
      r.status.lifecycle = "stopped";
      return;
    }
    const message = err instanceof Error ? err.message : err === undefined ? "channel exited" : String(err);
    r.status.lastError = message;
    if (err instanceof TerminalChannelError) {
      Object.assign(r.status, { lifecycle: "blocked", terminalDisconnect: true, healthState: "terminal-disconnect" });
      log.error(`channel exited: ${message}`);
      log.warn("auto-restart skipped, terminal disconnect");
      return;
    }
    if (Date.now() - (r.startedAt ?? 0) >= ladder.stableMs) r.attempts = 0;
    r.attempts++;
    r.status.reconnectAttempts = r.attempts;
    if (r.attempts > ladder.maxAttempts) {
      Object.assign(r.status, { lifecycle: "stopped", healthState: "not-running" });
      log.error(`giving up after ${ladder.maxAttempts} restart attempts (${message})`);
      return;
    }
    const delay = backoffDelay(r.attempts, ladder, this.deps.random);
    Object.assign(r.status, { lifecycle: "starting", restartPending: true });
    log.warn(`channel exited (${message}); auto-restart attempt ${r.attempts}/${ladder.maxAttempts} in ${(delay / 1000).toFixed(1)}s`);
    r.timer = setTimeout(() => {
      if (!r.manualStop && !this.closed && this.runtimes.get(key(r.account.channel, r.account.accountId)) === r) this.launch(r);
    }, delay);
  }

  /** Aborts the task and waits for it (at most 5 s). */
  private async halt(r: Runtime, why: string): Promise<void> {
    clearTimeout(r.timer);
    r.status.restartPending = false;
    const task = r.task;
    if (!task || !r.abort) {
      r.status.lifecycle = r.status.lifecycle === "blocked" ? "blocked" : "stopped";
      return;
    }
    this.deps.log(r.account.channel, r.account.accountId).info(`stopping (${why})`);
    r.abort.abort(new Error(why));
    await Promise.race([task, Bun.sleep(STOP_TIMEOUT_MS)]);
    Object.assign(r.status, { running: false, connected: false, lifecycle: "stopped", lastStopAt: Date.now() });
    r.task = undefined;
    r.abort = undefined;
  }
}

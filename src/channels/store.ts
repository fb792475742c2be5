/**
 * What channels keep on disk (`<state>/state/channels.sqlite`, 0600): the durable ingress (an
 * inbound message is committed before the adapter acknowledges it, and marked done once answered,
 * so a crash neither drops nor repeats one), sender pairing (codes and the approved allow list),
 * and the results of idempotent sends.
 */
import type { Database } from "bun:sqlite";
import { open } from "node:fs/promises";
import { OpenOnFirstUse, openPrivateDatabase } from "../store-file.ts";
import type { InboundMessage } from "./types.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ingress_events (
  channel TEXT NOT NULL, account_id TEXT NOT NULL, event_id TEXT NOT NULL,
  lane_key TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (channel, account_id, event_id)
) STRICT;
CREATE INDEX IF NOT EXISTS ingress_pending ON ingress_events (status, created_at);
CREATE TABLE IF NOT EXISTS pairing_requests (
  channel TEXT NOT NULL, account_id TEXT NOT NULL, request_id TEXT NOT NULL PRIMARY KEY, code TEXT NOT NULL UNIQUE,
  sender_id TEXT NOT NULL, meta TEXT NOT NULL, created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS allow_entries (
  channel TEXT NOT NULL, account_id TEXT NOT NULL, entry TEXT NOT NULL, created_at INTEGER NOT NULL,
  PRIMARY KEY (channel, account_id, entry)
) STRICT;
CREATE TABLE IF NOT EXISTS send_results (
  idempotency_key TEXT NOT NULL PRIMARY KEY, method TEXT NOT NULL, result TEXT NOT NULL, created_at INTEGER NOT NULL
) STRICT;
`;

/** Pending pairing requests per channel account, and how long one lives. */
export const PAIRING_LIMITS = { pendingPerAccount: 3, ttlMs: 3_600_000 } as const;
/** Completed ingress rows are kept this long for replay detection. */
const INGRESS_KEEP_MS = 30 * 24 * 3_600_000;
const SEND_RESULT_KEEP_MS = 24 * 3_600_000;
/** Uppercase, no 0/O/1/I, so a code read aloud or off a phone is not misread. */
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

type Row = Record<string, unknown>;

export interface PairingRequest {
  channel: string;
  accountId: string;
  requestId: string;
  code: string;
  senderId: string;
  meta: Record<string, unknown>;
  createdAt: number;
  lastSeenAt: number;
}

export interface StoredEvent {
  message: InboundMessage;
  laneKey: string;
  attempts: number;
}

function toRequest(r: Row): PairingRequest {
  return {
    channel: String(r.channel), accountId: String(r.account_id), requestId: String(r.request_id), code: String(r.code),
    senderId: String(r.sender_id), meta: JSON.parse(String(r.meta)) as Record<string, unknown>,
    createdAt: Number(r.created_at), lastSeenAt: Number(r.last_seen_at),
  };
}

export function newPairingCode(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): string {
  return [...random(8)].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join("");
}

/** Flushes a file to disk (fsync), off the main thread. */
export type SyncFile = (path: string) => Promise<void>;

async function fsyncFile(path: string): Promise<void> {
  let file;
  try {
    file = await open(path, "r+");
  } catch (err) {
    // No WAL file: nothing was written since the last checkpoint, which synced the database itself.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}

export class ChannelStore {
  /** Commits made without an fsync (ingest), counted, and how many of them are known to be on disk. */
  private written = 0;
  private synced = 0;
  private syncing?: Promise<void>;

  private constructor(
    private readonly db: Database,
    private readonly walPath: string | undefined,
    private readonly syncFile: SyncFile,
  ) {
    // What an earlier process committed without an fsync may still sit in the page cache only.
    if (walPath) this.written = 1;
  }

  static open(path: string, syncFile: SyncFile = fsyncFile): ChannelStore {
    const db = openPrivateDatabase(path);
    db.run(SCHEMA);
    return new ChannelStore(db, path === ":memory:" ? undefined : `${path}-wal`, syncFile);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Commits an inbound message; false when this event id was seen before (a replay). The commit is
   * atomic and survives a crash of the gateway, but is on disk only once `durable()` resolves: the
   * fsync then runs off the main thread while the message's turn starts, instead of before it.
   */
  ingest(message: InboundMessage, laneKey: string, now = Date.now()): boolean {
    const res = this.unsynced(() =>
      this.db
        .query(`INSERT OR IGNORE INTO ingress_events VALUES ($channel, $account, $event, $lane, $payload, 'pending', 0, $now, $now)`)
        .run({ channel: message.channel, account: message.accountId, event: message.eventId, lane: laneKey, payload: JSON.stringify(message), now }),
    );
    if (this.walPath) this.written++;
    return res.changes === 1;
  }

  /**
   * Resolves once every commit made so far is on disk (an fsync of the WAL file, which is what a
   * synchronous=FULL commit does itself). Calls that arrive while an fsync runs share the next one.
   */
  async durable(): Promise<void> {
    const target = this.written;
    while (this.synced < target) {
      if (!this.syncing) {
        const upTo = this.written;
        this.syncing = this.syncFile(this.walPath!)
          .then(() => {
            this.synced = Math.max(this.synced, upTo);
          })
          .finally(() => {
            this.syncing = undefined;
          });
      }
      await this.syncing;
    }
  }

  /** Runs one commit with synchronous=NORMAL: atomic and in order, without an fsync of its own. */
  private unsynced<T>(fn: () => T): T {
    this.db.query("PRAGMA synchronous = NORMAL").run();
    try {
      return fn();
    } finally {
      this.db.query("PRAGMA synchronous = FULL").run();
    }
  }

  /** Marks an event answered (or given up on) and drops its payload, which may hold private text. */
  finish(message: Pick<InboundMessage, "channel" | "accountId" | "eventId">, status: "completed" | "failed", now = Date.now()): void {
    this.db
      .query(`UPDATE ingress_events SET status = $status, payload = '{}', updated_at = $now WHERE channel = $channel AND account_id = $account AND event_id = $event`)
      .run({ status, now, channel: message.channel, account: message.accountId, event: message.eventId });
  }

  /**
   * Counts one more try at answering; returns the count. Committed without an fsync of its own (it
   * was one of the fsyncs between a message and its turn): in WAL mode a synchronous=NORMAL commit is
   * still atomic, in order and safe from a crash of the gateway, so a message that kills the process
   * is still given up after MAX_ATTEMPTS; the next FULL commit (the message's finish) syncs it along.
   * A power cut before that can lose the count, which costs at most one more try.
   */
  attempt(message: Pick<InboundMessage, "channel" | "accountId" | "eventId">, now = Date.now()): number {
    const row = this.unsynced(() =>
      this.db
        .query(`UPDATE ingress_events SET attempts = attempts + 1, updated_at = $now WHERE channel = $channel AND account_id = $account AND event_id = $event RETURNING attempts`)
        .get({ now, channel: message.channel, account: message.accountId, event: message.eventId }) as Row | null,
    );
    return row ? Number(row.attempts) : 0;
  }

  /** Events committed but not answered (a crash or restart came in between), oldest first. */
  pendingEvents(): StoredEvent[] {
    return (this.db.query(`SELECT * FROM ingress_events WHERE status = 'pending' ORDER BY created_at, event_id`).all() as Row[]).map((r) => ({
      message: JSON.parse(String(r.payload)) as InboundMessage, laneKey: String(r.lane_key), attempts: Number(r.attempts),
    }));
  }

  prune(now = Date.now()): void {
    this.db.query(`DELETE FROM ingress_events WHERE status != 'pending' AND updated_at < $cut`).run({ cut: now - INGRESS_KEEP_MS });
    this.db.query(`DELETE FROM send_results WHERE created_at < $cut`).run({ cut: now - SEND_RESULT_KEEP_MS });
    this.expirePairing(now);
  }

  // ---- sender pairing -------------------------------------------------------------------------

  /** A pairing request lives an hour from when it was made, however often the sender writes again. */
  private expirePairing(now: number): void {
    this.db.query(`DELETE FROM pairing_requests WHERE created_at < $cut`).run({ cut: now - PAIRING_LIMITS.ttlMs });
  }

  allowed(channel: string, accountId: string): string[] {
    return (this.db.query(`SELECT entry FROM allow_entries WHERE channel = $channel AND account_id = $account ORDER BY created_at`).all({ channel, account: accountId }) as Row[]).map((r) => String(r.entry));
  }

  /**
   * The sender's open request, refreshed, or a new one when there is room (3 per account).
   * `created` tells the caller whether to send the code (only a new request is answered).
   */
  requestPairing(channel: string, accountId: string, senderId: string, meta: Record<string, unknown>, now = Date.now()): { request?: PairingRequest; created: boolean } {
    return this.db.transaction(() => {
      this.expirePairing(now);
      const existing = this.db.query(`SELECT * FROM pairing_requests WHERE channel = $channel AND account_id = $account AND sender_id = $sender`).get({ channel, account: accountId, sender: senderId }) as Row | null;
      if (existing) {
        this.db.query(`UPDATE pairing_requests SET last_seen_at = $now WHERE request_id = $id`).run({ now, id: String(existing.request_id) });
        return { request: { ...toRequest(existing), lastSeenAt: now }, created: false };
      }
      const open = this.db.query(`SELECT COUNT(*) AS n FROM pairing_requests WHERE channel = $channel AND account_id = $account`).get({ channel, account: accountId }) as Row;
      if (Number(open.n) >= PAIRING_LIMITS.pendingPerAccount) return { created: false };
      let code = newPairingCode();
      while (this.db.query(`SELECT 1 FROM pairing_requests WHERE code = $code`).get({ code })) code = newPairingCode();
      const request: PairingRequest = { channel, accountId, requestId: crypto.randomUUID(), code, senderId, meta, createdAt: now, lastSeenAt: now };
      this.db.query(`INSERT INTO pairing_requests VALUES ($channel, $account, $id, $code, $sender, $meta, $now, $now)`)
        .run({ channel, account: accountId, id: request.requestId, code, sender: senderId, meta: JSON.stringify(meta), now });
      return { request, created: true };
    }).immediate();
  }

  pairingRequests(filter: { channel?: string; accountId?: string } = {}, now = Date.now()): PairingRequest[] {
    this.expirePairing(now);
    return (this.db.query(`SELECT * FROM pairing_requests ORDER BY created_at`).all() as Row[])
      .map(toRequest)
      .filter((r) => (!filter.channel || r.channel === filter.channel) && (!filter.accountId || r.accountId === filter.accountId));
  }

  /** Finds a request by id or by its code (case-insensitive). */
  findRequest(channel: string, idOrCode: string): PairingRequest | undefined {
    const row = this.db.query(`SELECT * FROM pairing_requests WHERE channel = $channel AND (request_id = $v OR code = $code)`)
      .get({ channel, v: idOrCode, code: idOrCode.toUpperCase() }) as Row | null;
    return row ? toRequest(row) : undefined;
  }

  /** Approves: the sender joins the account's allow list and the request is gone. */
  approve(request: PairingRequest, now = Date.now()): void {
    this.db.transaction(() => {
      this.db.query(`INSERT OR IGNORE INTO allow_entries VALUES ($channel, $account, $entry, $now)`).run({ channel: request.channel, account: request.accountId, entry: request.senderId, now });
      this.db.query(`DELETE FROM pairing_requests WHERE request_id = $id`).run({ id: request.requestId });
    }).immediate();
  }

  dismiss(request: PairingRequest): void {
    this.db.query(`DELETE FROM pairing_requests WHERE request_id = $id`).run({ id: request.requestId });
  }

  // ---- idempotent sends -----------------------------------------------------------------------

  sendResult(key: string): { method: string; result: unknown } | undefined {
    const row = this.db.query(`SELECT method, result FROM send_results WHERE idempotency_key = $key`).get({ key }) as Row | null;
    return row ? { method: String(row.method), result: JSON.parse(String(row.result)) } : undefined;
  }

  saveSendResult(key: string, method: string, result: unknown, now = Date.now()): void {
    this.db.query(`INSERT OR REPLACE INTO send_results VALUES ($key, $method, $result, $now)`).run({ key, method, result: JSON.stringify(result), now });
  }
}

/** Opened when a channel first needs it, so a gateway without channels never creates the file. */
export class ChannelStoreHandle extends OpenOnFirstUse<ChannelStore> {
  constructor(path: string, syncFile?: SyncFile) {
    super(path, (p) => ChannelStore.open(p, syncFile));
  }
}

/**
 * The durable session/transcript store: one SQLite file in WAL mode, owned by one gateway process.
 * Every write is one transaction, and with synchronous=FULL (the default) the WAL is fsynced before
 * the call returns, so whatever a caller acknowledges after a write survives SIGKILL and power loss.
 */
import { Database } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { decodeRun, decodeSession, encodeMessage, encodeOutcome, optionalInt, requireKey, requireStatus } from "./codec.ts";
import { migrate } from "./schema.ts";
import { prepare, transactions, type NewRun, type Statements, type Transactions } from "./statements.ts";
import type {
  HistoryOptions, HistoryPage, ListSessionsOptions, NewMessage, RunRecord, RunStatus, SessionInfo, SessionStoreOptions, StartRunResult,
  StoredMessage, StorePragmas,
} from "./types.ts";

const SYNC_NAMES = ["OFF", "NORMAL", "FULL", "EXTRA"] as const;

export class SessionStore {
  /** Absolute path of the database file (":memory:" stays as is). */
  readonly path: string;
  /** Runs that a previous process left `running` and this open marked `interrupted`. */
  readonly interruptedAtOpen: readonly string[];
  readonly #db: Database;
  readonly #s: Statements;
  readonly #tx: Transactions;
  #closed = false;

  private constructor(path: string, db: Database, interrupted: string[]) {
    this.path = path;
    this.#db = db;
    this.#s = prepare(db);
    this.#tx = transactions(db, this.#s);
    this.interruptedAtOpen = Object.freeze(interrupted);
  }

  static open(path: string, opts: SessionStoreOptions = {}): SessionStore {
    const sync = opts.synchronous ?? "FULL";
    if (sync !== "FULL" && sync !== "NORMAL") throw new Error(`synchronous must be "FULL" or "NORMAL", got ${JSON.stringify(sync)}`);
    const busy = optionalInt("busyTimeoutMs", opts.busyTimeoutMs, 0) ?? 5000;
    const memory = path === ":memory:";
    const file = memory ? path : resolve(requireKey("session store path", path));
    if (!memory) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // Created 0600 before SQLite sees it: the -wal and -shm files copy the database file's mode.
      if (!existsSync(file)) closeSync(openSync(file, "a", 0o600));
    }
    const db = new Database(file, { create: true, readwrite: true, strict: true });
    try {
      db.run(`PRAGMA busy_timeout = ${busy}`);
      db.run("PRAGMA journal_mode = WAL");
      db.run(`PRAGMA synchronous = ${sync}`);
      db.run("PRAGMA foreign_keys = ON");
      migrate(db, file);
      // One process owns the file, so a run still `running` now belonged to a process that died.
      const interrupted = db.transaction(() =>
        (db.query("UPDATE runs SET status = 'interrupted', finished_at = MAX(created_at, $now) WHERE status = 'running' RETURNING run_id")
          .all({ now: Date.now() }) as Array<{ run_id: string }>).map((r) => r.run_id),
      ).immediate();
      return new SessionStore(file, db, interrupted);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  #live(): Statements {
    if (this.#closed) throw new Error(`session store ${this.path} is closed`);
    return this.#s;
  }

  /** Returns the session, creating it (with a new sessionId) when missing. */
  ensureSession(key: string, agentId: string): SessionInfo {
    this.#live();
    requireKey("session key", key);
    requireKey("agentId", agentId);
    return decodeSession(this.#tx.ensure.immediate(key, agentId, Date.now()));
  }

  getSession(key: string): SessionInfo | null {
    const row = this.#live().getSession.get({ key: requireKey("session key", key) });
    return row ? decodeSession(row) : null;
  }

  /** Appends in one transaction (session row created/updated too); durable when it returns. */
  append(key: string, agentId: string, msgs: NewMessage[]): StoredMessage[] {
    this.#live();
    requireKey("session key", key);
    requireKey("agentId", agentId);
    if (!Array.isArray(msgs)) throw new Error("messages must be an array");
    const encoded = msgs.map(encodeMessage); // everything is checked before anything is written
    if (encoded.length === 0) return [];
    return this.#tx.append.immediate(key, agentId, encoded, Date.now());
  }

  /** Oldest → newest. `limit` = the last N; `beforeSeq` pages backwards. */
  history(key: string, opts: HistoryOptions = {}): HistoryPage {
    this.#live();
    requireKey("session key", key);
    const limit = optionalInt("limit", opts.limit, 0);
    const before = optionalInt("beforeSeq", opts.beforeSeq, Number.MIN_SAFE_INTEGER) ?? Number.MAX_SAFE_INTEGER;
    return this.#tx.history.deferred(key, limit, before); // one snapshot for the count and the rows
  }

  /** Most recently updated first; `total` counts every match, ignoring limit and offset. */
  listSessions(opts: ListSessionsOptions = {}): { sessions: SessionInfo[]; total: number } {
    this.#live();
    const agentId = opts.agentId === undefined ? undefined : requireKey("agentId", opts.agentId);
    const limit = optionalInt("limit", opts.limit, 0) ?? -1;
    const offset = optionalInt("offset", opts.offset, 0) ?? 0;
    return this.#tx.list.deferred(agentId, limit, offset);
  }

  /** Deletes the session and its messages. Runs stay: they are the idempotency record. */
  deleteSession(key: string): boolean {
    return this.#live().deleteSession.run({ key: requireKey("session key", key) }).changes > 0;
  }

  /** Atomic: a known idempotencyKey (or a known runId) returns the existing run instead of a new one. */
  startRun(r: NewRun): StartRunResult {
    this.#live();
    requireKey("runId", r.runId);
    if (r.idempotencyKey !== undefined) requireKey("idempotencyKey", r.idempotencyKey);
    requireKey("sessionKey", r.sessionKey);
    requireKey("agentId", r.agentId);
    return this.#tx.startRun.immediate(r, Date.now());
  }

  /**
   * Moves a running run to its final status. The first finish wins: returns false (and changes
   * nothing) when the run is unknown or already finished, e.g. marked interrupted at open.
   */
  finishRun(runId: string, status: RunStatus, result?: unknown, error?: unknown): boolean {
    const s = this.#live();
    requireKey("runId", runId);
    if (requireStatus(status) === "running") throw new Error("finishRun needs a final status, not running");
    return s.finishRun.run({ runId, status, result: encodeOutcome(result), error: encodeOutcome(error), now: Date.now() }).changes > 0;
  }

  /**
   * Runs several writes as one transaction (nested writes become savepoints): one commit, so one
   * fsync, and nothing of it is visible after a crash unless all of it is.
   */
  batch<T>(fn: () => T): T {
    this.#live();
    return this.#db.transaction(fn).immediate();
  }

  getRun(runId: string): RunRecord | null {
    const row = this.#live().getRun.get({ runId: requireKey("runId", runId) });
    return row ? decodeRun(row) : null;
  }

  getRunByIdempotencyKey(key: string): RunRecord | null {
    const row = this.#live().getRunByKey.get({ key: requireKey("idempotencyKey", key) });
    return row ? decodeRun(row) : null;
  }

  /** The connection's settings as SQLite reports them. */
  pragmas(): StorePragmas {
    this.#live();
    const one = (name: string) => Object.values(this.#db.query(`PRAGMA ${name}`).get() as Record<string, unknown>)[0];
    return {
      journalMode: String(one("journal_mode")),
      synchronous: SYNC_NAMES[Number(one("synchronous"))] ?? "OFF",
      foreignKeys: Number(one("foreign_keys")) === 1,
      busyTimeoutMs: Number(one("busy_timeout")),
      userVersion: Number(one("user_version")),
    };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Idempotent. SQLite checkpoints the WAL into the database file when the last connection closes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}

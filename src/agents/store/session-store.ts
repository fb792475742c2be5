/**
 * The durable session/transcript store: one SQLite file in WAL mode, owned by one gateway process.
 * Every write is one transaction, and with synchronous=FULL (the default) the WAL is fsynced before
 * the call returns, so whatever a caller acknowledges after a write survives SIGKILL and power loss.
 */
import { Database } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { decodeRun, decodeSession, encodeMessage, encodeOutcome, optionalInt, requireKey, requireStatus } from "./codec.ts";
import { storageError, toStorageError, type StorageError } from "./errors.ts";
import { migrate } from "./schema.ts";
import { prepare, transactions, type NewRun, type Statements, type Transactions } from "./statements.ts";
import { USAGE_SQL, type UsageRow } from "./usage.ts";
import type {
  HistoryOptions, HistoryPage, ListSessionsOptions, NewMessage, RunRecord, RunStatus, SessionInfo, SessionStoreOptions, StartRunResult,
  StoredMessage, StoreEvent, StorePragmas,
} from "./types.ts";

const SYNC_NAMES = ["OFF", "NORMAL", "FULL", "EXTRA"] as const;

interface Conn {
  db: Database;
  s: Statements;
  tx: Transactions;
}

interface ConnSettings {
  sync: "FULL" | "NORMAL";
  busy: number;
}

/** The file's identity: a store whose path now names another inode (or none) is no longer writing where it thinks. */
type FileId = { dev: bigint; ino: bigint };

function fileId(path: string): FileId {
  const st = statSync(path, { bigint: true });
  return { dev: st.dev, ino: st.ino };
}

function errCode(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code;
}

/** Opens a connection with the store's settings and brings the schema up to date. */
function connect(file: string, c: ConnSettings): Conn {
  const db = new Database(file, { create: true, readwrite: true, strict: true });
  try {
    db.run(`PRAGMA busy_timeout = ${c.busy}`);
    db.run("PRAGMA journal_mode = WAL");
    db.run(`PRAGMA synchronous = ${c.sync}`);
    db.run("PRAGMA foreign_keys = ON");
    migrate(db, file);
    const s = prepare(db);
    return { db, s, tx: transactions(db, s) };
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * Storage faults: every operation turns SQLite and file-system failures into a StorageError that
 * names the file (a caller's bad input stays a plain Error). Before each operation the store checks
 * that its path still names the file it has open: if the file (or the whole state dir) was removed,
 * it is written back from the still-open database before anything else happens, so no acknowledged
 * write ends up only in a deleted file; if that is impossible the operation fails instead.
 */
export class SessionStore {
  /** Absolute path of the database file (":memory:" stays as is). */
  readonly path: string;
  /** Runs that a previous process left `running` and this open marked `interrupted`. */
  readonly interruptedAtOpen: readonly string[];
  /** Told when operations start failing, work again, or a removed file was restored (the runtime logs these). */
  onEvent?: (event: StoreEvent) => void;
  #conn: Conn | null;
  readonly #settings: ConnSettings;
  #id: FileId | null;
  #fault: StorageError | null = null;
  #faultOnWrite = false;
  #depth = 0;
  #closed = false;

  private constructor(path: string, conn: Conn, settings: ConnSettings, id: FileId | null, interrupted: string[]) {
    this.path = path;
    this.#conn = conn;
    this.#settings = settings;
    this.#id = id;
    this.interruptedAtOpen = Object.freeze(interrupted);
  }

  /** Throws StorageError (naming the file and the problem) when the file cannot be used. */
  static open(path: string, opts: SessionStoreOptions = {}): SessionStore {
    const sync = opts.synchronous ?? "FULL";
    if (sync !== "FULL" && sync !== "NORMAL") throw new Error(`synchronous must be "FULL" or "NORMAL", got ${JSON.stringify(sync)}`);
    const busy = optionalInt("busyTimeoutMs", opts.busyTimeoutMs, 0) ?? 5000;
    const memory = path === ":memory:";
    const file = memory ? path : resolve(requireKey("session store path", path));
    try {
      if (!memory) {
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        // Created 0600 before SQLite sees it: the -wal and -shm files copy the database file's mode.
        if (!existsSync(file)) closeSync(openSync(file, "a", 0o600));
      }
      const conn = connect(file, { sync, busy });
      try {
        const { db } = conn;
        // One process owns the file, so a run still `running` now belonged to a process that died.
        const interrupted = db.transaction(() =>
          (db.query("UPDATE runs SET status = 'interrupted', finished_at = MAX(created_at, $now) WHERE status = 'running' RETURNING run_id")
            .all({ now: Date.now() }) as Array<{ run_id: string }>).map((r) => r.run_id),
        ).immediate();
        return new SessionStore(file, conn, { sync, busy }, memory ? null : fileId(file), interrupted);
      } catch (e) {
        conn.db.close();
        throw e;
      }
    } catch (err) {
      const e = toStorageError(err, file, "open");
      throw e ?? storageError(file, "unavailable", err instanceof Error ? err.message : String(err), "open", err);
    }
  }

  /** The current fault: set by a failed operation, cleared by the next one that works. */
  get fault(): StorageError | null {
    return this.#fault;
  }

  /**
   * Runs one operation. Only the outermost call (not the reads and writes nested in a batch)
   * checks the file and tracks the fault state.
   */
  #use<T>(write: boolean, fn: (c: Conn) => T): T {
    if (this.#closed) throw new Error(`session store ${this.path} is closed`);
    const outer = this.#depth === 0;
    try {
      const conn = outer ? this.#ready() : this.#conn!;
      this.#depth++;
      let out: T;
      try {
        out = fn(conn);
      } finally {
        this.#depth--;
      }
      // A read that works while writes fail (a full disk) does not mean the store is back.
      if (outer && this.#fault && (write || !this.#faultOnWrite)) this.#setFault(null, write);
      return out;
    } catch (err) {
      const e = toStorageError(err, this.path);
      if (!e) throw err;
      if (outer) this.#setFault(e, write);
      throw e;
    }
  }

  /** The connection, after checking that the path still names the open file (restoring it if it was removed). */
  #ready(): Conn {
    if (!this.#conn) this.#reconnect();
    const id = this.#id;
    if (!id) return this.#conn!;
    let now: FileId | undefined;
    try {
      now = fileId(this.path);
    } catch (err) {
      const code = errCode(err);
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
    }
    if (!now) this.#restore();
    else if (now.dev !== id.dev || now.ino !== id.ino) throw storageError(this.path, "replaced", undefined);
    return this.#conn!;
  }

  /** Writes the open database back to its path (VACUUM INTO a temp file, then rename) and reopens it there. */
  #restore(): void {
    const tmp = `${this.path}.restore-${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      rmSync(tmp, { force: true });
      closeSync(openSync(tmp, "w", 0o600)); // VACUUM INTO keeps the mode of an empty file it is given
      this.#conn!.db.prepare("VACUUM INTO ?").run(tmp);
      renameSync(tmp, this.path);
    } catch (err) {
      try {
        rmSync(tmp, { force: true });
      } catch {
        // Nothing more can be done about a temp file on a broken disk.
      }
      const why = toStorageError(err, this.path)?.reason ?? (err instanceof Error ? err.message : String(err));
      throw storageError(this.path, "removed", `restoring it from the open database failed: ${why}`, "use", err);
    }
    // The old connection closes before a new one opens: its -wal/-shm clean-up goes by name.
    this.#conn!.db.close();
    this.#conn = null;
    this.#reconnect();
    this.#emit({ type: "restored", path: this.path });
  }

  #reconnect(): void {
    this.#conn = connect(this.path, this.#settings);
    this.#id = fileId(this.path);
  }

  #setFault(e: StorageError | null, write: boolean): void {
    const prev = this.#fault;
    if (e) {
      this.#fault = e;
      this.#faultOnWrite = write;
      if (prev?.problem !== e.problem) this.#emit({ type: "fault", error: e });
    } else if (prev) {
      this.#fault = null;
      this.#emit({ type: "recovered", after: prev });
    }
  }

  #emit(event: StoreEvent): void {
    try {
      this.onEvent?.(event);
    } catch {
      // A listener (the log) must never turn a storage event into a failed request.
    }
  }

  /** Returns the session, creating it (with a new sessionId) when missing. */
  ensureSession(key: string, agentId: string): SessionInfo {
    requireKey("session key", key);
    requireKey("agentId", agentId);
    return this.#use(true, (c) => decodeSession(c.tx.ensure.immediate(key, agentId, Date.now())));
  }

  getSession(key: string): SessionInfo | null {
    requireKey("session key", key);
    const row = this.#use(false, (c) => c.s.getSession.get({ key }));
    return row ? decodeSession(row) : null;
  }

  /** Appends in one transaction (session row created/updated too); durable when it returns. */
  append(key: string, agentId: string, msgs: NewMessage[]): StoredMessage[] {
    requireKey("session key", key);
    requireKey("agentId", agentId);
    if (!Array.isArray(msgs)) throw new Error("messages must be an array");
    const encoded = msgs.map(encodeMessage); // everything is checked before anything is written
    if (encoded.length === 0) return this.#use(false, () => []);
    return this.#use(true, (c) => c.tx.append.immediate(key, agentId, encoded, Date.now()));
  }

  /** Oldest → newest. `limit` = the last N; `beforeSeq` pages backwards. */
  history(key: string, opts: HistoryOptions = {}): HistoryPage {
    requireKey("session key", key);
    const limit = optionalInt("limit", opts.limit, 0);
    const before = optionalInt("beforeSeq", opts.beforeSeq, Number.MIN_SAFE_INTEGER) ?? Number.MAX_SAFE_INTEGER;
    return this.#use(false, (c) => c.tx.history.deferred(key, limit, before)); // one snapshot for the count and the rows
  }

  /** Most recently updated first; `total` counts every match, ignoring limit and offset. */
  listSessions(opts: ListSessionsOptions = {}): { sessions: SessionInfo[]; total: number } {
    const agentId = opts.agentId === undefined ? undefined : requireKey("agentId", opts.agentId);
    const limit = optionalInt("limit", opts.limit, 0) ?? -1;
    const offset = optionalInt("offset", opts.offset, 0) ?? 0;
    return this.#use(false, (c) => c.tx.list.deferred(agentId, limit, offset));
  }

  /** Deletes the session and its messages. Runs stay: they are the idempotency record. */
  deleteSession(key: string): boolean {
    requireKey("session key", key);
    return this.#use(true, (c) => c.s.deleteSession.run({ key }).changes > 0);
  }

  /** Atomic: a known idempotencyKey (or a known runId) returns the existing run instead of a new one. */
  startRun(r: NewRun): StartRunResult {
    requireKey("runId", r.runId);
    if (r.idempotencyKey !== undefined) requireKey("idempotencyKey", r.idempotencyKey);
    requireKey("sessionKey", r.sessionKey);
    requireKey("agentId", r.agentId);
    return this.#use(true, (c) => c.tx.startRun.immediate(r, Date.now()));
  }

  /**
   * Moves a running run to its final status. The first finish wins: returns false (and changes
   * nothing) when the run is unknown or already finished, e.g. marked interrupted at open.
   */
  finishRun(runId: string, status: RunStatus, result?: unknown, error?: unknown): boolean {
    requireKey("runId", runId);
    if (requireStatus(status) === "running") throw new Error("finishRun needs a final status, not running");
    const params = { runId, status, result: encodeOutcome(result), error: encodeOutcome(error), now: Date.now() };
    return this.#use(true, (c) => c.s.finishRun.run(params).changes > 0);
  }

  /**
   * Runs several writes as one transaction (nested writes become savepoints): one commit, so one
   * fsync, and nothing of it is visible after a crash unless all of it is.
   */
  batch<T>(fn: () => T): T {
    return this.#use(true, (c) => c.db.transaction(fn).immediate());
  }

  /**
   * A batch whose commit is not fsynced (synchronous=NORMAL for that one commit): atomic, in order
   * and safe across a process crash, but a power cut may lose it. The next FULL commit fsyncs the
   * WAL and makes it durable too. For intermediate steps whose loss on power failure is repaired
   * anyway (a turn's tool rounds: the run is marked interrupted and the transcript repaired). Inside
   * another batch it is simply part of that batch (SQLite cannot change the level in a transaction).
   */
  relaxed<T>(fn: () => T): T {
    if (this.#settings.sync !== "FULL" || this.#depth > 0) return this.batch(fn);
    return this.#use(true, (c) => {
      c.db.run("PRAGMA synchronous = NORMAL");
      try {
        return c.db.transaction(fn).immediate();
      } finally {
        c.db.run("PRAGMA synchronous = FULL");
      }
    });
  }

  getRun(runId: string): RunRecord | null {
    requireKey("runId", runId);
    const row = this.#use(false, (c) => c.s.getRun.get({ runId }));
    return row ? decodeRun(row) : null;
  }

  getRunByIdempotencyKey(key: string): RunRecord | null {
    requireKey("idempotencyKey", key);
    const row = this.#use(false, (c) => c.s.getRunByKey.get({ key }));
    return row ? decodeRun(row) : null;
  }

  /** Token usage per agent/provider/model of assistant messages since `since`, with a second cut at `recent`. */
  usageSince(since: number, recent: number): UsageRow[] {
    return this.#use(false, (c) => c.db.query(USAGE_SQL).all({ since, recent }) as UsageRow[]);
  }

  /** The connection's settings as SQLite reports them. */
  pragmas(): StorePragmas {
    return this.#use(false, ({ db }) => {
      const one = (name: string) => Object.values(db.query(`PRAGMA ${name}`).get() as Record<string, unknown>)[0];
      return {
        journalMode: String(one("journal_mode")),
        synchronous: SYNC_NAMES[Number(one("synchronous"))] ?? "OFF",
        foreignKeys: Number(one("foreign_keys")) === 1,
        busyTimeoutMs: Number(one("busy_timeout")),
        userVersion: Number(one("user_version")),
      };
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Idempotent. SQLite checkpoints the WAL into the database file when the last connection closes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#conn?.db.close();
    this.#conn = null;
  }
}

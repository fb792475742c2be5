/**
 * One gateway per state dir: the state-dir ownership lock.
 *
 * The lock is an SQLite database, `<stateDir>/gateway.lock`, on which the owning process keeps a
 * `BEGIN EXCLUSIVE` transaction open for as long as it runs. That is an OS file lock (fcntl on
 * POSIX, LockFileEx on Windows), so:
 *   - the kernel drops it when the process dies, however it dies: a SIGKILLed or crashed gateway
 *     never leaves a stale lock, and there is no pid-reuse guesswork;
 *   - taking it is atomic: two gateways starting at the same instant cannot both win;
 *   - SQLite's own in-process lock bookkeeping keeps it correct when the same process opens the
 *     file again (a plain fcntl lock would silently vanish on the first unrelated close()).
 * Nothing but SQLite may open the lock file in the owning process for that last reason.
 *
 * An exclusively locked database cannot be read, so who holds the lock is told by a sidecar,
 * `<stateDir>/gateway.lock.json` ({pid, startedAt, port, …}, 0600), written right after the lock is
 * taken. The sidecar is information only: a leftover one from a killed gateway is overwritten by
 * the next owner, and a pid in it that is no longer alive is never reported.
 *
 * Taking the lock again in a process that already holds it returns the same handle, so an
 * in-process restart (the same process booting again) re-acquires without waiting for itself.
 */
import { Database } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { VERSION } from "../version.ts";

export const LOCK_FILE_NAME = "gateway.lock";
export const LOCK_INFO_FILE_NAME = "gateway.lock.json";
/** Exit code of a refused start (EX_CONFIG, like every other start-up refusal). */
export const LOCK_EXIT_CODE = 78;

/** What the sidecar records about the owner. */
export interface LockOwner {
  pid: number;
  startedAt: string;
  stateDir: string;
  version?: string;
  /** Filled in once the gateway has bound its port. */
  port?: number;
}

export interface GatewayLock {
  readonly stateDir: string;
  /** The SQLite lock file. */
  readonly path: string;
  /** The sidecar naming the owner. */
  readonly infoPath: string;
  readonly owner: LockOwner;
  /** False once released. */
  readonly held: boolean;
  /** Records more about the owner (the bound port) in the sidecar. */
  update(info: { port?: number }): void;
  /** Drops the lock (and the sidecar); idempotent. */
  release(): void;
}

/** Another process owns the state dir. */
export class GatewayLockError extends Error {
  override name = "GatewayLockError";
  readonly exitCode = LOCK_EXIT_CODE;
  constructor(
    readonly stateDir: string,
    readonly lockPath: string,
    readonly holder: LockOwner | undefined,
  ) {
    super(
      `gateway already running (pid ${holder?.pid ?? "unknown"}) for state dir ${stateDir}; lock ${lockPath}. ` +
        "Stop it (openclaw gateway stop) or use another --profile.",
    );
  }
}

/** The lock file exists but cannot be opened or locked for another reason (permissions, I/O). */
export class GatewayLockIOError extends Error {
  override name = "GatewayLockIOError";
  readonly exitCode = 1;
}

/** `OPENCLAW_ALLOW_MULTI_GATEWAY=1` (or true/yes/on) turns the lock off. */
export function multiGatewayAllowed(env: Record<string, string | undefined>): boolean {
  const v = env.OPENCLAW_ALLOW_MULTI_GATEWAY?.trim().toLowerCase();
  return v === "1" || v === "true" || v === "yes" || v === "on";
}

/** Locks held by this process, by the real path of their state dir. */
const held = new Map<string, LockHandle>();

function canonical(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The owner named by the sidecar, if the sidecar is readable and its pid is alive. */
export function readLockOwner(stateDir: string): LockOwner | undefined {
  try {
    const info = JSON.parse(readFileSync(join(stateDir, LOCK_INFO_FILE_NAME), "utf8")) as LockOwner;
    return typeof info?.pid === "number" && isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}

function writeInfo(path: string, owner: LockOwner): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // The sidecar only improves the message another gateway prints; the lock itself is what counts.
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean up
    }
  }
}

class LockHandle implements GatewayLock {
  held = true;
  readonly path: string;
  readonly infoPath: string;

  constructor(
    readonly stateDir: string,
    private readonly key: string,
    private db: Database,
    readonly owner: LockOwner,
  ) {
    this.path = join(stateDir, LOCK_FILE_NAME);
    this.infoPath = join(stateDir, LOCK_INFO_FILE_NAME);
  }

  update(info: { port?: number }): void {
    if (!this.held) return;
    if (info.port !== undefined) this.owner.port = info.port;
    writeInfo(this.infoPath, this.owner);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    if (held.get(this.key) === this) held.delete(this.key);
    // The sidecar goes first: once the lock is free a new owner may already be writing its own.
    try {
      const info = JSON.parse(readFileSync(this.infoPath, "utf8")) as LockOwner;
      if (info.pid === process.pid) unlinkSync(this.infoPath);
    } catch {
      // Missing or unreadable: nothing of ours to remove.
    }
    try {
      this.db.exec("ROLLBACK");
    } catch {
      // Closing releases the lock anyway.
    }
    this.db.close();
  }
}

export interface AcquireOptions {
  /** How long to wait for another owner to let go (e.g. one being killed by --force); default 0. */
  waitMs?: number;
  now?: () => Date;
}

/**
 * Takes the state-dir lock, creating the state dir (0700) and the lock file (0600) when missing.
 * Throws GatewayLockError when another live process holds it, GatewayLockIOError when the lock
 * file cannot be used at all.
 */
export function acquireGatewayLock(stateDir: string, opts: AcquireOptions = {}): GatewayLock {
  const dir = resolve(stateDir);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new GatewayLockIOError(`cannot create state dir ${dir}: ${(err as Error).message}`);
  }
  const key = canonical(dir);
  const mine = held.get(key);
  if (mine?.held) return mine;

  const path = join(dir, LOCK_FILE_NAME);
  let db: Database;
  try {
    if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
    db = new Database(path, { create: true });
  } catch (err) {
    throw new GatewayLockIOError(`cannot open gateway lock ${path}: ${(err as Error).message}`);
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(opts.waitMs ?? 0))}`);
    // No journal file beside the lock: this transaction never writes.
    db.exec("PRAGMA journal_mode = MEMORY");
    db.exec("BEGIN EXCLUSIVE");
  } catch (err) {
    db.close();
    if (isBusy(err)) throw new GatewayLockError(dir, path, readLockOwner(dir));
    throw new GatewayLockIOError(`cannot lock ${path}: ${(err as Error).message}`);
  }
  const owner: LockOwner = { pid: process.pid, startedAt: (opts.now?.() ?? new Date()).toISOString(), stateDir: dir, version: VERSION };
  const handle = new LockHandle(dir, key, db, owner);
  held.set(key, handle);
  writeInfo(handle.infoPath, owner);
  return handle;
}

/**
 * Who holds the lock right now, without keeping it: `self` when this process does, the owner
 * (pid may be unknown) when another process does, undefined when nobody does. Never creates
 * the state dir or the lock file.
 */
export function probeGatewayLock(stateDir: string): { self: boolean; owner?: LockOwner } | undefined {
  const dir = resolve(stateDir);
  if (held.get(canonical(dir))?.held) return { self: true, owner: held.get(canonical(dir))!.owner };
  if (!existsSync(join(dir, LOCK_FILE_NAME))) return undefined;
  try {
    acquireGatewayLock(dir).release();
    return undefined;
  } catch (err) {
    if (err instanceof GatewayLockError) return { self: false, owner: err.holder };
    throw err;
  }
}

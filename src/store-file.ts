/** What the gateway's small SQLite stores (device pairing, channels) have in common. */
import { Database } from "bun:sqlite";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";

/**
 * A database only its owner can read (0600 file in a 0700 directory; created 0600 before SQLite
 * sees it, as the -wal and -shm files copy its mode), in WAL mode with every commit fsync'd.
 * `:memory:` for tests.
 */
export function openPrivateDatabase(path: string): Database {
  if (path !== ":memory:") {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
  }
  const db = new Database(path, { create: true, strict: true });
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = FULL");
  return db;
}

/**
 * A store opened the first time something needs it: a gateway that never pairs a device or never
 * runs a channel never creates (or pays for) that database.
 */
export class OpenOnFirstUse<T extends { close(): void }> {
  private store?: T;
  constructor(
    readonly path: string,
    private readonly open: (path: string) => T,
  ) {}

  get(): T {
    return (this.store ??= this.open(this.path));
  }

  close(): void {
    this.store?.close();
    this.store = undefined;
  }
}

/**
 * The auth state a Baileys socket reads and writes (`{creds, keys}`), kept in the multi-file
 * layout of creds.ts. Baileys ships `useMultiFileAuthState`, but it writes files with the
 * process umask (0644 usually), keeps no backup of creds.json and locks through a module-global
 * map, so this store does the same job under our rules: 0600 files written atomically, a backup
 * before every creds save, and saves serialized per auth dir through a lock the adapter instance
 * owns (two gateways in one process must not share one).
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { backupCreds, baileysFiles, CREDS_FILE, credsReplacer, credsReviver, ensureAuthDir, keyFileName, readCreds, writeFileAtomic } from "./creds.ts";

/** Runs `fn` after every earlier call with the same key has settled. */
export type Serializer = <T>(key: string, fn: () => Promise<T> | T) => Promise<T>;

export function createSerializer(): Serializer {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, fn: () => Promise<T> | T): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn) as Promise<T>;
    const tail = run.then(() => undefined, () => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}

export type Creds = Record<string, unknown>;
type KeyData = Record<string, Record<string, unknown>>;

export interface AuthStoreOptions {
  serialize: Serializer;
  /**
   * Login: start from fresh creds in memory and write nothing until commit() — pairing succeeded.
   * An abandoned QR then leaves the directory (and any link already in it) as it was.
   */
  fresh?: boolean;
}

export class AuthStore {
  /** Undefined until read from disk or created by ensureCreds(); Baileys then mutates it in place. */
  creds: Creds | undefined;
  /** Baileys reads some keys back as protobuf objects (app-state-sync-key); set by the socket factory. */
  reviveKey?: (type: string, value: unknown) => unknown;
  private deferred: boolean;
  /** Keys set while deferred, by file name. */
  private readonly memory = new Map<string, unknown>();

  constructor(readonly authDir: string, private readonly opts: AuthStoreOptions) {
    this.deferred = !!opts.fresh;
    this.creds = opts.fresh ? undefined : readCreds(authDir);
  }

  /** Fresh credentials when there are none (Baileys' initAuthCreds: new identity keys). */
  ensureCreds(init: () => Creds): Creds {
    this.creds ??= init();
    return this.creds;
  }

  /** Whether writes still wait for commit() (a login before pairing). */
  get isDeferred(): boolean {
    return this.deferred;
  }

  /** The signal key store Baileys calls (SignalKeyStore). */
  readonly keys = {
    get: async (type: string, ids: string[]): Promise<Record<string, unknown>> => {
      const out: Record<string, unknown> = {};
      for (const id of ids) {
        const file = keyFileName(type, id);
        let value: unknown = this.deferred ? this.memory.get(file) ?? null : await this.readKey(file);
        if (value != null && this.reviveKey) value = this.reviveKey(type, value);
        out[id] = value ?? null;
      }
      return out;
    },
    set: async (data: KeyData): Promise<void> => {
      const tasks: Promise<void>[] = [];
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          const file = keyFileName(type, id);
          if (this.deferred) {
            if (value == null) this.memory.delete(file);
            else this.memory.set(file, value);
            continue;
          }
          tasks.push(this.writeKey(file, value));
        }
      }
      await Promise.all(tasks);
    },
  };

  /** creds.update → this. Serialized per auth dir; backup first; no-op while deferred. */
  saveCreds(): Promise<void> {
    if (this.deferred || this.creds === undefined) return Promise.resolve();
    return this.opts.serialize(this.lockKey(CREDS_FILE), () => {
      ensureAuthDir(this.authDir);
      backupCreds(this.authDir);
      writeFileAtomic(join(this.authDir, CREDS_FILE), JSON.stringify(this.creds, credsReplacer));
    });
  }

  /**
   * Pairing succeeded: replace whatever the directory held (an old link, a corrupt file) with the
   * new creds and the keys gathered so far, then write through from now on.
   */
  commit(): Promise<void> {
    if (!this.deferred) return this.saveCreds();
    return this.opts.serialize(this.lockKey(CREDS_FILE), () => {
      ensureAuthDir(this.authDir);
      for (const name of baileysFiles(this.authDir)) rmSync(join(this.authDir, name), { force: true });
      for (const [file, value] of this.memory) writeFileAtomic(join(this.authDir, file), JSON.stringify(value, credsReplacer));
      this.memory.clear();
      writeFileAtomic(join(this.authDir, CREDS_FILE), JSON.stringify(this.creds ?? {}, credsReplacer));
      this.deferred = false;
    });
  }

  /** Resolves when every save queued so far has finished. */
  flush(): Promise<void> {
    return this.opts.serialize(this.lockKey(CREDS_FILE), () => undefined);
  }

  private lockKey(file: string): string {
    return `${this.authDir}\0${file}`;
  }

  private readKey(file: string): Promise<unknown> {
    return this.opts.serialize(this.lockKey(file), () => {
      try {
        return JSON.parse(readFileSync(join(this.authDir, file), "utf8"), credsReviver) as unknown;
      } catch {
        return null; // missing or unreadable: Baileys treats it as absent
      }
    });
  }

  private writeKey(file: string, value: unknown): Promise<void> {
    return this.opts.serialize(this.lockKey(file), () => {
      const path = join(this.authDir, file);
      if (value == null) {
        rmSync(path, { force: true });
        return;
      }
      ensureAuthDir(this.authDir);
      writeFileAtomic(path, JSON.stringify(value, credsReplacer));
    });
  }
}

/**
 * Where the host approvals document lives: one row of `<state>/state/exec-approvals.sqlite`
 * (0600) holding the JSON text and its SHA-256, so a client's `baseHash` is compared with exactly
 * what was stored. Only this gateway writes it (one gateway per state dir), so the parsed
 * document is cached and every exec reads policy from memory.
 */
import type { Database } from "bun:sqlite";
import { OpenOnFirstUse, openPrivateDatabase } from "../../store-file.ts";
import { approvalsDocumentSchema } from "../../protocol/index.ts";
import { emptyDocument, type ApprovalsDocument } from "./document.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS exec_approvals (
  id INTEGER PRIMARY KEY CHECK (id = 1), document TEXT NOT NULL, hash TEXT NOT NULL, updated_at INTEGER NOT NULL
) STRICT;
`;

export interface ApprovalsSnapshot {
  path: string;
  /** False until the document is first written (a fresh host reads the empty document). */
  exists: boolean;
  /** SHA-256 (hex) of the stored text; of the empty string while nothing is stored. */
  hash: string;
  file: ApprovalsDocument;
}

export function sha256Hex(text: string): string {
  return new Bun.CryptoHasher("sha256").update(text).digest("hex");
}

export class ApprovalsStoreError extends Error {}

export class ExecApprovalsStore {
  private cache?: ApprovalsSnapshot;

  private constructor(
    private readonly db: Database,
    readonly path: string,
  ) {}

  static open(path: string): ExecApprovalsStore {
    const db = openPrivateDatabase(path);
    db.run(SCHEMA);
    return new ExecApprovalsStore(db, path);
  }

  close(): void {
    this.db.close();
  }

  read(): ApprovalsSnapshot {
    if (this.cache) return this.cache;
    const row = this.db.query("SELECT document, hash FROM exec_approvals WHERE id = 1").get() as { document: string; hash: string } | null;
    if (!row) return { path: this.path, exists: false, hash: sha256Hex(""), file: emptyDocument() };
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.document);
    } catch (err) {
      throw new ApprovalsStoreError(`exec approvals document in ${this.path} is not JSON: ${(err as Error).message}`);
    }
    const doc = approvalsDocumentSchema().safeParse(parsed);
    if (!doc.success) throw new ApprovalsStoreError(`exec approvals document in ${this.path} is invalid: ${doc.error.issues[0]?.message ?? "unknown"}`);
    this.cache = { path: this.path, exists: true, hash: row.hash, file: doc.data };
    return this.cache;
  }

  /** The stored document, writing the empty one first on a fresh host (what exec.approvals.get shows). */
  ensure(): ApprovalsSnapshot {
    const current = this.read();
    return current.exists ? current : this.put(emptyDocument());
  }

  /**
   * Replaces the document if the stored hash is still `baseHash`; null when it changed meanwhile.
   * The check and the write are one transaction.
   */
  replace(file: ApprovalsDocument, baseHash: string): ApprovalsSnapshot | null {
    return this.db.transaction(() => {
      this.cache = undefined;
      if (this.read().hash !== baseHash) return null;
      return this.put(file);
    })();
  }

  /** Read-modify-write of the current document (allow-always entries). */
  update(change: (doc: ApprovalsDocument) => void): ApprovalsSnapshot {
    return this.db.transaction(() => {
      const doc = structuredClone(this.read().file);
      change(doc);
      return this.put(doc);
    })();
  }

  private put(file: ApprovalsDocument): ApprovalsSnapshot {
    const text = JSON.stringify(file, null, 2);
    const hash = sha256Hex(text);
    this.db.query("INSERT OR REPLACE INTO exec_approvals (id, document, hash, updated_at) VALUES (1, $text, $hash, $now)").run({ text, hash, now: Date.now() });
    this.cache = { path: this.path, exists: true, hash, file: structuredClone(file) };
    return this.cache;
  }
}

/** Opened the first time an exec needs policy or an operator reads the document. */
export class ExecApprovalsHandle extends OpenOnFirstUse<ExecApprovalsStore> {
  constructor(path: string) {
    super(path, (p) => ExecApprovalsStore.open(p));
  }
}

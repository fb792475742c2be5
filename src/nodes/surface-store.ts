/**
 * Node pairing (gate 2: the command surface), in the pairing database: what a paired node may
 * offer. A node's first declaration, and any wider one later, becomes a pending request an
 * operator approves; until then its effective commands are only what was approved before. A
 * reconnect with the same declaration reuses the request; surface requests never expire.
 */
import type { Database } from "bun:sqlite";

export const SURFACE_SCHEMA = `
CREATE TABLE IF NOT EXISTS node_surfaces (
  device_id              TEXT PRIMARY KEY NOT NULL REFERENCES device_paired (device_id) ON DELETE CASCADE,
  meta                   TEXT NOT NULL CHECK (json_valid(meta)),
  display_name           TEXT,
  approved               TEXT CHECK (approved IS NULL OR json_valid(approved)),
  pending                TEXT CHECK (pending IS NULL OR json_valid(pending)),
  rejected               INTEGER NOT NULL DEFAULT 0,
  host_stats             TEXT CHECK (host_stats IS NULL OR json_valid(host_stats)),
  created_at_ms          INTEGER NOT NULL,
  last_connected_at_ms   INTEGER,
  last_disconnected_at_ms INTEGER
) STRICT;
`;

export interface NodeMeta {
  displayName?: string;
  platform?: string;
  version?: string;
  clientId: string;
  clientMode: string;
  deviceFamily?: string;
}

export interface Surface {
  caps: string[];
  commands: string[];
}

export interface PendingSurface extends Surface {
  requestId: string;
  requiredApproveScopes: string[];
  silent?: boolean;
  ts: number;
}

export type ApprovalState = "pending-approval" | "pending-reapproval" | "approved" | "unapproved";

export interface NodeRecord {
  nodeId: string;
  meta: NodeMeta;
  /** The operator's name for it (node.rename), which wins over the one it reports. */
  displayName?: string;
  approved?: Surface & { createdAtMs: number; approvedAtMs: number };
  pending?: PendingSurface;
  rejected: boolean;
  hostStats?: Record<string, unknown>;
  createdAtMs: number;
  lastConnectedAtMs?: number;
  lastDisconnectedAtMs?: number;
}

type Row = Record<string, unknown>;
const parse = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (JSON.parse(String(v)) as T));
const subset = (a: readonly string[], b: readonly string[]) => a.every((x) => b.includes(x));
const same = (a: Surface, b: Surface) => a.caps.join("\n") === b.caps.join("\n") && a.commands.join("\n") === b.commands.join("\n");
const sorted = (s: Surface): Surface => ({ caps: [...new Set(s.caps)].sort(), commands: [...new Set(s.commands)].sort() });

/**
 * Runs a bookkeeping write (when a device was last seen, when a node connected or left) without an
 * fsync of its own. The store is in WAL mode, where a commit under synchronous=NORMAL is still atomic
 * and in order, and the next FULL commit (every pairing decision) syncs it along; so a power cut can
 * lose such timestamps, never a decision. A node's connect and close each saved an fsync this way.
 * Not inside a transaction (SQLite refuses the pragma there).
 */
export function bookkeeping<T>(db: Database, write: () => T): T {
  db.query("PRAGMA synchronous = NORMAL").run();
  try {
    return write();
  } finally {
    db.query("PRAGMA synchronous = FULL").run();
  }
}

export function approvalState(r: NodeRecord): ApprovalState {
  if (r.pending) return r.approved ? "pending-reapproval" : "pending-approval";
  return r.approved ? "approved" : "unapproved";
}

/** What the node may run now: the approved surface, narrowed to what it declares this time. */
export function effectiveSurface(r: NodeRecord, declared: Surface): Surface {
  if (!r.approved) return { caps: [], commands: [] };
  return { caps: declared.caps.filter((c) => r.approved!.caps.includes(c)), commands: declared.commands.filter((c) => r.approved!.commands.includes(c)) };
}

export class SurfaceStore {
  constructor(private readonly db: Database) {}

  get(nodeId: string): NodeRecord | undefined {
    const row = this.db.query("SELECT * FROM node_surfaces WHERE device_id = $id").get({ id: nodeId }) as Row | null;
    return row ? toRecord(row) : undefined;
  }

  list(): NodeRecord[] {
    return (this.db.query("SELECT * FROM node_surfaces").all() as Row[]).map(toRecord);
  }

  /**
   * Records a node's connect with what it declares (already filtered by the command policy).
   * A declaration within the approved surface needs nothing; anything else gets (or keeps) a pending
   * request. `created` is true when a new request was made (announce it).
   */
  reconcile(nodeId: string, meta: NodeMeta, declared: Surface, opts: { requiredApproveScopes: string[]; silent?: boolean }, now = Date.now()): { record: NodeRecord; created: boolean } {
    const wanted = sorted(declared);
    const covered = (r: NodeRecord) => !!r.approved && subset(wanted.caps, r.approved.caps) && subset(wanted.commands, r.approved.commands);
    // The usual reconnect leaves the request as it is and changes only the node's meta and when it
    // connected: bookkeeping. (The gateway is this database's only user, and nothing runs between
    // this read and the write.)
    const known = this.get(nodeId);
    if (known && (covered(known) ? !known.pending : !!known.pending && same(known.pending, wanted))) {
      bookkeeping(this.db, () =>
        this.db.query("UPDATE node_surfaces SET meta = $meta, last_connected_at_ms = $now WHERE device_id = $id").run({ id: nodeId, meta: JSON.stringify(meta), now }),
      );
      return { record: this.get(nodeId)!, created: false };
    }
    return this.db.transaction(() => {
      let record = this.get(nodeId);
      if (!record) {
        this.db.query("INSERT INTO node_surfaces (device_id, meta, created_at_ms) VALUES ($id, $meta, $now)").run({ id: nodeId, meta: JSON.stringify(meta), now });
        record = this.get(nodeId)!;
      }
      let created = false;
      let pending = record.pending;
      if (covered(record)) pending = undefined;
      else if (!pending || !same(pending, wanted)) {
        pending = { requestId: crypto.randomUUID(), ...wanted, requiredApproveScopes: opts.requiredApproveScopes, ...(opts.silent ? { silent: true } : {}), ts: now };
        created = true;
      }
      this.db
        .query("UPDATE node_surfaces SET meta = $meta, pending = $pending, last_connected_at_ms = $now WHERE device_id = $id")
        .run({ id: nodeId, meta: JSON.stringify(meta), pending: pending ? JSON.stringify(pending) : null, now });
      return { record: this.get(nodeId)!, created };
    }).immediate();
  }

  /** Approves the pending surface of the request; undefined for an unknown request. */
  approve(requestId: string, now = Date.now()): NodeRecord | undefined {
    return this.db.transaction(() => {
      const record = this.byRequest(requestId);
      if (!record) return undefined;
      const { caps, commands } = record.pending!;
      const approved = { caps, commands, createdAtMs: record.approved?.createdAtMs ?? now, approvedAtMs: now };
      this.db.query("UPDATE node_surfaces SET approved = $approved, pending = NULL, rejected = 0 WHERE device_id = $id").run({ approved: JSON.stringify(approved), id: record.nodeId });
      return this.get(record.nodeId);
    }).immediate();
  }

  reject(requestId: string): NodeRecord | undefined {
    const record = this.byRequest(requestId);
    if (!record) return undefined;
    this.db.query("UPDATE node_surfaces SET pending = NULL, rejected = 1 WHERE device_id = $id").run({ id: record.nodeId });
    return this.get(record.nodeId);
  }

  remove(nodeId: string): boolean {
    return this.db.query("DELETE FROM node_surfaces WHERE device_id = $id").run({ id: nodeId }).changes > 0;
  }

  rename(nodeId: string, displayName: string): boolean {
    return this.db.query("UPDATE node_surfaces SET display_name = $name WHERE device_id = $id").run({ name: displayName, id: nodeId }).changes > 0;
  }

  disconnected(nodeId: string, now = Date.now()): void {
    bookkeeping(this.db, () => this.db.query("UPDATE node_surfaces SET last_disconnected_at_ms = $now WHERE device_id = $id").run({ now, id: nodeId }));
  }

  setHostStats(nodeId: string, stats: Record<string, unknown>): void {
    this.db.query("UPDATE node_surfaces SET host_stats = $stats WHERE device_id = $id").run({ stats: JSON.stringify(stats), id: nodeId });
  }

  private byRequest(requestId: string): NodeRecord | undefined {
    const row = this.db.query("SELECT * FROM node_surfaces WHERE json_extract(pending, '$.requestId') = $rid").get({ rid: requestId }) as Row | null;
    return row ? toRecord(row) : undefined;
  }
}

function toRecord(r: Row): NodeRecord {
  const record: NodeRecord = {
    nodeId: String(r.device_id), meta: parse<NodeMeta>(r.meta)!, rejected: r.rejected === 1, createdAtMs: Number(r.created_at_ms),
  };
  if (r.display_name !== null) record.displayName = String(r.display_name);
  const approved = parse<NodeRecord["approved"]>(r.approved);
  if (approved) record.approved = approved;
  const pending = parse<PendingSurface>(r.pending);
  if (pending) record.pending = pending;
  const stats = parse<Record<string, unknown>>(r.host_stats);
  if (stats) record.hostStats = stats;
  if (r.last_connected_at_ms !== null) record.lastConnectedAtMs = Number(r.last_connected_at_ms);
  if (r.last_disconnected_at_ms !== null) record.lastDisconnectedAtMs = Number(r.last_disconnected_at_ms);
  return record;
}

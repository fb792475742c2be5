/**
 * Device pairing (gate 1: may this key connect), in bun:sqlite under the state dir: pending
 * requests (reused on retry, superseded when role, scopes or key change, expired 5 minutes after
 * the last retry), paired devices, and one token per (device, role). Tokens are stored as SHA-256
 * digests: they are 256-bit random strings, so a copy of the database hands out no working secret.
 * Every write is one transaction; nothing here knows about sockets.
 */
import { OpenOnFirstUse, openPrivateDatabase } from "../store-file.ts";
import type { Database } from "bun:sqlite";
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from "node:crypto";
import { deviceIdOf, rawPublicKey, toBase64Url } from "./identity.ts";
import { SURFACE_SCHEMA, SurfaceStore, bookkeeping } from "./surface-store.ts";

export const PENDING_TTL_MS = 300_000;

export interface DeviceMeta {
  displayName?: string;
  platform?: string;
  deviceFamily?: string;
  clientId: string;
  clientMode: string;
}

export interface PairingRequestInput extends DeviceMeta {
  deviceId: string;
  publicKey: string;
  role: string;
  scopes: string[];
  silent?: boolean;
}

export interface PendingRequest extends PairingRequestInput {
  requestId: string;
  roles: string[];
  silent: boolean;
  isRepair: boolean;
  ts: number;
}

export interface DeviceToken {
  role: string;
  scopes: string[];
  createdAtMs: number;
  lastUsedAtMs?: number;
  rotatedAtMs?: number;
}

export interface PairedDevice extends DeviceMeta {
  deviceId: string;
  publicKey: string;
  roles: string[];
  scopes: string[];
  approvedVia: string;
  createdAtMs: number;
  approvedAtMs: number;
  lastSeenAtMs?: number;
  /** Never the token strings: those are shown once, when minted. */
  tokens: DeviceToken[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS device_pending (
  request_id      TEXT PRIMARY KEY NOT NULL,
  device_id       TEXT NOT NULL UNIQUE,
  public_key      TEXT NOT NULL,
  meta            TEXT NOT NULL CHECK (json_valid(meta)),
  role            TEXT NOT NULL,
  scopes          TEXT NOT NULL CHECK (json_valid(scopes)),
  silent          INTEGER NOT NULL,
  is_repair       INTEGER NOT NULL,
  ts              INTEGER NOT NULL,
  refreshed_at_ms INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS device_paired (
  device_id       TEXT PRIMARY KEY NOT NULL,
  public_key      TEXT NOT NULL,
  meta            TEXT NOT NULL CHECK (json_valid(meta)),
  roles           TEXT NOT NULL CHECK (json_valid(roles)),
  scopes          TEXT NOT NULL CHECK (json_valid(scopes)),
  approved_via    TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  approved_at_ms  INTEGER NOT NULL,
  last_seen_at_ms INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS gateway_identity (
  identity_key    TEXT PRIMARY KEY NOT NULL,
  device_id       TEXT NOT NULL,
  public_key_pem  TEXT NOT NULL,
  private_key_pem TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS device_tokens (
  device_id     TEXT NOT NULL REFERENCES device_paired (device_id) ON DELETE CASCADE,
  role          TEXT NOT NULL,
  token_sha256  TEXT NOT NULL,
  scopes        TEXT NOT NULL CHECK (json_valid(scopes)),
  created_at_ms INTEGER NOT NULL,
  last_used_at_ms INTEGER,
  rotated_at_ms INTEGER,
  PRIMARY KEY (device_id, role)
) STRICT;
`;

type Row = Record<string, unknown>;
const json = (v: unknown) => JSON.stringify(v);
const parse = <T>(text: unknown): T => JSON.parse(String(text)) as T;
const digest = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");

function metaOf(input: DeviceMeta): DeviceMeta {
  const { displayName, platform, deviceFamily, clientId, clientMode } = input;
  return { displayName, platform, deviceFamily, clientId, clientMode };
}

export class PairingStore {
  /** Gate 2: the command surfaces of paired nodes, in the same database. */
  readonly surfaces: SurfaceStore;

  private constructor(private readonly db: Database) {
    this.surfaces = new SurfaceStore(db);
  }

  /** Opens (creating 0600) the store; `:memory:` for tests. */
  static open(path: string): PairingStore {
    const db = openPrivateDatabase(path);
    db.run("PRAGMA foreign_keys = ON");
    db.run(SCHEMA);
    db.run(SURFACE_SCHEMA);
    return new PairingStore(db);
  }

  close(): void {
    this.db.close();
  }

  /**
   * Records (or refreshes) the pending request of a key that may not connect yet. The same key
   * asking for the same role and scopes reuses its request; anything else supersedes it.
   */
  request(input: PairingRequestInput, now = Date.now()): { request: PendingRequest; created: boolean; superseded?: PendingRequest } {
    return this.db.transaction(() => {
      this.expire(now);
      const existing = this.pendingFor(input.deviceId);
      if (existing && existing.role === input.role && existing.publicKey === input.publicKey && sameSet(existing.scopes, input.scopes)) {
        this.db.query("UPDATE device_pending SET refreshed_at_ms = $now, meta = $meta WHERE request_id = $id").run({ now, meta: json(metaOf(input)), id: existing.requestId });
        return { request: { ...existing, ...metaOf(input) }, created: false };
      }
      if (existing) this.db.query("DELETE FROM device_pending WHERE request_id = $id").run({ id: existing.requestId });
      const request: PendingRequest = {
        ...metaOf(input), deviceId: input.deviceId, publicKey: input.publicKey, role: input.role, roles: [input.role],
        scopes: [...input.scopes], requestId: crypto.randomUUID(), silent: !!input.silent, isRepair: !!this.paired(input.deviceId), ts: now,
      };
      this.db
        .query(`INSERT INTO device_pending VALUES ($id, $device, $key, $meta, $role, $scopes, $silent, $repair, $ts, $ts)`)
        .run({ id: request.requestId, device: request.deviceId, key: request.publicKey, meta: json(metaOf(request)), role: request.role, scopes: json(request.scopes), silent: request.silent ? 1 : 0, repair: request.isRepair ? 1 : 0, ts: now });
      return { request, created: true, superseded: existing };
    }).immediate();
  }

  pending(now = Date.now()): PendingRequest[] {
    this.expire(now);
    return (this.db.query("SELECT * FROM device_pending ORDER BY ts").all() as Row[]).map(toPending);
  }

  /**
   * Approves a pending request: the device is paired for its role. Its token is minted when the
   * device next connects (needsToken/mint), so it reaches the device and nobody else.
   */
  approve(requestId: string, via: string, now = Date.now()): { device: PairedDevice; request: PendingRequest } | undefined {
    return this.db.transaction(() => {
      this.expire(now);
      const row = this.db.query("SELECT * FROM device_pending WHERE request_id = $id").get({ id: requestId }) as Row | null;
      if (!row) return undefined;
      const request = toPending(row);
      this.db.query("DELETE FROM device_pending WHERE request_id = $id").run({ id: requestId });
      this.pair(request, via, now, false);
      return { device: this.paired(request.deviceId)!, request };
    }).immediate();
  }

  /** Pairs a device directly (silent local approval) and mints its token for the role. */
  pairNow(input: PairingRequestInput, via: string, now = Date.now()): { device: PairedDevice; token: string } {
    return this.db.transaction(() => {
      this.db.query("DELETE FROM device_pending WHERE device_id = $device").run({ device: input.deviceId });
      const token = this.pair({ ...input, roles: [input.role] }, via, now, true)!;
      return { device: this.paired(input.deviceId)!, token };
    }).immediate();
  }

  reject(requestId: string): PendingRequest | undefined {
    const row = this.db.query("DELETE FROM device_pending WHERE request_id = $id RETURNING *").get({ id: requestId }) as Row | null;
    return row ? toPending(row) : undefined;
  }

  remove(deviceId: string): boolean {
    return this.db.query("DELETE FROM device_paired WHERE device_id = $device").run({ device: deviceId }).changes > 0;
  }

  paired(deviceId: string): PairedDevice | undefined {
    const row = this.db.query("SELECT * FROM device_paired WHERE device_id = $device").get({ device: deviceId }) as Row | null;
    return row ? this.toPaired(row) : undefined;
  }

  list(): PairedDevice[] {
    return (this.db.query("SELECT * FROM device_paired ORDER BY approved_at_ms").all() as Row[]).map((r) => this.toPaired(r));
  }

  /** Whether `token` is the live token of (device, role); marks it used. Constant-time compare. */
  verifyToken(deviceId: string, role: string, token: string, now = Date.now()): boolean {
    const row = this.db.query("SELECT token_sha256 FROM device_tokens WHERE device_id = $device AND role = $role").get({ device: deviceId, role }) as Row | null;
    if (!row || row.token_sha256 === "") return false;
    const ok = timingSafeEqual(Buffer.from(String(row.token_sha256), "hex"), Buffer.from(digest(token), "hex"));
    if (ok) this.db.query("UPDATE device_tokens SET last_used_at_ms = $now WHERE device_id = $device AND role = $role").run({ now, device: deviceId, role });
    return ok;
  }

  /**
   * Retires the (device, role) token at once; its successor is minted on the device's next connect
   * (`needsToken`, then `mint`) and handed to it there, so no plaintext token ever waits in the
   * database. Undefined when the device has no such role.
   */
  rotate(deviceId: string, role: string, now = Date.now()): { scopes: string[]; rotatedAtMs: number } | undefined {
    return this.db.transaction(() => {
      const row = this.db.query("SELECT scopes FROM device_tokens WHERE device_id = $device AND role = $role").get({ device: deviceId, role }) as Row | null;
      if (!row) return undefined;
      this.db.query("UPDATE device_tokens SET token_sha256 = '', rotated_at_ms = $now WHERE device_id = $device AND role = $role").run({ now, device: deviceId, role });
      return { scopes: parse<string[]>(row.scopes), rotatedAtMs: now };
    }).immediate();
  }

  /** Whether the role's token was rotated and its successor not yet handed out. */
  needsToken(deviceId: string, role: string): boolean {
    const row = this.db.query("SELECT token_sha256 FROM device_tokens WHERE device_id = $device AND role = $role").get({ device: deviceId, role }) as Row | null;
    return row !== null && row.token_sha256 === "";
  }

  /** A fresh token for an approved (device, role); returned once. */
  mint(deviceId: string, role: string, now = Date.now()): string | undefined {
    const token = newToken();
    const changed = this.db.query("UPDATE device_tokens SET token_sha256 = $hash, created_at_ms = $now WHERE device_id = $device AND role = $role").run({ hash: digest(token), now, device: deviceId, role }).changes;
    return changed > 0 ? token : undefined;
  }

  /** Drops the (device, role) token and the role's approval; the device must pair again for it. */
  revoke(deviceId: string, role: string, now = Date.now()): { revokedAtMs: number } | undefined {
    return this.db.transaction(() => {
      const gone = this.db.query("DELETE FROM device_tokens WHERE device_id = $device AND role = $role").run({ device: deviceId, role }).changes > 0;
      if (!gone) return undefined;
      const device = this.paired(deviceId)!;
      this.db.query("UPDATE device_paired SET roles = $roles WHERE device_id = $device").run({ roles: json(device.roles.filter((r) => r !== role)), device: deviceId });
      return { revokedAtMs: now };
    }).immediate();
  }

  /**
   * The gateway's own Ed25519 identity (row "primary"), made on first use and kept: what it shows
   * nodes and apps (gateway.identity.get) and signs with. The id follows the same rule as devices'.
   */
  identity(now = Date.now()): { deviceId: string; publicKey: string; publicKeyPem: string; privateKeyPem: string } {
    return this.db.transaction(() => {
      let row = this.db.query("SELECT * FROM gateway_identity WHERE identity_key = 'primary'").get() as Row | null;
      if (!row) {
        const { publicKey, privateKey } = generateKeyPairSync("ed25519");
        const raw = publicKey.export({ format: "der", type: "spki" }).subarray(12);
        this.db
          .query("INSERT INTO gateway_identity VALUES ('primary', $id, $pub, $priv, $now)")
          .run({ id: deviceIdOf(raw), pub: publicKey.export({ format: "pem", type: "spki" }).toString(), priv: privateKey.export({ format: "pem", type: "pkcs8" }).toString(), now });
        row = this.db.query("SELECT * FROM gateway_identity WHERE identity_key = 'primary'").get() as Row;
      }
      const raw = rawPublicKey(String(row.public_key_pem))!;
      return { deviceId: String(row.device_id), publicKey: toBase64Url(raw), publicKeyPem: String(row.public_key_pem), privateKeyPem: String(row.private_key_pem) };
    }).immediate();
  }

  touch(deviceId: string, now = Date.now()): void {
    bookkeeping(this.db, () => this.db.query("UPDATE device_paired SET last_seen_at_ms = $now WHERE device_id = $device").run({ now, device: deviceId }));
  }

  /** Pairs the role; with `mintNow` returns its new token, else leaves the token to be minted on connect. */
  private pair(req: PairingRequestInput & { roles: string[] }, via: string, now: number, mintNow: boolean): string | undefined {
    const prev = this.paired(req.deviceId);
    const roles = [...new Set([...(prev?.publicKey === req.publicKey ? prev.roles : []), ...req.roles])];
    const scopes = [...new Set([...(prev?.publicKey === req.publicKey ? prev.scopes : []), ...req.scopes])];
    this.db
      .query(`INSERT INTO device_paired VALUES ($device, $key, $meta, $roles, $scopes, $via, $now, $now, NULL)
              ON CONFLICT (device_id) DO UPDATE SET public_key = $key, meta = $meta, roles = $roles, scopes = $scopes, approved_via = $via, approved_at_ms = $now`)
      .run({ device: req.deviceId, key: req.publicKey, meta: json(metaOf(req)), roles: json(roles), scopes: json(scopes), via, now });
    const token = mintNow ? newToken() : undefined;
    this.db
      .query(`INSERT INTO device_tokens VALUES ($device, $role, $hash, $scopes, $now, NULL, NULL)
              ON CONFLICT (device_id, role) DO UPDATE SET token_sha256 = $hash, scopes = $scopes, created_at_ms = $now, last_used_at_ms = NULL, rotated_at_ms = NULL`)
      .run({ device: req.deviceId, role: req.role, hash: token ? digest(token) : "", scopes: json(req.scopes), now });
    return token;
  }

  private pendingFor(deviceId: string): PendingRequest | undefined {
    const row = this.db.query("SELECT * FROM device_pending WHERE device_id = $device").get({ device: deviceId }) as Row | null;
    return row ? toPending(row) : undefined;
  }

  private expire(now: number): void {
    this.db.query("DELETE FROM device_pending WHERE refreshed_at_ms < $cutoff").run({ cutoff: now - PENDING_TTL_MS });
  }

  private toPaired(r: Row): PairedDevice {
    const tokens = (this.db.query("SELECT * FROM device_tokens WHERE device_id = $device ORDER BY role").all({ device: String(r.device_id) }) as Row[]).map((t) => {
      const token: DeviceToken = { role: String(t.role), scopes: parse(t.scopes), createdAtMs: Number(t.created_at_ms) };
      if (t.last_used_at_ms !== null) token.lastUsedAtMs = Number(t.last_used_at_ms);
      if (t.rotated_at_ms !== null) token.rotatedAtMs = Number(t.rotated_at_ms);
      return token;
    });
    const device: PairedDevice = {
      deviceId: String(r.device_id), publicKey: String(r.public_key), ...parse<DeviceMeta>(r.meta), roles: parse(r.roles), scopes: parse(r.scopes),
      approvedVia: String(r.approved_via), createdAtMs: Number(r.created_at_ms), approvedAtMs: Number(r.approved_at_ms), tokens,
    };
    if (r.last_seen_at_ms !== null) device.lastSeenAtMs = Number(r.last_seen_at_ms);
    return device;
  }
}

function toPending(r: Row): PendingRequest {
  return {
    requestId: String(r.request_id), deviceId: String(r.device_id), publicKey: String(r.public_key), ...parse<DeviceMeta>(r.meta),
    role: String(r.role), roles: [String(r.role)], scopes: parse(r.scopes), silent: r.silent === 1, isRepair: r.is_repair === 1, ts: Number(r.ts),
  };
}

function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The pairing store, opened on first use: a gateway no device ever connects to never opens it
 * (start-up time and idle memory stay as they were). Kept across in-process restarts by `gateway run`.
 */
export class PairingHandle extends OpenOnFirstUse<PairingStore> {
  constructor(path: string) {
    super(path, (p) => PairingStore.open(p));
  }
}

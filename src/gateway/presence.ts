import type { PresenceEntry } from "../protocol/index.ts";
import type { ConnState } from "./ws/conn.ts";
import { RawJson } from "./ws/conn.ts";

/** Beacons posted with system-event expire when not refreshed; live connections never do. */
export const BEACON_TTL_MS = 5 * 60_000;
/**
 * The list operators get holds at most this many entries (as the published gateway's): the
 * gateway's own, then the most recent. With a thousand nodes coming and going, every change is a
 * broadcast of the whole list to every operator; an uncapped list made each of those frames
 * hundreds of kilobytes.
 */
export const MAX_PRESENCE_ENTRIES = 200;

interface Slot {
  entry: PresenceEntry;
  /** The connection that owns this entry; absent for the gateway itself and beacons. */
  connId?: string;
  beacon?: boolean;
}

export interface SelfInfo {
  host: string;
  ip: string;
  version: string;
  platform: string;
  deviceFamily: string;
  instanceId: string;
}

function describe(e: PresenceEntry, label: string): string {
  const parts = [`${label}: ${e.host ?? "unknown"}${e.ip ? ` (${e.ip})` : ""}`];
  if (e.version) parts.push(`app ${e.version}`);
  if (e.mode) parts.push(`mode ${e.mode}`);
  if (e.reason) parts.push(`reason ${e.reason}`);
  return parts.join(" · ");
}

/** Presence entries keyed by instanceId, so a client that reconnects replaces its old entry. */
export class PresenceStore {
  private slots = new Map<string, Slot>();
  private cached: { version: number; list: PresenceEntry[]; json: RawJson } | null = null;
  version = 1;

  constructor(self: SelfInfo, now = Date.now()) {
    const entry: PresenceEntry = {
      host: self.host, ip: self.ip, version: self.version, platform: self.platform,
      deviceFamily: self.deviceFamily, mode: "gateway", reason: "self", instanceId: self.instanceId, ts: now,
    };
    entry.text = describe(entry, "Gateway");
    this.slots.set(`self:${self.instanceId}`, { entry });
  }

  /** Adds the entry of a freshly connected client; returns whether presence changed. */
  addConnection(conn: ConnState, now = Date.now()): boolean {
    const c = conn.client;
    if (!c) return false;
    // A device is one entry whatever instance it runs as; a node's instance is its device.
    const key = conn.deviceId ?? c.instanceId ?? conn.connId;
    const instanceId = conn.role === "node" && conn.deviceId ? conn.deviceId : c.instanceId;
    const entry: PresenceEntry = {
      host: c.displayName ?? c.id, clientId: c.id, ip: conn.remoteAddress, version: c.version,
      platform: c.platform, mode: c.mode, reason: "connect", ts: now,
      roles: conn.role ? [conn.role] : undefined, scopes: conn.scopes?.length ? conn.scopes : undefined, instanceId,
      deviceId: conn.deviceId,
    };
    if (c.deviceFamily) entry.deviceFamily = c.deviceFamily;
    if (c.modelIdentifier) entry.modelIdentifier = c.modelIdentifier;
    entry.text = describe(entry, c.mode === "node" ? "Node" : "Client");
    this.slots.set(key, { entry: dropUndefined(entry), connId: conn.connId });
    conn.presenceKey = key;
    this.bump();
    return true;
  }

  /** Removes the entry a closing connection owns, unless a newer connection took the key over. */
  removeConnection(conn: ConnState): boolean {
    const key = conn.presenceKey;
    if (!key) return false;
    const slot = this.slots.get(key);
    if (!slot || slot.connId !== conn.connId) return false;
    this.slots.delete(key);
    this.bump();
    return true;
  }

  /** A system-event beacon: merges the structured fields into the entry for that instance. */
  upsertBeacon(key: string, fields: Partial<PresenceEntry>, now = Date.now()): void {
    const prev = this.slots.get(key);
    const entry = dropUndefined({ ...(prev?.entry ?? {}), ...fields, ts: now }) as PresenceEntry;
    this.slots.set(key, { entry, connId: prev?.connId, beacon: prev ? prev.beacon : true });
    this.bump();
  }

  /** Drops beacons that were not refreshed within the TTL; returns whether anything changed. */
  prune(now = Date.now()): boolean {
    let changed = false;
    for (const [key, slot] of this.slots) {
      if (slot.beacon && now - slot.entry.ts > BEACON_TTL_MS) {
        this.slots.delete(key);
        changed = true;
      }
    }
    if (changed) this.bump();
    return changed;
  }

  list(): PresenceEntry[] {
    return this.snapshot().list;
  }

  /** The list serialized once per version: system-presence is the hottest read method. */
  json(): RawJson {
    return this.snapshot().json;
  }

  get size(): number {
    return this.slots.size;
  }

  private snapshot() {
    if (this.cached?.version !== this.version) {
      let list = [...this.slots.values()].map((s) => s.entry);
      if (list.length > MAX_PRESENCE_ENTRIES) {
        const [self, ...rest] = list;
        list = [self!, ...rest.sort((a, b) => b.ts - a.ts).slice(0, MAX_PRESENCE_ENTRIES - 1)];
      }
      this.cached = { version: this.version, list, json: new RawJson(JSON.stringify(list)) };
    }
    return this.cached;
  }

  private bump(): void {
    this.version++;
  }
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

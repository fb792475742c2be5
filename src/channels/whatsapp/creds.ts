/**
 * The linked-device credentials on disk, without Baileys: where they live, whether the account is
 * linked, who it is linked as, and logout. The format is Baileys' multi-file layout (`creds.json`
 * plus one JSON file per signal key), so an auth dir written by the published gateway works here.
 *
 * Rules (spec channels §6.4): dir 0700, files 0600; `creds.json.bak` is refreshed before every save
 * so a crash or a full disk mid-write leaves a copy to restore; linked ⇔ `creds.json` is a regular
 * file of more than one byte that parses (a corrupt one is restored from the backup first).
 */
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jidToE164, normalizeJid } from "./jid.ts";

export const CREDS_FILE = "creds.json";
export const BACKUP_FILE = "creds.json.bak";
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** The signal-key kinds Baileys stores as `<kind>-<id>.json`; only these (and creds) are ever deleted. */
const KEY_FILE = /^(pre-key|session|sender-key|sender-key-memory|app-state-sync-key|app-state-sync-version|lid-mapping|device-list|tctoken|identity-key)-.+\.json$/;
const TMP_FILE = /\.\d+\.[0-9a-f]+\.tmp$/;

export function defaultAuthDir(stateDir: string, accountId: string): string {
  return join(stateDir, "credentials", "whatsapp", accountId);
}

/** Baileys' file naming for a key id (so directories stay interchangeable with its own store). */
export function keyFileName(type: string, id: string): string {
  return `${type}-${id}.json`.replace(/\//g, "__").replace(/:/g, "-");
}

/** Baileys' BufferJSON format: Buffers as {type:"Buffer", data:<base64>}. */
export function credsReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { type: "Buffer", data: Buffer.from(value).toString("base64") };
  const v = value as { type?: unknown; data?: unknown } | null;
  if (v && typeof v === "object" && v.type === "Buffer" && Array.isArray(v.data)) {
    return { type: "Buffer", data: Buffer.from(v.data as number[]).toString("base64") };
  }
  return value;
}

export function credsReviver(_key: string, value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const v = value as Record<string, unknown>;
  if (v.type === "Buffer" && typeof v.data === "string") return Buffer.from(v.data, "base64");
  // Older stores wrote Uint8Arrays as {"0":12,"1":34,…}.
  const keys = Object.keys(v);
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k)) && Object.values(v).every((n) => typeof n === "number")) {
    return Buffer.from(Object.values(v) as number[]);
  }
  return value;
}

export function ensureAuthDir(authDir: string): void {
  mkdirSync(authDir, { recursive: true, mode: DIR_MODE });
  // mkdir's mode does not apply to a directory that already existed (e.g. a configured authDir).
  chmodSync(authDir, DIR_MODE);
}

/** Write-then-rename, so a reader never sees half a file, with 0600 from the first byte. */
export function writeFileAtomic(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.${Math.floor(Math.random() * 0xffffffff).toString(16)}.tmp`;
  try {
    writeFileSync(tmp, data, { mode: FILE_MODE });
    chmodSync(tmp, FILE_MODE); // the umask may have narrowed it; never widened, but be exact
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** The parsed file when it is a regular file of more than one byte holding JSON; else undefined. */
function readJsonFile(path: string): Record<string, unknown> | undefined {
  try {
    const st = lstatSync(path);
    if (!st.isFile() || st.size <= 1) return undefined;
    const parsed = JSON.parse(readFileSync(path, "utf8"), credsReviver) as unknown;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A missing or corrupt creds.json is replaced by a backup that parses. Returns whether it restored.
 * A good creds.json is never touched.
 */
export function restoreCredsFromBackup(authDir: string): boolean {
  const credsPath = join(authDir, CREDS_FILE);
  if (readJsonFile(credsPath)) return false;
  const backupPath = join(authDir, BACKUP_FILE);
  if (!readJsonFile(backupPath)) return false;
  writeFileAtomic(credsPath, readFileSync(backupPath, "utf8"));
  return true;
}

/** Refreshes creds.json.bak from creds.json, but only from a copy that parses: a bad file must not replace a good backup. */
export function backupCreds(authDir: string): void {
  const credsPath = join(authDir, CREDS_FILE);
  if (!readJsonFile(credsPath)) return;
  const backupPath = join(authDir, BACKUP_FILE);
  copyFileSync(credsPath, backupPath);
  chmodSync(backupPath, FILE_MODE);
}

/** Reads creds.json (restoring it from the backup first when needed). */
export function readCreds(authDir: string): Record<string, unknown> | undefined {
  if (!existsSync(authDir)) return undefined;
  try {
    restoreCredsFromBackup(authDir);
  } catch {
    // a read-only dir: report what is there
  }
  return readJsonFile(join(authDir, CREDS_FILE));
}

export function isLinked(authDir: string): boolean {
  return readCreds(authDir) !== undefined;
}

export interface SelfIdentity {
  /** "+15551234567" when the linked number is known. */
  e164: string | null;
  /** "15551234567@s.whatsapp.net" */
  jid: string | null;
  /** "123456789@lid" */
  lid: string | null;
}

export function selfFromCreds(creds: Record<string, unknown> | undefined): SelfIdentity {
  const me = (creds?.me ?? {}) as { id?: unknown; lid?: unknown };
  const id = typeof me.id === "string" ? me.id : undefined;
  const lid = typeof me.lid === "string" ? me.lid : undefined;
  return { e164: jidToE164(id) ?? null, jid: normalizeJid(id) ?? null, lid: normalizeJid(lid) ?? null };
}

export function readSelf(authDir: string): SelfIdentity {
  return selfFromCreds(readCreds(authDir));
}

/** now − mtime(creds.json); null when not linked. */
export function authAgeMs(authDir: string, now = Date.now()): number | null {
  if (!isLinked(authDir)) return null;
  try {
    return Math.max(0, now - statSync(join(authDir, CREDS_FILE)).mtimeMs);
  } catch {
    return null;
  }
}

/** The files of a Baileys auth dir (creds, backup, signal keys, our temp files); nothing else. */
export function baileysFiles(authDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(authDir);
  } catch {
    return [];
  }
  return names.filter((n) => n === CREDS_FILE || n === BACKUP_FILE || KEY_FILE.test(n) || TMP_FILE.test(n));
}

/**
 * Removes the credentials: every Baileys file, then the directory when that leaves it empty. Only
 * known files go, so an `authDir` pointed at a directory holding other things loses nothing else.
 * Returns false when nothing was linked.
 */
export function logoutAuthDir(authDir: string): boolean {
  const wasLinked = isLinked(authDir);
  for (const name of baileysFiles(authDir)) rmSync(join(authDir, name), { force: true });
  try {
    rmdirSync(authDir);
  } catch {
    // not empty (other files) or already gone
  }
  return wasLinked;
}

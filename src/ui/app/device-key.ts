/**
 * The browser's device identity: an Ed25519 key whose id is the hex SHA-256 of the raw public key,
 * signing the connect string the gateway verifies (src/nodes/identity.ts, v2). WebCrypto does it
 * where it can (secure contexts of current browsers); elsewhere — plain HTTP off localhost, where
 * crypto.subtle does not exist — the pure-JS fallback is loaded on demand. Both store the same
 * thing: the 32-byte seed and the raw public key, base64url. No DOM here (tested under Bun).
 */

export interface StoredIdentity {
  version: 1;
  deviceId: string;
  /** Raw 32-byte public key, unpadded base64url. */
  publicKey: string;
  /** The 32-byte private seed, unpadded base64url. */
  privateKey: string;
  createdAtMs: number;
}

export interface DeviceKey {
  readonly deviceId: string;
  readonly publicKey: string;
  /** Signature of the UTF-8 text, unpadded base64url. */
  sign(text: string): Promise<string>;
}

/** What each implementation offers; `webCrypto` first, `pure` (noble) when WebCrypto cannot. */
export interface Ed25519Impl {
  generate(): Promise<{ seed: Uint8Array; publicKey: Uint8Array }>;
  signer(seed: Uint8Array): Promise<(message: Uint8Array) => Promise<Uint8Array>>;
  sha256(data: Uint8Array): Promise<Uint8Array>;
}

export function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function fromBase64Url(text: string): Uint8Array {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

/** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): what WebCrypto imports private keys from. */
const PKCS8_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

const ED25519 = { name: "Ed25519" } as const;

export const webCryptoImpl: Ed25519Impl = {
  async generate() {
    const pair = (await crypto.subtle.generateKey(ED25519, true, ["sign", "verify"])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
    const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    return { seed: pkcs8.slice(pkcs8.length - 32), publicKey };
  },
  async signer(seed) {
    const der = new Uint8Array(PKCS8_PREFIX.length + 32);
    der.set(PKCS8_PREFIX);
    der.set(seed, PKCS8_PREFIX.length);
    const key = await crypto.subtle.importKey("pkcs8", der, ED25519, false, ["sign"]);
    return async (message) => new Uint8Array(await crypto.subtle.sign(ED25519, key, message as Uint8Array<ArrayBuffer>));
  },
  async sha256(data) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
  },
};

/** Whether this browser's WebCrypto signs with Ed25519 (absent off secure contexts and in older browsers). */
export async function webCryptoUsable(): Promise<boolean> {
  if (!globalThis.crypto?.subtle) return false;
  try {
    await crypto.subtle.importKey("raw", new Uint8Array(32), ED25519, false, ["verify"]);
    return true;
  } catch {
    return false;
  }
}

/** The implementation to use here: WebCrypto, else the pure-JS chunk. */
export async function pickImpl(): Promise<Ed25519Impl> {
  if (await webCryptoUsable()) return webCryptoImpl;
  return (await import("./device-key-pure.ts")).pureImpl;
}

export async function createIdentity(impl: Ed25519Impl, now = Date.now()): Promise<StoredIdentity> {
  const { seed, publicKey } = await impl.generate();
  return { version: 1, deviceId: hex(await impl.sha256(publicKey)), publicKey: toBase64Url(publicKey), privateKey: toBase64Url(seed), createdAtMs: now };
}

/** A stored identity, checked for shape (a damaged entry is replaced by the caller). */
export function parseIdentity(text: string | null): StoredIdentity | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<StoredIdentity>;
    const ok = v.version === 1 && typeof v.deviceId === "string" && /^[0-9a-f]{64}$/.test(v.deviceId) &&
      typeof v.publicKey === "string" && fromBase64Url(v.publicKey).length === 32 &&
      typeof v.privateKey === "string" && fromBase64Url(v.privateKey).length === 32;
    return ok ? (v as StoredIdentity) : undefined;
  } catch {
    return undefined;
  }
}

export async function openIdentity(impl: Ed25519Impl, stored: StoredIdentity): Promise<DeviceKey> {
  const sign = await impl.signer(fromBase64Url(stored.privateKey));
  const encoder = new TextEncoder();
  return {
    deviceId: stored.deviceId,
    publicKey: stored.publicKey,
    sign: async (text) => toBase64Url(await sign(encoder.encode(text))),
  };
}

export interface SignedFields {
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAt: number;
  /** auth.token, else auth.deviceToken, else "" — the same choice the gateway makes. */
  token: string;
  nonce: string;
}

/** The v2 string: v2|deviceId|clientId|clientMode|role|scopes|signedAtMs|token|nonce. */
export function connectPayload(deviceId: string, f: SignedFields): string {
  return ["v2", deviceId, f.clientId, f.clientMode, f.role, f.scopes.join(","), String(f.signedAt), f.token, f.nonce].join("|");
}

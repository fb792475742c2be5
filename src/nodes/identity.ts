/**
 * Device identity on connect: an Ed25519 key whose id is the hex SHA-256 of the raw 32-byte public
 * key, proving possession by signing the connect parameters and the socket's challenge nonce.
 * Verification uses node:crypto; the decoding of keys and signatures is as lenient as the
 * published gateway's (raw base64url or padded base64, PEM or SPKI DER for keys).
 */
import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import { DetailCodes, type ConnectParams } from "../protocol/index.ts";

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw key follows it. */
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
/** A signed connect may be this far from the gateway's clock, either way. */
export const MAX_SIGNATURE_SKEW_MS = 120_000;

export type DeviceProof = NonNullable<ConnectParams["device"]>;

export interface DeviceProofFailure {
  ok: false;
  message: string;
  code: string;
  reason: string;
}

export interface VerifiedDevice {
  ok: true;
  deviceId: string;
  /** The raw key as unpadded base64url, whatever form the client sent. */
  publicKey: string;
  /** Which signed string verified. */
  version: "v3" | "v2";
}

const failures = {
  idMismatch: { message: "device identity mismatch", code: DetailCodes.DEVICE_AUTH_DEVICE_ID_MISMATCH, reason: "device-id-mismatch" },
  stale: { message: "device signature expired", code: DetailCodes.DEVICE_AUTH_SIGNATURE_EXPIRED, reason: "device-signature-stale" },
  nonceMissing: { message: "device nonce required", code: DetailCodes.DEVICE_AUTH_NONCE_REQUIRED, reason: "device-nonce-missing" },
  nonceMismatch: { message: "device nonce mismatch", code: DetailCodes.DEVICE_AUTH_NONCE_MISMATCH, reason: "device-nonce-mismatch" },
  signature: { message: "device signature invalid", code: DetailCodes.DEVICE_AUTH_SIGNATURE_INVALID, reason: "device-signature" },
} as const;

function fail(f: (typeof failures)[keyof typeof failures]): DeviceProofFailure {
  return { ok: false, ...f };
}

/** base64url or standard base64, padded or not; undefined when it is neither. */
function decodeBase64(text: string): Buffer | undefined {
  const s = text.trim();
  if (s === "" || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(s)) return undefined;
  return Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

/** The raw 32-byte Ed25519 key from any form clients send, or undefined. */
export function rawPublicKey(text: string): Buffer | undefined {
  if (text.includes("-----BEGIN")) {
    try {
      const der = createPublicKey(text).export({ format: "der", type: "spki" });
      return rawFromSpki(der);
    } catch {
      return undefined;
    }
  }
  const bytes = decodeBase64(text);
  if (!bytes) return undefined;
  if (bytes.length === 32) return bytes;
  return rawFromSpki(bytes);
}

function rawFromSpki(der: Buffer): Buffer | undefined {
  if (der.length !== SPKI_PREFIX.length + 32 || !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) return undefined;
  return der.subarray(SPKI_PREFIX.length);
}

export function deviceIdOf(raw: Uint8Array): string {
  return createHash("sha256").update(raw).digest("hex");
}

export function toBase64Url(raw: Uint8Array): string {
  return Buffer.from(raw).toString("base64url");
}

/** Trimmed, with only ASCII A–Z lowercased (both sides of the signature do exactly this). */
function normalizeField(value: string | undefined): string {
  return (value ?? "").trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The string a device signs: v3 adds platform and device family to the nine v2 fields. */
export function devicePayload(version: "v3" | "v2", p: ConnectParams, device: Pick<DeviceProof, "id" | "signedAt" | "nonce">): string {
  const token = p.auth?.token ?? p.auth?.deviceToken ?? p.auth?.bootstrapToken ?? "";
  const fields = [
    version, device.id, p.client.id, p.client.mode, p.role ?? "operator", (p.scopes ?? []).join(","),
    String(device.signedAt), token, device.nonce,
  ];
  if (version === "v3") fields.push(normalizeField(p.client.platform), normalizeField(p.client.deviceFamily));
  return fields.join("|");
}

function keyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

/**
 * The proof checks in the published gateway's order: id matches the key, signedAt within ±120 s,
 * a nonce, the socket's nonce, then the v3 (else v2) signature. A key that does not decode fails
 * the first check, as there.
 */
export function verifyDeviceProof(p: ConnectParams, challengeNonce: string, now = Date.now()): VerifiedDevice | DeviceProofFailure {
  const device = p.device;
  if (!device) return fail(failures.idMismatch);
  const raw = rawPublicKey(device.publicKey);
  if (!raw || deviceIdOf(raw) !== device.id) return fail(failures.idMismatch);
  if (!Number.isFinite(device.signedAt) || Math.abs(now - device.signedAt) > MAX_SIGNATURE_SKEW_MS) return fail(failures.stale);
  if (device.nonce.trim() === "") return fail(failures.nonceMissing);
  if (device.nonce !== challengeNonce) return fail(failures.nonceMismatch);
  const signature = decodeBase64(device.signature);
  if (!signature || signature.length !== 64) return fail(failures.signature);
  let key: KeyObject;
  try {
    key = keyObject(raw);
  } catch {
    return fail(failures.signature);
  }
  for (const version of ["v3", "v2"] as const) {
    if (verify(null, Buffer.from(devicePayload(version, p, device), "utf8"), key, signature)) {
      return { ok: true, deviceId: deviceIdOf(raw), publicKey: toBase64Url(raw), version };
    }
  }
  return fail(failures.signature);
}

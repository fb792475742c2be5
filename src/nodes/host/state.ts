/**
 * What a node host keeps between runs, under `<stateDir>/node/` (0700, files 0600): its Ed25519
 * identity (the key *is* the device, so it must survive restarts and reinstalls of the binary),
 * its settings (instance id, last gateway) and the device tokens gateways handed it.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../config/write-file.ts";
import { deviceIdOf, devicePayload, toBase64Url } from "../identity.ts";
import type { ConnectParams } from "../../protocol/index.ts";

export class NodeStateError extends Error {
  override name = "NodeStateError";
}

export function nodeStateDir(stateDir: string): string {
  return join(stateDir, "node");
}

const IdentityFileSchema = z.object({
  version: z.literal(1),
  deviceId: z.string(),
  publicKey: z.string(),
  privateKeyPem: z.string(),
  createdAtMs: z.number(),
});

export interface NodeIdentity {
  deviceId: string;
  /** Raw key, unpadded base64url. */
  publicKey: string;
  createdAtMs: number;
  path: string;
  /** True when this call made the key. */
  created: boolean;
  /** The connect params with a v3 device proof over `nonce`, signed as sent. */
  signConnect(params: Record<string, unknown>, nonce: string): Record<string, unknown>;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new NodeStateError(`${path}: unreadable (${(err as Error).message}); move it aside to start over`);
  }
}

function identityFrom(privateKey: KeyObject, createdAtMs: number, path: string, created: boolean): NodeIdentity {
  const raw = createPublicKey(privateKey).export({ format: "der", type: "spki" }).subarray(12);
  const deviceId = deviceIdOf(raw);
  const publicKey = toBase64Url(raw);
  return {
    deviceId, publicKey, createdAtMs, path, created,
    signConnect(params, nonce) {
      const signedAt = Date.now();
      const payload = devicePayload("v3", params as unknown as ConnectParams, { id: deviceId, signedAt, nonce });
      const signature = sign(null, Buffer.from(payload, "utf8"), privateKey).toString("base64url");
      return { ...params, device: { id: deviceId, publicKey, signature, signedAt, nonce } };
    },
  };
}

/**
 * The node's identity, made on first use. A damaged file is an error, never silently replaced:
 * a new key is a new device that every gateway would have to approve again.
 */
export function loadOrCreateIdentity(stateDir: string, now = Date.now()): NodeIdentity {
  const path = join(nodeStateDir(stateDir), "device.json");
  if (existsSync(path)) {
    const parsed = IdentityFileSchema.safeParse(readJson(path));
    if (!parsed.success) throw new NodeStateError(`${path}: not a node identity file; move it aside to start over`);
    let key: KeyObject;
    try {
      key = createPrivateKey(parsed.data.privateKeyPem);
    } catch {
      throw new NodeStateError(`${path}: the private key does not load; move it aside to start over`);
    }
    const identity = identityFrom(key, parsed.data.createdAtMs, path, false);
    if (identity.deviceId !== parsed.data.deviceId) throw new NodeStateError(`${path}: deviceId does not match the key`);
    chmodSync(path, 0o600);
    return identity;
  }
  const { privateKey } = generateKeyPairSync("ed25519");
  const identity = identityFrom(privateKey, now, path, true);
  const file = {
    version: 1, deviceId: identity.deviceId, publicKey: identity.publicKey,
    privateKeyPem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(), createdAtMs: now,
  };
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  return identity;
}

const SettingsSchema = z.object({
  version: z.literal(1),
  instanceId: z.string(),
  displayName: z.string().optional(),
  gateway: z.object({ host: z.string(), port: z.number(), tls: z.boolean() }).optional(),
});
export type NodeSettings = z.infer<typeof SettingsSchema>;

export function loadSettings(stateDir: string): NodeSettings {
  const path = join(nodeStateDir(stateDir), "node.json");
  if (!existsSync(path)) return { version: 1, instanceId: crypto.randomUUID() };
  const parsed = SettingsSchema.safeParse(readJson(path));
  if (!parsed.success) throw new NodeStateError(`${path}: not a node settings file; move it aside to start over`);
  return parsed.data;
}

export function saveSettings(stateDir: string, settings: NodeSettings): void {
  writeFileAtomic(join(nodeStateDir(stateDir), "node.json"), `${JSON.stringify(settings, null, 2)}\n`, 0o600);
}

const TokensSchema = z.object({
  version: z.literal(1),
  tokens: z.record(z.string(), z.object({ token: z.string(), role: z.string(), issuedAtMs: z.number().optional() })),
});

/** Device tokens by gateway URL: each gateway mints its own for this key. */
export class DeviceTokens {
  private readonly path: string;

  constructor(stateDir: string) {
    this.path = join(nodeStateDir(stateDir), "device-auth.json");
  }

  private read(): z.infer<typeof TokensSchema> {
    // Tokens can always be minted again, so a damaged file only costs a connect with the shared secret.
    let parsed;
    try {
      parsed = TokensSchema.safeParse(JSON.parse(readFileSync(this.path, "utf8")));
    } catch {
      return { version: 1, tokens: {} };
    }
    return parsed.success ? parsed.data : { version: 1, tokens: {} };
  }

  get(url: string): string | undefined {
    return this.read().tokens[url]?.token;
  }

  set(url: string, token: string, issuedAtMs?: number): void {
    const file = this.read();
    if (file.tokens[url]?.token === token) return;
    file.tokens[url] = { token, role: "node", ...(issuedAtMs !== undefined ? { issuedAtMs } : {}) };
    writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  }

  delete(url: string): void {
    const file = this.read();
    if (!(url in file.tokens)) return;
    delete file.tokens[url];
    writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  }
}

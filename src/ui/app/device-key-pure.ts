/**
 * Ed25519 and SHA-256 in plain JavaScript (@noble/ed25519 + @noble/hashes), for pages where
 * WebCrypto cannot sign: crypto.subtle is missing outside secure contexts (plain HTTP to a LAN
 * address). Loaded only there, as a chunk of its own.
 */
import * as ed from "@noble/ed25519";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import type { Ed25519Impl } from "./device-key.ts";

ed.hashes.sha512 = sha512;

export const pureImpl: Ed25519Impl = {
  async generate() {
    const seed = ed.utils.randomSecretKey();
    return { seed, publicKey: ed.getPublicKey(seed) };
  },
  async signer(seed) {
    return async (message) => ed.sign(message, seed);
  },
  async sha256(data) {
    return sha256(data);
  },
};

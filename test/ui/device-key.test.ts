// The browser's device identity, run under Bun: both implementations (WebCrypto and the pure-JS
// fallback) make keys whose id and v2 signature the gateway's verifier accepts, and each can
// sign with a key the other made (one stored format).
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { verifyDeviceProof } from "../../src/nodes/identity.ts";
import type { ConnectParams } from "../../src/protocol/index.ts";
import { pureImpl } from "../../src/ui/app/device-key-pure.ts";
import {
  connectPayload, createIdentity, fromBase64Url, openIdentity, parseIdentity, toBase64Url, webCryptoImpl, webCryptoUsable, type Ed25519Impl,
} from "../../src/ui/app/device-key.ts";

const impls: Array<[string, Ed25519Impl]> = [["WebCrypto", webCryptoImpl], ["pure JS", pureImpl]];

function params(token?: string): ConnectParams {
  return {
    minProtocol: 4, maxProtocol: 4, role: "operator", scopes: ["operator.admin", "operator.read"],
    client: { id: "openclaw-control-ui", version: "t", platform: "Linux x86_64", mode: "webchat" },
    ...(token ? { auth: { token } } : {}),
  };
}

async function signedConnect(impl: Ed25519Impl, stored: Awaited<ReturnType<typeof createIdentity>>, nonce: string, token?: string): Promise<ConnectParams> {
  const key = await openIdentity(impl, stored);
  const p = params(token);
  const signedAt = Date.now();
  const signature = await key.sign(connectPayload(key.deviceId, {
    clientId: p.client.id, clientMode: p.client.mode, role: "operator", scopes: p.scopes!, signedAt, nonce, token: token ?? "",
  }));
  return { ...p, device: { id: key.deviceId, publicKey: key.publicKey, signature, signedAt, nonce } };
}

test("Bun has WebCrypto Ed25519 (so both paths are exercised here)", async () => {
  expect(await webCryptoUsable()).toBe(true);
});

describe.each(impls)("%s", (_name, impl) => {
  test("the id is the hex SHA-256 of the raw public key; the gateway verifies the v2 signature", async () => {
    const stored = await createIdentity(impl);
    expect(fromBase64Url(stored.publicKey)).toHaveLength(32);
    expect(fromBase64Url(stored.privateKey)).toHaveLength(32);
    expect(stored.deviceId).toBe(createHash("sha256").update(fromBase64Url(stored.publicKey)).digest("hex"));
    for (const token of [undefined, "tok-123"]) {
      const nonce = crypto.randomUUID();
      const verdict = verifyDeviceProof(await signedConnect(impl, stored, nonce, token), nonce);
      expect(verdict).toMatchObject({ ok: true, deviceId: stored.deviceId, version: "v2" });
    }
  });

  test("a signature over another nonce or token is refused", async () => {
    const stored = await createIdentity(impl);
    const signed = await signedConnect(impl, stored, "nonce-a", "tok");
    expect(verifyDeviceProof(signed, "nonce-b")).toMatchObject({ ok: false });
    expect(verifyDeviceProof({ ...signed, auth: { token: "other" } }, "nonce-a")).toMatchObject({ ok: false, reason: "device-signature" });
  });
});

test("a key made by one implementation signs identically with the other", async () => {
  const stored = await createIdentity(webCryptoImpl);
  const message = new TextEncoder().encode("v2|same|message");
  const a = await (await webCryptoImpl.signer(fromBase64Url(stored.privateKey)))(message);
  const b = await (await pureImpl.signer(fromBase64Url(stored.privateKey)))(message);
  expect(toBase64Url(a)).toBe(toBase64Url(b)); // Ed25519 is deterministic
  const nonce = crypto.randomUUID();
  expect(verifyDeviceProof(await signedConnect(pureImpl, stored, nonce), nonce).ok).toBe(true);
});

test("a damaged stored identity is rejected (the page then makes a new one)", async () => {
  const good = await createIdentity(pureImpl);
  expect(parseIdentity(JSON.stringify(good))).toEqual(good);
  for (const bad of [null, "", "{", "[]", JSON.stringify({ ...good, version: 2 }), JSON.stringify({ ...good, deviceId: "x" }), JSON.stringify({ ...good, privateKey: "AAAA" })]) {
    expect(parseIdentity(bad)).toBeUndefined();
  }
});

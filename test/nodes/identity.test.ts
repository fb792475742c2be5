// Device proof on connect (spec nodes §1): the checks, their order, and the lenient key/signature
// decoding, against keys made with node:crypto the way the published node host makes them.
import { describe, expect, test } from "bun:test";
import { devicePayload, rawPublicKey, verifyDeviceProof } from "../../src/nodes/identity.ts";
import type { ConnectParams } from "../../src/protocol/index.ts";
import { newTestDevice } from "../fixtures/device.ts";

const NONCE = "f33aa1ab-0000-4000-8000-000000000001";
const base: ConnectParams = {
  minProtocol: 4, maxProtocol: 4, role: "node", scopes: [],
  client: { id: "node-host", version: "2026.9.6", platform: "Linux", mode: "node", deviceFamily: " Linux " },
  auth: { token: "testtok" },
};

describe("verifyDeviceProof", () => {
  const dev = newTestDevice();

  test("a v3 signature over the challenge nonce verifies; the key comes back as raw base64url", () => {
    const r = verifyDeviceProof(dev.signConnect(base, NONCE), NONCE);
    expect(r).toEqual({ ok: true, deviceId: dev.id, publicKey: dev.publicKey, version: "v3" });
  });

  test("v2 (nine fields) is still accepted", () => {
    expect(verifyDeviceProof(dev.signConnect(base, NONCE, { version: "v2" }), NONCE)).toMatchObject({ ok: true, version: "v2" });
  });

  test("the v3 string: platform and device family trimmed, only ASCII A-Z lowercased; token falls back to deviceToken", () => {
    const p = { ...base, auth: { deviceToken: "dt" }, client: { ...base.client, platform: " Darwin ÄB ", deviceFamily: undefined } };
    expect(devicePayload("v3", p, { id: "ID", signedAt: 5, nonce: "n" })).toBe("v3|ID|node-host|node|node||5|dt|n|darwin Äb|");
  });

  test("a PEM key and a padded standard-base64 key are accepted", () => {
    const signed = dev.signConnect(base, NONCE);
    const std = Buffer.from(dev.publicKey, "base64url").toString("base64");
    for (const publicKey of [dev.publicKeyPem, std]) {
      expect(verifyDeviceProof({ ...signed, device: { ...signed.device!, publicKey } }, NONCE)).toMatchObject({ ok: true, publicKey: dev.publicKey });
    }
    expect(rawPublicKey("not a key")).toBeUndefined();
  });

  const cases: Array<[string, (p: ConnectParams) => ConnectParams, string, string, string]> = [
    ["an id that is not the key's hash", (p) => ({ ...p, device: { ...p.device!, id: newTestDevice().id } }), "device identity mismatch", "DEVICE_AUTH_DEVICE_ID_MISMATCH", "device-id-mismatch"],
    ["a key that does not decode (fails as an id mismatch, as published)", (p) => ({ ...p, device: { ...p.device!, publicKey: "%%%" } }), "device identity mismatch", "DEVICE_AUTH_DEVICE_ID_MISMATCH", "device-id-mismatch"],
    ["signedAt 121 s in the past", (p) => dev.signConnect(base, NONCE, { signedAt: Date.now() - 121_000 }), "device signature expired", "DEVICE_AUTH_SIGNATURE_EXPIRED", "device-signature-stale"],
    ["signedAt 121 s in the future", (p) => dev.signConnect(base, NONCE, { signedAt: Date.now() + 121_000 }), "device signature expired", "DEVICE_AUTH_SIGNATURE_EXPIRED", "device-signature-stale"],
    ["a blank nonce", (p) => dev.signConnect(base, " "), "device nonce required", "DEVICE_AUTH_NONCE_REQUIRED", "device-nonce-missing"],
    ["another socket's nonce", (p) => dev.signConnect(base, "other-nonce"), "device nonce mismatch", "DEVICE_AUTH_NONCE_MISMATCH", "device-nonce-mismatch"],
    ["scopes changed after signing", (p) => ({ ...p, scopes: ["operator.admin"] }), "device signature invalid", "DEVICE_AUTH_SIGNATURE_INVALID", "device-signature"],
    ["a signature by another key", (p) => ({ ...p, device: { ...p.device!, signature: newTestDevice().signConnect(base, NONCE).device!.signature } }), "device signature invalid", "DEVICE_AUTH_SIGNATURE_INVALID", "device-signature"],
    ["a signature that is not 64 bytes", (p) => ({ ...p, device: { ...p.device!, signature: "AAAA" } }), "device signature invalid", "DEVICE_AUTH_SIGNATURE_INVALID", "device-signature"],
    ["a signature that is not base64", (p) => ({ ...p, device: { ...p.device!, signature: "!!" } }), "device signature invalid", "DEVICE_AUTH_SIGNATURE_INVALID", "device-signature"],
  ];
  for (const [name, change, message, code, reason] of cases) {
    test(`${name} → ${code}`, () => {
      expect(verifyDeviceProof(change(dev.signConnect(base, NONCE)), NONCE)).toEqual({ ok: false, message, code, reason });
    });
  }

  test("the skew is ±120 s: 119 s either way passes", () => {
    for (const d of [-119_000, 119_000]) {
      expect(verifyDeviceProof(dev.signConnect(base, NONCE, { signedAt: Date.now() + d }), NONCE).ok).toBe(true);
    }
  });

  test("checks run in order: a wrong id wins over a stale time and a foreign nonce", () => {
    const p = dev.signConnect(base, "other", { signedAt: 0 });
    const wrongId = { ...p, device: { ...p.device!, id: "0".repeat(64) } };
    expect(verifyDeviceProof(wrongId, NONCE)).toMatchObject({ code: "DEVICE_AUTH_DEVICE_ID_MISMATCH" });
    expect(verifyDeviceProof(p, NONCE)).toMatchObject({ code: "DEVICE_AUTH_SIGNATURE_EXPIRED" });
  });
});

// The node host's files: an identity made once and kept (0600), settings, and device tokens by URL.
import { describe, expect, test } from "bun:test";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { verifyDeviceProof } from "../../../src/nodes/identity.ts";
import { DeviceTokens, loadOrCreateIdentity, loadSettings, NodeStateError, saveSettings } from "../../../src/nodes/host/state.ts";
import type { ConnectParams } from "../../../src/protocol/index.ts";
import { tempDir } from "../../fixtures/gateway.ts";

describe("identity", () => {
  test("made on first use with mode 0600, the same key afterwards", () => {
    const dir = tempDir("node-");
    const first = loadOrCreateIdentity(dir, 1234);
    expect(first.created).toBe(true);
    expect(first.deviceId).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "node")).mode & 0o777).toBe(0o700);
    chmodSync(first.path, 0o644);
    const again = loadOrCreateIdentity(dir);
    expect(again).toMatchObject({ deviceId: first.deviceId, publicKey: first.publicKey, createdAtMs: 1234, created: false });
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
  });

  test("its signed connects verify on the gateway side", () => {
    const id = loadOrCreateIdentity(tempDir("node-"));
    const params = {
      minProtocol: 4, maxProtocol: 4, role: "node", scopes: [], auth: { token: "t" },
      client: { id: "node-host", version: "x", platform: "linux", deviceFamily: "Linux", mode: "node" },
    };
    const signed = id.signConnect(params, "nonce-1") as unknown as ConnectParams;
    expect(verifyDeviceProof(signed, "nonce-1")).toMatchObject({ ok: true, deviceId: id.deviceId, version: "v3" });
    expect(verifyDeviceProof(signed, "nonce-2")).toMatchObject({ ok: false, reason: "device-nonce-mismatch" });
  });

  test("a damaged identity is an error, never silently replaced by a new device", () => {
    const dir = tempDir("node-");
    const { path } = loadOrCreateIdentity(dir);
    writeFileSync(path, "{not json");
    expect(() => loadOrCreateIdentity(dir)).toThrow(NodeStateError);
    writeFileSync(path, JSON.stringify({ version: 1, deviceId: "x", publicKey: "y", privateKeyPem: "nope", createdAtMs: 1 }));
    expect(() => loadOrCreateIdentity(dir)).toThrow("the private key does not load");
    expect(readFileSync(path, "utf8")).toContain("nope");
  });
});

describe("settings and tokens", () => {
  test("settings default to a fresh instance id and round-trip", () => {
    const dir = tempDir("node-");
    const s = loadSettings(dir);
    expect(s.instanceId).toMatch(/^[0-9a-f-]{36}$/);
    saveSettings(dir, { ...s, displayName: "box", gateway: { host: "h", port: 1, tls: true } });
    expect(loadSettings(dir)).toEqual({ ...s, displayName: "box", gateway: { host: "h", port: 1, tls: true } });
  });

  test("tokens are kept per gateway URL in a 0600 file; a damaged file only forgets them", () => {
    const dir = tempDir("node-");
    const tokens = new DeviceTokens(dir);
    expect(tokens.get("ws://a")).toBeUndefined();
    tokens.set("ws://a", "tok-a", 5);
    tokens.set("ws://b", "tok-b");
    expect([new DeviceTokens(dir).get("ws://a"), tokens.get("ws://b")]).toEqual(["tok-a", "tok-b"]);
    const file = join(dir, "node", "device-auth.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    tokens.delete("ws://a");
    expect(tokens.get("ws://a")).toBeUndefined();
    writeFileSync(file, "garbage");
    expect(tokens.get("ws://b")).toBeUndefined();
  });
});

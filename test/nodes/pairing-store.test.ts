// Device pairing storage: requests reused, superseded and expired; approval mints one token per
// (device, role), stored only as a digest; rotate, revoke, remove; everything survives a reopen.
import { describe, expect, test } from "bun:test";
import { createHash, sign, verify } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PairingStore, PENDING_TTL_MS, type PairingRequestInput } from "../../src/nodes/pairing-store.ts";
import { tempDir } from "../fixtures/gateway.ts";

const node = (deviceId = "d".repeat(64), extra: Partial<PairingRequestInput> = {}): PairingRequestInput => ({
  deviceId, publicKey: "pk-1", role: "node", scopes: [], clientId: "node-host", clientMode: "node", platform: "linux", displayName: "box", ...extra,
});

describe("pending requests", () => {
  test("a retry reuses the request; a changed role, scopes or key supersedes it", () => {
    const s = PairingStore.open(":memory:");
    const first = s.request(node(), 1000);
    expect(first.created).toBe(true);
    const again = s.request(node(), 2000);
    expect(again).toMatchObject({ created: false, request: { requestId: first.request.requestId } });
    for (const change of [{ role: "operator" }, { scopes: ["operator.read"] }, { publicKey: "pk-2" }]) {
      const prev = s.pending(3000)[0]!;
      const next = s.request(node(undefined, change), 3000);
      expect(next.created).toBe(true);
      expect(next.superseded?.requestId).toBe(prev.requestId);
      expect(next.request.requestId).not.toBe(prev.requestId);
      expect(s.pending(3000)).toHaveLength(1);
    }
  });

  test("a request expires 5 minutes after its last retry", () => {
    const s = PairingStore.open(":memory:");
    s.request(node(), 0);
    s.request(node(), 200_000);
    expect(s.pending(200_000 + PENDING_TTL_MS - 1)).toHaveLength(1);
    expect(s.pending(200_000 + PENDING_TTL_MS + 1)).toHaveLength(0);
  });

  test("reject drops the request and says whose it was", () => {
    const s = PairingStore.open(":memory:");
    const { request } = s.request(node());
    expect(s.reject(request.requestId)?.deviceId).toBe(request.deviceId);
    expect(s.reject(request.requestId)).toBeUndefined();
    expect(s.pending()).toEqual([]);
  });
});

describe("paired devices and tokens", () => {
  test("approve pairs the role; the token is minted for the device's next connect, shown once, never listed", () => {
    const s = PairingStore.open(":memory:");
    const { request } = s.request(node());
    const approved = s.approve(request.requestId, "owner", 5000)!;
    expect(approved.device).toMatchObject({ deviceId: request.deviceId, roles: ["node"], approvedVia: "owner", approvedAtMs: 5000, displayName: "box" });
    expect(s.pending()).toEqual([]);
    expect(s.needsToken(request.deviceId, "node")).toBe(true);
    const token = s.mint(request.deviceId, "node")!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(s.list())).not.toContain(token);
    expect(s.verifyToken(request.deviceId, "node", token)).toBe(true);
    expect(s.verifyToken(request.deviceId, "node", token + "x")).toBe(false);
    expect(s.verifyToken(request.deviceId, "operator", token)).toBe(false);
    expect(s.approve(request.requestId, "owner")).toBeUndefined();
  });

  test("rotate retires the token at once and the next one is minted later; revoke drops it and the role; remove forgets the device", () => {
    const s = PairingStore.open(":memory:");
    const { token } = s.pairNow(node(), "silent", 1000);
    expect(s.needsToken(node().deviceId, "node")).toBe(false);
    const rotated = s.rotate(node().deviceId, "node", 2000)!;
    expect(rotated).toEqual({ scopes: [], rotatedAtMs: 2000 });
    expect(s.verifyToken(node().deviceId, "node", token)).toBe(false);
    expect(s.verifyToken(node().deviceId, "node", "")).toBe(false);
    expect(s.needsToken(node().deviceId, "node")).toBe(true);
    const next = s.mint(node().deviceId, "node", 2500)!;
    expect(s.verifyToken(node().deviceId, "node", next)).toBe(true);
    expect(s.needsToken(node().deviceId, "node")).toBe(false);
    expect(s.revoke(node().deviceId, "node", 3000)).toEqual({ revokedAtMs: 3000 });
    expect(s.verifyToken(node().deviceId, "node", next)).toBe(false);
    expect(s.paired(node().deviceId)?.roles).toEqual([]);
    expect(s.revoke(node().deviceId, "node")).toBeUndefined();
    expect(s.rotate(node().deviceId, "node")).toBeUndefined();
    expect(s.remove(node().deviceId)).toBe(true);
    expect(s.paired(node().deviceId)).toBeUndefined();
  });

  test("a second role adds to the device; a new key for the same id starts its roles over", () => {
    const s = PairingStore.open(":memory:");
    s.pairNow(node(), "silent");
    s.pairNow(node(undefined, { role: "operator", scopes: ["operator.read"] }), "owner");
    expect(s.paired(node().deviceId)).toMatchObject({ roles: ["node", "operator"], scopes: ["operator.read"] });
    expect(s.paired(node().deviceId)!.tokens.map((t) => t.role)).toEqual(["node", "operator"]);
    s.pairNow(node(undefined, { publicKey: "pk-other" }), "owner");
    expect(s.paired(node().deviceId)?.roles).toEqual(["node"]);
  });

  test("the gateway's own identity is made once and kept: a valid Ed25519 key whose id is its hash", () => {
    const path = join(tempDir("pairing-"), "state", "pairing.sqlite");
    const s = PairingStore.open(path);
    const first = s.identity();
    expect(first.deviceId).toMatch(/^[0-9a-f]{64}$/);
    expect(createHash("sha256").update(Buffer.from(first.publicKey, "base64url")).digest("hex")).toBe(first.deviceId);
    const signature = sign(null, Buffer.from("hello"), first.privateKeyPem);
    expect(verify(null, Buffer.from("hello"), first.publicKeyPem, signature)).toBe(true);
    s.close();
    const again = PairingStore.open(path);
    expect(again.identity().deviceId).toBe(first.deviceId);
    again.close();
  });

  test("survives a reopen; the file holds digests, never a token", () => {
    const path = join(tempDir("pairing-"), "state", "pairing.sqlite");
    const s = PairingStore.open(path);
    const { token } = s.pairNow(node(), "silent");
    // While open the WAL holds the writes too: neither file may contain the token.
    for (const file of [path, `${path}-wal`]) if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(token))).toBe(false);
    s.close();
    const again = PairingStore.open(path);
    expect(again.verifyToken(node().deviceId, "node", token)).toBe(true);
    again.close();
    expect(readFileSync(path).includes(Buffer.from(token))).toBe(false);
    expect(readFileSync(path).includes(Buffer.from(createHash("sha256").update(token).digest("hex")))).toBe(true);
  });
});

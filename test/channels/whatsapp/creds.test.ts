// The linked-device credentials on disk: modes, the backup before each save, restoring a corrupt
// creds.json, serialized saves, linked detection, the self identity, logout, and account resolution.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../fixtures/gateway.ts";
import { AuthStore, createSerializer } from "../../../src/channels/whatsapp/auth-store.ts";
import { authAgeMs, defaultAuthDir, isLinked, logoutAuthDir, readSelf } from "../../../src/channels/whatsapp/creds.ts";
import { resolveAccounts } from "../../../src/channels/whatsapp/accounts.ts";
import { writeLinkedCreds } from "./fake-socket.ts";

const mode = (p: string) => statSync(p).mode & 0o777;

function store(authDir: string, serialize = createSerializer()) {
  const s = new AuthStore(authDir, { serialize });
  s.ensureCreds(() => ({ me: { id: "15550001111:3@s.whatsapp.net" }, noiseKey: { private: Buffer.from([9, 8, 7]) }, counter: 0 }));
  return s;
}

describe("AuthStore", () => {
  test("creds.json and key files are 0600 in a 0700 dir, Buffers round-trip in Baileys' format", async () => {
    const dir = join(tempDir("wa-creds-"), "nested", "acct");
    const s = store(dir);
    await s.saveCreds();
    await s.keys.set({ "pre-key": { "1": { public: Buffer.from([1]), private: Buffer.from([2]) } }, session: { "1555:2@s.whatsapp.net": Buffer.from([5]) } });
    expect(mode(dir)).toBe(0o700);
    expect(readdirSync(dir).sort()).toEqual(["creds.json", "pre-key-1.json", "session-1555-2@s.whatsapp.net.json"]);
    for (const f of readdirSync(dir)) expect(mode(join(dir, f))).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, "creds.json"), "utf8")).noiseKey.private).toEqual({ type: "Buffer", data: Buffer.from([9, 8, 7]).toString("base64") });
    const again = new AuthStore(dir, { serialize: createSerializer() });
    expect(Buffer.isBuffer((again.creds as any).noiseKey.private)).toBe(true);
    expect([...(again.creds as any).noiseKey.private]).toEqual([9, 8, 7]);
    const keys = await again.keys.get("pre-key", ["1", "2"]);
    expect([...(keys["1"] as any).private]).toEqual([2]);
    expect(keys["2"]).toBeNull();
    await again.keys.set({ "pre-key": { "1": null } });
    expect(existsSync(join(dir, "pre-key-1.json"))).toBe(false);
  });

  test("an existing dir with loose permissions is tightened to 0700", async () => {
    const dir = tempDir("wa-creds-");
    const { chmodSync } = await import("node:fs");
    chmodSync(dir, 0o755);
    await store(dir).saveCreds();
    expect(mode(dir)).toBe(0o700);
  });

  test("each save first copies the previous creds.json to creds.json.bak (0600)", async () => {
    const dir = tempDir("wa-creds-");
    const s = store(dir);
    await s.saveCreds();
    expect(existsSync(join(dir, "creds.json.bak"))).toBe(false); // nothing to back up yet
    (s.creds as any).counter = 1;
    await s.saveCreds();
    expect(JSON.parse(readFileSync(join(dir, "creds.json.bak"), "utf8")).counter).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "creds.json"), "utf8")).counter).toBe(1);
    expect(mode(join(dir, "creds.json.bak"))).toBe(0o600);
    // A corrupt creds.json never replaces a good backup.
    writeFileSync(join(dir, "creds.json"), "{not json");
    (s.creds as any).counter = 2;
    await s.saveCreds();
    expect(JSON.parse(readFileSync(join(dir, "creds.json.bak"), "utf8")).counter).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "creds.json"), "utf8")).counter).toBe(2);
  });

  test("saves to one auth dir run one at a time, in call order, even from two stores", async () => {
    const dir = tempDir("wa-creds-");
    const serialize = createSerializer();
    const events: string[] = [];
    let active = 0;
    let maxActive = 0;
    const tracing: typeof serialize = (key, fn) =>
      serialize(key, async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        events.push(`start ${key.endsWith("creds.json") ? "creds" : key}`);
        await Bun.sleep(2); // a slow disk: the next save must still wait
        try {
          return await fn();
        } finally {
          active--;
        }
      });
    const a = new AuthStore(dir, { serialize: tracing });
    const b = new AuthStore(dir, { serialize: tracing });
    a.ensureCreds(() => ({ n: 0 }));
    b.ensureCreds(() => ({ n: 0 }));
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 10; i++) {
      const s = i % 2 ? a : b;
      (s.creds as any).n = i;
      saves.push(s.saveCreds());
    }
    await Promise.all(saves);
    expect(maxActive).toBe(1);
    expect(events.length).toBe(10);
    expect(JSON.parse(readFileSync(join(dir, "creds.json"), "utf8")).n).toBe(10);
    expect(JSON.parse(readFileSync(join(dir, "creds.json.bak"), "utf8")).n).toBe(9);
  });

  test("a fresh (login) store writes nothing until commit, then replaces the old link", async () => {
    const dir = tempDir("wa-creds-");
    writeLinkedCreds(dir, { id: "15559990000:1@s.whatsapp.net", lid: "1@lid" });
    writeFileSync(join(dir, "session-old.json"), "{}");
    writeFileSync(join(dir, "notes.txt"), "mine");
    const s = new AuthStore(dir, { serialize: createSerializer(), fresh: true });
    expect(s.creds).toBeUndefined(); // the old link is not read
    s.ensureCreds(() => ({ registered: false }));
    await s.saveCreds();
    await s.keys.set({ "pre-key": { "5": { public: Buffer.from([5]) } } });
    expect((await s.keys.get("pre-key", ["5"]))["5"]).toBeTruthy(); // served from memory
    expect(readSelf(dir).e164).toBe("+15559990000"); // untouched so far
    expect(existsSync(join(dir, "pre-key-5.json"))).toBe(false);
    (s.creds as any).me = { id: "15551112222:4@s.whatsapp.net" };
    await s.commit();
    expect(readSelf(dir).e164).toBe("+15551112222");
    expect(readdirSync(dir).sort()).toEqual(["creds.json", "notes.txt", "pre-key-5.json"]);
    expect(s.isDeferred).toBe(false);
  });
});

describe("linked state", () => {
  test("linked ⇔ creds.json is a regular file of more than one byte that parses", () => {
    const dir = tempDir("wa-linked-");
    expect(isLinked(join(dir, "missing"))).toBe(false);
    expect(isLinked(dir)).toBe(false);
    writeFileSync(join(dir, "creds.json"), "{");
    expect(isLinked(dir)).toBe(false);
    writeFileSync(join(dir, "creds.json"), "1");
    expect(isLinked(dir)).toBe(false); // one byte
    writeFileSync(join(dir, "creds.json"), "[]");
    expect(isLinked(dir)).toBe(false); // not an object
    writeFileSync(join(dir, "creds.json"), '{"me":{"id":"1@s.whatsapp.net"}}');
    expect(isLinked(dir)).toBe(true);
    const dir2 = tempDir("wa-linked-");
    mkdirSync(join(dir2, "creds.json"));
    expect(isLinked(dir2)).toBe(false); // a directory
    const dir3 = tempDir("wa-linked-");
    symlinkSync(join(dir, "creds.json"), join(dir3, "creds.json"));
    expect(isLinked(dir3)).toBe(false); // a symlink is not a regular file
  });

  test("a corrupt creds.json is restored from creds.json.bak before deciding", () => {
    const dir = tempDir("wa-linked-");
    writeLinkedCreds(dir);
    writeFileSync(join(dir, "creds.json.bak"), readFileSync(join(dir, "creds.json")));
    writeFileSync(join(dir, "creds.json"), '{"me":'); // a torn write
    expect(isLinked(dir)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "creds.json"), "utf8")).me.id).toBe("15550001111:7@s.whatsapp.net");
    expect(mode(join(dir, "creds.json"))).toBe(0o600);
    // Both bad: not linked, and nothing is invented.
    writeFileSync(join(dir, "creds.json"), "x");
    writeFileSync(join(dir, "creds.json.bak"), "y");
    expect(isLinked(dir)).toBe(false);
  });

  test("self identity from me.id / me.lid, and authAgeMs from creds.json's mtime", () => {
    const dir = tempDir("wa-self-");
    expect(readSelf(dir)).toEqual({ e164: null, jid: null, lid: null });
    expect(authAgeMs(dir)).toBeNull();
    writeLinkedCreds(dir, { id: "4915112345678:12@s.whatsapp.net", lid: "1234567890:12@lid" });
    expect(readSelf(dir)).toEqual({ e164: "+4915112345678", jid: "4915112345678@s.whatsapp.net", lid: "1234567890@lid" });
    const t = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, "creds.json"), t, t);
    const age = authAgeMs(dir)!;
    expect(age).toBeGreaterThanOrEqual(3_600_000);
    expect(age).toBeLessThan(3_700_000);
  });

  test("logout removes the Baileys files and the dir; foreign files (and their dir) stay", () => {
    const dir = tempDir("wa-logout-");
    const a = join(dir, "a");
    writeLinkedCreds(a);
    writeFileSync(join(a, "creds.json.bak"), "{}");
    writeFileSync(join(a, "session-1.json"), "{}");
    writeFileSync(join(a, "app-state-sync-key-AAA.json"), "{}");
    expect(logoutAuthDir(a)).toBe(true);
    expect(existsSync(a)).toBe(false);
    expect(logoutAuthDir(a)).toBe(false); // nothing linked any more

    const custom = join(dir, "custom");
    writeLinkedCreds(custom);
    writeFileSync(join(custom, "keep.txt"), "x");
    expect(logoutAuthDir(custom)).toBe(true);
    expect(readdirSync(custom)).toEqual(["keep.txt"]);
  });
});

describe("resolveAccounts", () => {
  test("root is the default account; named accounts inherit root keys except authDir/enabled/name; configured = linked", () => {
    const state = tempDir("wa-state-");
    writeLinkedCreds(defaultAuthDir(state, "work"));
    const accounts = resolveAccounts(
      {
        dmPolicy: "allowlist", allowFrom: ["+15550001111"], name: "Main", authDir: join(state, "main-auth"), sendReadReceipts: false,
        accounts: { work: { groupPolicy: "open" }, off: { enabled: false, dmPolicy: "open" } },
      },
      state,
    );
    expect(accounts.map((a) => a.accountId)).toEqual(["default", "off", "work"]);
    const [dflt, off, work] = accounts;
    expect(dflt!.config).toMatchObject({ name: "Main", authDir: join(state, "main-auth"), dmPolicy: "allowlist" });
    expect(dflt!.configured).toBe(false);
    expect(dflt!.unconfiguredReason).toBe("not linked");
    expect(work!.config).toEqual({
      dmPolicy: "allowlist", allowFrom: ["+15550001111"], sendReadReceipts: false, groupPolicy: "open", authDir: defaultAuthDir(state, "work"),
    });
    expect(work!.configured).toBe(true);
    expect(work!.unconfiguredReason).toBeUndefined();
    expect(off!.enabled).toBe(false);
    expect(off!.config.dmPolicy).toBe("open");
  });

  test("an empty section is the default account; named-only sections drop an unlinked default; no section, no accounts", () => {
    const state = tempDir("wa-state-");
    expect(resolveAccounts({}, state).map((a) => [a.accountId, a.enabled, a.config.authDir])).toEqual([["default", true, defaultAuthDir(state, "default")]]);
    expect(resolveAccounts({ accounts: { work: {} } }, state).map((a) => a.accountId)).toEqual(["work"]);
    writeLinkedCreds(defaultAuthDir(state, "default"));
    expect(resolveAccounts({ accounts: { work: {} } }, state).map((a) => a.accountId)).toEqual(["default", "work"]);
    expect(resolveAccounts(undefined, state)).toEqual([]);
    expect(resolveAccounts({ enabled: false }, state)[0]!.enabled).toBe(false);
  });
});

describe("compatibility with Baileys' own store", () => {
  test("a dir written by useMultiFileAuthState reads back identically, and ours reads back in Baileys'", async () => {
    const b = await import("@whiskeysockets/baileys");
    const theirs = tempDir("wa-compat-");
    const { state, saveCreds } = await b.useMultiFileAuthState(theirs);
    await saveCreds();
    await state.keys.set({ "pre-key": { "7": b.Curve.generateKeyPair() } });
    const ours = new AuthStore(theirs, { serialize: createSerializer() });
    expect(JSON.stringify(ours.creds, b.BufferJSON.replacer)).toBe(JSON.stringify(state.creds, b.BufferJSON.replacer));
    expect(isLinked(theirs)).toBe(true);
    const preKey = (await ours.keys.get("pre-key", ["7"]))["7"] as { private: Buffer };
    expect(Buffer.isBuffer(preKey.private)).toBe(true);

    const mine = tempDir("wa-compat-");
    const s = new AuthStore(mine, { serialize: createSerializer() });
    s.ensureCreds(() => b.initAuthCreds() as unknown as Record<string, unknown>);
    await s.saveCreds();
    await s.keys.set({ session: { "15551234567.0": Buffer.from([1, 2, 3]) } });
    const back = await b.useMultiFileAuthState(mine);
    expect(JSON.stringify(back.state.creds, b.BufferJSON.replacer)).toBe(JSON.stringify(s.creds, b.BufferJSON.replacer));
    expect([...((await back.state.keys.get("session", ["15551234567.0"]))["15551234567.0"] as Uint8Array)]).toEqual([1, 2, 3]);
  });
});

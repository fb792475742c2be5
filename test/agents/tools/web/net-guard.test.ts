import { describe, expect, test } from "bun:test";
import { BLOCKED_MESSAGE, isBlockedAddress, isBlockedHostname, resolveAllowed } from "../../../../src/agents/tools/web/net-guard.ts";

describe("isBlockedAddress", () => {
  const blocked = [
    "127.0.0.1", "127.255.0.9", "0.0.0.0", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1",
    "100.64.0.1", "100.127.255.254", "169.254.169.254", "224.0.0.1", "239.1.2.3", "255.255.255.255", "240.0.0.1",
    "192.0.2.10", "198.18.0.1", "203.0.113.7",
    "::", "::1", "[::1]", "fe80::1", "fe80::1%eth0", "febf::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.1.2.3", "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:a00:1::1", "::127.0.0.1",
    "not-an-ip", "1.2.3", "::gggg",
  ];
  const allowed = [
    "8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "192.169.0.1",
    "169.253.0.1", "223.255.255.255", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808",
  ];
  for (const a of blocked) test(`blocks ${a}`, () => expect(isBlockedAddress(a)).toBe(true));
  for (const a of allowed) test(`allows ${a}`, () => expect(isBlockedAddress(a)).toBe(false));
});

describe("isBlockedHostname", () => {
  test("local and metadata names", () => {
    for (const h of ["localhost", "LOCALHOST.", "app.localhost", "metadata.google.internal", "metadata", "db.internal"]) expect(isBlockedHostname(h)).toBe(true);
    for (const h of ["example.com", "localhost.example.com", "internal.example.com"]) expect(isBlockedHostname(h)).toBe(false);
  });
});

describe("resolveAllowed", () => {
  const resolve = async (h: string) => {
    const table: Record<string, Array<{ address: string; family: 4 | 6 }>> = {
      "public.test": [{ address: "93.184.216.34", family: 4 }],
      "loop.test": [{ address: "127.0.0.1", family: 4 }],
      "mixed.test": [{ address: "93.184.216.34", family: 4 }, { address: "10.0.0.1", family: 4 }],
      "v6loop.test": [{ address: "::1", family: 6 }],
    };
    const hit = table[h];
    if (!hit) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return hit;
  };

  test("a public name resolves to its address", async () => {
    expect(await resolveAllowed("public.test", { allowPrivate: false, resolve })).toEqual({ address: "93.184.216.34", family: 4 });
  });

  test("a name with any private answer is refused", async () => {
    for (const h of ["loop.test", "mixed.test", "v6loop.test", "localhost", "[::1]", "10.1.1.1"]) {
      await expect(resolveAllowed(h, { allowPrivate: false, resolve })).rejects.toThrow(BLOCKED_MESSAGE);
    }
  });

  test("allowPrivate lifts the refusal", async () => {
    expect(await resolveAllowed("loop.test", { allowPrivate: true, resolve })).toEqual({ address: "127.0.0.1", family: 4 });
    expect(await resolveAllowed("[::1]", { allowPrivate: true, resolve })).toEqual({ address: "::1", family: 6 });
  });

  test("a name that does not resolve says so", async () => {
    await expect(resolveAllowed("nope.test", { allowPrivate: false, resolve })).rejects.toThrow("Could not resolve nope.test: ENOTFOUND");
  });
});

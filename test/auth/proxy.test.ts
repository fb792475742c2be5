import { describe, expect, test } from "bun:test";
import { attribute, isTrustedProxy, parseProxyEntry } from "../../src/auth/proxy.ts";
import { trustedProxyIdentity } from "../../src/auth/trusted-proxy.ts";

const S = (trustedProxies: string[], allowRealIpFallback = false) => ({ trustedProxies, allowRealIpFallback });
const H = (h: Record<string, string>) => new Headers(h);

describe("trusted proxy list", () => {
  test("addresses and CIDRs, IPv4 and IPv6; junk is rejected", () => {
    expect(parseProxyEntry("10.0.0.0/8")).toEqual({ address: "10.0.0.0", prefix: 8, family: "ipv4" });
    expect(parseProxyEntry("fd00::/8")?.family).toBe("ipv6");
    for (const bad of ["", "10.0.0.0/33", "example.com", "10.0.0.1/8/1", "0.0.0.0/x"]) expect(parseProxyEntry(bad)).toBeUndefined();
    const s = S(["10.0.0.0/8", "::1", "192.168.1.5"]);
    expect(isTrustedProxy("10.9.8.7", s)).toBe(true);
    expect(isTrustedProxy("::ffff:10.1.1.1", s)).toBe(true);
    expect(isTrustedProxy("::1", s)).toBe(true);
    expect(isTrustedProxy("192.168.1.6", s)).toBe(false);
    expect(isTrustedProxy("127.0.0.1", S([]))).toBe(false);
  });
});

describe("attribution", () => {
  test("no forwarding header: the peer itself (and refused on the managed listener)", () => {
    expect(attribute("127.0.0.1", H({}), S([]))).toEqual({ ok: true, clientIp: "127.0.0.1", peerIp: "127.0.0.1", forwarded: false });
    expect(attribute("127.0.0.1", H({}), S([]), { managed: true }).ok).toBe(false);
  });

  test("an untrusted peer with any forwarding header is refused", () => {
    for (const h of [{ "x-forwarded-proto": "https" }, { forwarded: "for=1.2.3.4" }, { "x-real-ip": "1.2.3.4" }] as Record<string, string>[]) {
      expect(attribute("127.0.0.2", H(h), S(["127.0.0.1"])).ok).toBe(false);
    }
  });

  test("X-Forwarded-For is read from the right, skipping trusted hops; a client-supplied left part is ignored", () => {
    const s = S(["127.0.0.1", "10.0.0.0/8"]);
    const a = attribute("127.0.0.1", H({ "x-forwarded-for": "6.6.6.6, 203.0.113.5, 10.1.2.3" }), s);
    expect(a).toEqual({ ok: true, clientIp: "203.0.113.5", peerIp: "127.0.0.1", forwarded: true });
    expect(attribute("127.0.0.1", H({ "x-forwarded-for": "203.0.113.5:4711" }), s)).toMatchObject({ clientIp: "203.0.113.5" });
    expect(attribute("127.0.0.1", H({ "x-forwarded-for": "garbage, 203.0.113.5" }), s).ok).toBe(false);
    expect(attribute("127.0.0.1", H({ "x-forwarded-for": "::1" }), s).ok).toBe(false);
  });

  test("RFC 7239 Forwarded, then X-Real-IP only with allowRealIpFallback", () => {
    const s = S(["127.0.0.1"]);
    expect(attribute("127.0.0.1", H({ forwarded: 'for="[2001:db8::17]:4711";proto=https, for=127.0.0.1' }), s)).toMatchObject({ ok: true, clientIp: "2001:db8::17" });
    expect(attribute("127.0.0.1", H({ forwarded: "for=_hidden" }), s).ok).toBe(false);
    expect(attribute("127.0.0.1", H({ "x-real-ip": "203.0.113.9" }), s).ok).toBe(false);
    expect(attribute("127.0.0.1", H({ "x-real-ip": "203.0.113.9" }), S(["127.0.0.1"], true))).toMatchObject({ ok: true, clientIp: "203.0.113.9" });
  });
});

describe("trusted-proxy identity", () => {
  const config = (trustedProxy: Record<string, unknown>) => ({ gateway: { trustedProxies: ["127.0.0.1", "10.0.0.0/8"], auth: { mode: "trusted-proxy" as const, trustedProxy } } });
  const fwd = (peerIp: string) => ({ ok: true as const, clientIp: "203.0.113.5", peerIp, forwarded: true });
  const headers = H({ "x-forwarded-for": "203.0.113.5", "remote-user": "Alice@Example.com" });

  test("a loopback proxy needs allowLoopback; a LAN proxy does not", () => {
    expect(trustedProxyIdentity(headers, config({ userHeader: "Remote-User" }), fwd("127.0.0.1"))).toEqual({ ok: false, reason: "unauthorized" });
    expect(trustedProxyIdentity(headers, config({ userHeader: "Remote-User" }), fwd("10.0.0.2"))).toEqual({ ok: true, user: "Alice@Example.com" });
    expect(trustedProxyIdentity(headers, config({ userHeader: "remote-user", allowLoopback: true }), fwd("127.0.0.1"))).toEqual({ ok: true, user: "Alice@Example.com" });
  });

  test("allowUsers compares case-insensitively; a non-forwarding user header direct from the proxy needs attribution", () => {
    expect(trustedProxyIdentity(headers, config({ userHeader: "remote-user", allowUsers: ["alice@example.com"] }), fwd("10.0.0.2"))?.ok).toBe(true);
    const direct = { ok: true as const, clientIp: "10.0.0.2", peerIp: "10.0.0.2", forwarded: false };
    expect(trustedProxyIdentity(H({ "remote-user": "alice" }), config({ userHeader: "remote-user" }), direct)).toEqual({ ok: false, reason: "attribution" });
    expect(trustedProxyIdentity(H({}), config({ userHeader: "remote-user" }), direct)).toBeUndefined();
  });
});

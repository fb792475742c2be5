/**
 * Who a proxied request is really from. A forwarding header (`Forwarded`, any `X-Forwarded-*`,
 * `X-Real-IP`) is believed only when the socket peer is a configured trusted proxy (or the managed
 * Tailscale listener's own loopback hop), and only if a client address can be read from it that is
 * not loopback; otherwise the request cannot be attributed and is refused before auth, since
 * behind a proxy every caller would look local and escape the failed-auth limiter.
 */
import { BlockList, isIP } from "node:net";
import type { OpenClawConfig } from "../config/schema.ts";
import { isLoopbackIp } from "./limiter.ts";
import { hasForwardingHeader, normalizeIp } from "./peer.ts";

export interface ProxySettings {
  /** `gateway.trustedProxies`: IPs or CIDRs of the proxies allowed to speak for a client. */
  trustedProxies: readonly string[];
  /** `gateway.allowRealIpFallback`: an `X-Real-IP` the proxy overwrites stands in for a missing XFF. */
  allowRealIpFallback: boolean;
}

export type Attribution =
  /** `clientIp` is the forwarded client when `forwarded`, else the socket peer. */
  | { ok: true; clientIp: string; peerIp: string; forwarded: boolean }
  | { ok: false; peerIp: string };

export function proxySettings(config: OpenClawConfig): ProxySettings {
  const g = config.gateway;
  return { trustedProxies: g?.trustedProxies ?? [], allowRealIpFallback: g?.allowRealIpFallback === true };
}

/** `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or `v6/n`; undefined when it is none of these. */
export function parseProxyEntry(entry: string): { address: string; prefix?: number; family: "ipv4" | "ipv6" } | undefined {
  const [addr = "", bits, extra] = entry.trim().split("/");
  if (extra !== undefined) return undefined;
  const address = normalizeIp(addr.replace(/^\[(.*)\]$/, "$1"));
  const v = isIP(address);
  if (v === 0) return undefined;
  const family = v === 4 ? "ipv4" : "ipv6";
  if (bits === undefined) return { address, family };
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > (v === 4 ? 32 : 128)) return undefined;
  return { address, prefix: Number(bits), family };
}

// The list object is replaced as a whole on reload, so it keys the compiled matcher.
const compiled = new WeakMap<readonly string[], BlockList>();

function matcher(list: readonly string[]): BlockList {
  let block = compiled.get(list);
  if (block) return block;
  block = new BlockList();
  for (const entry of list) {
    const p = parseProxyEntry(entry);
    if (!p) continue;
    if (p.prefix === undefined) block.addAddress(p.address, p.family);
    else block.addSubnet(p.address, p.prefix, p.family);
  }
  compiled.set(list, block);
  return block;
}

export function isTrustedProxy(ip: string, settings: ProxySettings): boolean {
  const address = normalizeIp(ip);
  const v = isIP(address);
  if (v === 0 || settings.trustedProxies.length === 0) return false;
  return matcher(settings.trustedProxies).check(address, v === 4 ? "ipv4" : "ipv6");
}

/** One hop as a bare IP (`[v6]:port`, `v4:port` and quotes removed), or undefined when it is not an IP. */
function hopAddress(raw: string): string | undefined {
  let s = raw.trim().replace(/^"(.*)"$/, "$1");
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(":"));
  const ip = normalizeIp(s);
  return isIP(ip) === 0 ? undefined : ip;
}

/**
 * The client in a hop list, read from the right: the nearest hop that is not itself a trusted
 * proxy (a client can prepend anything, so only what trusted hops appended counts). A hop that is
 * not an IP makes the list unusable.
 */
function clientFromHops(hops: readonly string[], trusted: (ip: string) => boolean): string | undefined {
  const ips: string[] = [];
  for (const hop of hops) {
    const ip = hopAddress(hop);
    if (!ip) return undefined;
    ips.push(ip);
  }
  for (let i = ips.length - 1; i >= 0; i--) if (!trusted(ips[i]!)) return ips[i];
  return ips[0];
}

/** The `for=` values of an RFC 7239 `Forwarded` header, in hop order. */
function forwardedFor(value: string): string[] {
  const out: string[] = [];
  for (const element of value.split(",")) {
    for (const pair of element.split(";")) {
      const eq = pair.indexOf("=");
      if (eq > 0 && pair.slice(0, eq).trim().toLowerCase() === "for") out.push(pair.slice(eq + 1));
    }
  }
  return out;
}

function forwardedClient(headers: Headers, settings: ProxySettings, trusted: (ip: string) => boolean): string | undefined {
  const xff = headers.get("x-forwarded-for");
  if (xff !== null && xff.trim() !== "") return clientFromHops(xff.split(","), trusted);
  const fwd = headers.get("forwarded");
  if (fwd !== null) {
    const hops = forwardedFor(fwd);
    if (hops.length) return clientFromHops(hops, trusted);
  }
  const real = headers.get("x-real-ip");
  if (settings.allowRealIpFallback && real !== null && real.trim() !== "") return hopAddress(real);
  return undefined;
}

/**
 * `managed`: the request came in on the Tailscale listener, whose only peer is the local
 * `tailscale serve` hop; there forwarding headers are required rather than suspect.
 */
export function attribute(peer: string, headers: Headers, settings: ProxySettings, opts: { managed?: boolean } = {}): Attribution {
  const peerIp = normalizeIp(peer);
  const forwarded = hasForwardingHeader(headers);
  if (!forwarded) return opts.managed ? { ok: false, peerIp } : { ok: true, clientIp: peerIp, peerIp, forwarded: false };
  const trusted = (ip: string) => isTrustedProxy(ip, settings) || (opts.managed === true && isLoopbackIp(ip));
  if (!trusted(peerIp)) return { ok: false, peerIp };
  const clientIp = forwardedClient(headers, settings, trusted);
  if (!clientIp || isLoopbackIp(clientIp)) return { ok: false, peerIp };
  return { ok: true, clientIp, peerIp, forwarded: true };
}

/**
 * Which browser origins may talk to the gateway. Browsers send `Origin` on every WebSocket upgrade
 * and on cross-origin POSTs, so a page on another site (or a DNS-rebinding page) is recognised by
 * it; clients that are not browsers send none and are not affected.
 */
import { isIP } from "node:net";
import { hostname as machineName } from "node:os";
import { isLoopbackHost } from "../config/settings.ts";

export interface OriginPolicy {
  /** `gateway.controlUi.allowedOrigins`: full origins, lowercased on compare; "*" allows any. */
  allowedOrigins: readonly string[];
  /** `gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback`: an origin equal to Host passes. */
  hostHeaderFallback: boolean;
  /** The gateway's own origins (http://localhost:<port>, http://127.0.0.1:<port>, the bound hosts). */
  ownOrigins: readonly string[];
}

export interface OriginRequest {
  origin: string | undefined;
  /** The Host header of the upgrade or request. */
  host: string | undefined;
  /** The socket peer; "local" means loopback and no forwarding headers. */
  localPeer: boolean;
}

export type OriginVerdict = { ok: true } | { ok: false; reason: "origin not allowed" | "origin missing or invalid" };

const DEFAULT_PORT: Record<string, string> = { "http:": "80", "https:": "443" };

/** `scheme://host[:port]` lowercased with the default port dropped, or undefined when malformed. */
export function normalizeOrigin(raw: string): string | undefined {
  const text = raw.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]+\/?$/i.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.origin === "null") return undefined;
  const port = url.port && url.port !== DEFAULT_PORT[url.protocol] ? `:${url.port}` : "";
  return `${url.protocol}//${url.hostname.toLowerCase()}${port}`;
}

/** The Host header as `host[:port]` lowercased, default port dropped. */
function normalizeHostHeader(host: string | undefined, scheme: string): string | undefined {
  if (!host) return undefined;
  return normalizeOrigin(`${scheme}//${host}`)?.slice(scheme.length + 2);
}

function bareHost(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}

export function isLoopbackHostname(hostname: string): boolean {
  const h = bareHost(hostname.toLowerCase());
  return isLoopbackHost(h) || h.endsWith(".localhost");
}

function isPrivateIp(h: string): boolean {
  if (isIP(h) === 4) {
    const [a, b] = h.split(".").map(Number) as [number, number];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254);
  }
  if (isIP(h) === 6) return h === "::1" || /^f[cd]/i.test(h) || /^fe[89ab]/i.test(h);
  return false;
}

/** A host a same-host page may be served from: names that cannot be an attacker's public DNS. */
function isSameHostSafe(hostname: string, localPeer: boolean): boolean {
  const h = bareHost(hostname.toLowerCase());
  if (isLoopbackHostname(h)) return localPeer;
  return isPrivateIp(h) || h.endsWith(".local") || h.endsWith(".ts.net");
}

/**
 * First match wins: the allowlist (or "*"), the gateway's own origins, the Host-header fallback
 * when enabled, a same-host page on a name no public site can hold, and a loopback page seen by a
 * loopback peer (a local dev server). Everything else is refused.
 */
export function checkOrigin(req: OriginRequest, policy: OriginPolicy): OriginVerdict {
  const origin = req.origin === undefined ? undefined : normalizeOrigin(req.origin);
  if (!origin) return { ok: false, reason: "origin missing or invalid" };
  const allowed = policy.allowedOrigins.map((o) => o.trim().toLowerCase());
  if (allowed.includes("*") || allowed.includes(origin) || allowed.map(normalizeOrigin).includes(origin)) return { ok: true };
  if (policy.ownOrigins.includes(origin)) return { ok: true };
  const url = new URL(origin);
  const host = normalizeHostHeader(req.host, url.protocol);
  const originHost = origin.slice(url.protocol.length + 2);
  if (host !== undefined && originHost === host) {
    if (policy.hostHeaderFallback) return { ok: true };
    if (isSameHostSafe(url.hostname, req.localPeer)) return { ok: true };
  }
  if (req.localPeer && isLoopbackHostname(url.hostname)) return { ok: true };
  return { ok: false, reason: "origin not allowed" };
}

/** The origins a gateway on `port` serves itself from. */
export function ownOriginsFor(port: number, hosts: readonly string[]): string[] {
  const names = new Set(["localhost", "127.0.0.1", ...hosts.filter((h) => h !== "0.0.0.0" && h !== "::")]);
  const out: string[] = [];
  for (const name of names) {
    const host = name.includes(":") ? `[${name}]` : name;
    for (const scheme of ["http", "https"]) out.push(`${scheme}://${host}:${port}`);
  }
  return out;
}

/**
 * Whether a Host header names this machine: an IP literal, a loopback name, the machine's name, or
 * a host the allowlist names. Anything else is a name someone else's DNS points here (rebinding).
 */
export function isOwnHostHeader(host: string | null | undefined, allowedOrigins: readonly string[]): boolean {
  if (!host) return true;
  const name = normalizeHostHeader(host, "http:")?.replace(/:\d+$/, "");
  if (name === undefined) return false;
  const bare = bareHost(name);
  if (isIP(bare) !== 0 || isLoopbackHostname(bare) || bare === machineName().toLowerCase()) return true;
  return allowedOrigins.some((o) => {
    const allowed = o.trim() === "*" ? "*" : normalizeOrigin(o);
    return allowed === "*" || (allowed !== undefined && new URL(allowed).hostname === name);
  });
}

/**
 * For the HTTP door with auth `none`: would a browser page on another site be behind this
 * request? A foreign Origin, or `Sec-Fetch-Site: cross-site` without one, says so.
 */
export function isCrossSiteRequest(headers: Headers, verdict: (origin: string) => OriginVerdict): boolean {
  const origin = headers.get("origin");
  if (origin !== null && origin !== "") return !verdict(origin).ok;
  return headers.get("sec-fetch-site")?.toLowerCase() === "cross-site";
}

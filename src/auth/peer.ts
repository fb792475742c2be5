/** Who is on the other end of a request: its address, and whether it is this machine talking directly. */
import { isLoopbackIp } from "./limiter.ts";

const FORWARDING_HEADERS = ["forwarded", "x-real-ip"];

/** The peer address without the IPv4-mapped prefix; "unknown" when the runtime has none. */
export function normalizeIp(ip: string | undefined): string {
  if (!ip) return "unknown";
  return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}

/** Any header by which a proxy says the request came from somewhere else. */
export function hasForwardingHeader(headers: Headers): boolean {
  for (const name of headers.keys()) {
    if (name.startsWith("x-forwarded-") || FORWARDING_HEADERS.includes(name)) return true;
  }
  return false;
}

/** A loopback peer with no forwarding headers: a client on this machine, not a proxy in front of one. */
export function isLocalDirectPeer(ip: string, headers: Headers): boolean {
  return isLoopbackIp(ip) && !hasForwardingHeader(headers);
}

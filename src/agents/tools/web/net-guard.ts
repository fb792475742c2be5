/**
 * Which hosts web_fetch may reach. A model can be talked into fetching anything, so by default only
 * public internet addresses are allowed: loopback, private, link-local, CGNAT, multicast, reserved
 * and documentation ranges (and IPv6 forms that embed such an IPv4 address) are refused, as are
 * names that only mean something inside this machine or cloud (localhost, metadata services).
 */
import { isIP } from "node:net";

export const BLOCKED_MESSAGE = "Blocked hostname or private/internal/special-use IP address";

export class BlockedAddressError extends Error {
  constructor(readonly target: string) {
    super(BLOCKED_MESSAGE);
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Hostname → every address it resolves to (tests inject a fake one). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const { lookup } = await import("node:dns/promises");
  const all = await lookup(hostname, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

const BLOCKED_NAMES = new Set(["localhost", "localhost.localdomain", "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal"]);
const BLOCKED_SUFFIXES = [".localhost", ".internal"];

/** Names refused before any lookup. */
export function isBlockedHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  return BLOCKED_NAMES.has(h) || BLOCKED_SUFFIXES.some((s) => h.endsWith(s));
}

/** [network, prefix length] in IPv4. */
const BLOCKED_V4: Array<[number, number]> = [
  [0x00000000, 8], // "this network", 0.0.0.0
  [0x0a000000, 8], // private
  [0x64400000, 10], // CGNAT
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local (cloud metadata lives here)
  [0xac100000, 12], // private
  [0xc0000000, 24], // IETF protocol assignments
  [0xc0000200, 24], // documentation
  [0xc0586300, 24], // 6to4 relay anycast
  [0xc0a80000, 16], // private
  [0xc6120000, 15], // benchmarking
  [0xc6336400, 24], // documentation
  [0xcb007100, 24], // documentation
  [0xe0000000, 4], // multicast
  [0xf0000000, 4], // reserved and broadcast
];

function parseV4(s: string): number | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n >>> 0;
}

function v4Blocked(n: number): boolean {
  return BLOCKED_V4.some(([net, bits]) => (bits === 0 ? true : n >>> (32 - bits) === net >>> (32 - bits)));
}

/** 8 groups of 16 bits, or undefined when `s` is not an IPv6 address. */
function parseV6(s: string): number[] | undefined {
  let str = s.replace(/^\[|\]$/g, "");
  const zone = str.indexOf("%");
  if (zone >= 0) str = str.slice(0, zone);
  const lastColon = str.lastIndexOf(":");
  if (str.includes(".", lastColon)) {
    // A dotted IPv4 tail (::ffff:127.0.0.1) is the last two groups.
    const v4 = parseV4(str.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    str = `${str.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = str.split("::");
  if (halves.length > 2) return undefined;
  const read = (h: string) => (h === "" ? [] : h.split(":").map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN)));
  const head = read(halves[0]!);
  const rest = halves.length === 2 ? read(halves[1]!) : [];
  let groups: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - rest.length;
    if (fill < 1) return undefined;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  } else groups = head;
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return undefined;
  return groups;
}

function v6Blocked(g: number[]): boolean {
  const embedded = (hi: number, lo: number) => v4Blocked(((hi << 16) | lo) >>> 0);
  const zeroUntil = (k: number) => g.slice(0, k).every((x) => x === 0);
  if (zeroUntil(8)) return true; // ::
  if (zeroUntil(7) && g[7] === 1) return true; // ::1
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible form (::a.b.c.d).
  if (zeroUntil(5) && g[5] === 0xffff) return embedded(g[6]!, g[7]!);
  if (zeroUntil(6)) return embedded(g[6]!, g[7]!);
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address a router will reach for us.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return embedded(g[6]!, g[7]!);
  if (g[0] === 0x2002) return embedded(g[1]!, g[2]!);
  const first = g[0]!;
  if ((first & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((first & 0xffc0) === 0xfec0) return true; // site-local (deprecated) fec0::/10
  if ((first & 0xfe00) === 0xfc00) return true; // unique-local fc00::/7
  if ((first & 0xff00) === 0xff00) return true; // multicast ff00::/8
  if (first === 0x2001 && g[1] === 0x0db8) return true; // documentation
  if (first === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return true; // discard-only 100::/64
  return false;
}

/** True for an address web_fetch must not reach; anything that does not parse counts as blocked. */
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const kind = isIP(bare.split("%")[0]!);
  if (kind === 4) return v4Blocked(parseV4(bare)!);
  if (kind === 6) {
    const g = parseV6(bare);
    return g ? v6Blocked(g) : true;
  }
  return true;
}

/**
 * Checks a URL's host and returns the address to connect to. Every address the name resolves to
 * must be allowed (one private answer among public ones is how rebinding setups look), and the
 * caller connects to the returned address itself rather than letting the HTTP client resolve the
 * name again.
 */
export async function resolveAllowed(hostname: string, opts: { allowPrivate: boolean; resolve: Resolver }): Promise<ResolvedAddress> {
  const bare = hostname.replace(/^\[|\]$/g, "");
  const literal = isIP(bare);
  if (literal) {
    if (!opts.allowPrivate && isBlockedAddress(bare)) throw new BlockedAddressError(hostname);
    return { address: bare, family: literal === 6 ? 6 : 4 };
  }
  if (!opts.allowPrivate && isBlockedHostname(bare)) throw new BlockedAddressError(hostname);
  let addresses: ResolvedAddress[];
  try {
    addresses = await opts.resolve(bare);
  } catch (err) {
    throw new Error(`Could not resolve ${bare}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (addresses.length === 0) throw new Error(`Could not resolve ${bare}: no addresses`);
  if (!opts.allowPrivate && addresses.some((a) => isBlockedAddress(a.address))) throw new BlockedAddressError(hostname);
  return addresses[0]!;
}

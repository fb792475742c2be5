/**
 * From mDNS records to the `gateway discover` beacons: PTR → instances, SRV → host and port,
 * TXT → hints, A/AAAA → addresses. Pure, so the JSON shape, dedupe and sort are unit-tested.
 */
import { SERVICE_TYPE_FULL } from "./txt.ts";

export interface MdnsRecord {
  type: string;
  name: string;
  ttl?: number;
  data: unknown;
}

export interface Beacon {
  instanceName: string;
  displayName: string;
  domain: string;
  /** The SRV target, without the trailing dot. */
  host: string | null;
  port: number | null;
  txt: Record<string, string>;
  lanHost?: string;
  tailnetDns?: string;
  cliPath?: string;
  role?: string;
  transport?: string;
  gatewayPort?: number;
  sshPort?: number;
  gatewayTls?: boolean;
  gatewayTlsFingerprintSha256?: string;
  /** The SRV host's A/AAAA records as seen on the wire (ours: no mDNS resolver needed to use them). */
  addresses: string[];
  /** ws(s)://<SRV host>:<SRV port>; never built from TXT hints. */
  wsUrl: string | null;
}

export interface DiscoverResult {
  timeoutMs: number;
  domains: string[];
  count: number;
  beacons: Beacon[];
}

const lower = (s: string) => s.toLowerCase().replace(/\.$/, "");

function parsePort(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  const n = Number(v);
  return n > 0 && n <= 65535 ? n : undefined;
}

/** TXT strings "key=value" (first "=" splits; a bare key is "" ); the first occurrence of a key wins (RFC 6763 6.4). */
export function parseTxt(data: unknown): Record<string, string> {
  const items = Array.isArray(data) ? data : data === undefined || data === null ? [] : [data];
  const out: Record<string, string> = {};
  for (const item of items) {
    const text = typeof item === "string" ? item : Buffer.isBuffer(item) || item instanceof Uint8Array ? Buffer.from(item).toString("utf8") : "";
    if (!text) continue;
    const eq = text.indexOf("=");
    const key = eq < 0 ? text : text.slice(0, eq);
    if (key && !Object.hasOwn(out, key)) out[key] = eq < 0 ? "" : text.slice(eq + 1);
  }
  return out;
}

/**
 * The records seen so far, keyed by (type, name, data): a TTL-0 record (a goodbye) removes what it
 * names, so a gateway that stopped while we listened is not reported.
 */
export class RecordStore {
  private readonly records = new Map<string, MdnsRecord>();

  add(r: MdnsRecord): void {
    const key = `${r.type}|${lower(r.name)}|${r.type === "PTR" ? lower(String(r.data)) : r.type === "TXT" || r.type === "SRV" ? "" : JSON.stringify(r.data)}`;
    if (r.ttl === 0) this.records.delete(key);
    else this.records.set(key, r);
  }

  all(): MdnsRecord[] {
    return [...this.records.values()];
  }
}

/** Instance FQDNs of the service in `domain` (e.g. "local") with no SRV or no TXT yet. */
export function unresolved(records: readonly MdnsRecord[], domain = "local"): { instances: string[]; hosts: string[] } {
  const byName = (type: string, name: string) => records.find((r) => r.type === type && lower(r.name) === lower(name));
  const service = `${SERVICE_TYPE_FULL}.${domain}`;
  const instances: string[] = [];
  const hosts: string[] = [];
  for (const ptr of records.filter((r) => r.type === "PTR" && lower(r.name) === lower(service))) {
    const fqdn = String(ptr.data);
    const srv = byName("SRV", fqdn);
    if (!srv || !byName("TXT", fqdn)) instances.push(fqdn);
    const target = (srv?.data as { target?: string } | undefined)?.target;
    if (target && !records.some((r) => (r.type === "A" || r.type === "AAAA") && lower(r.name) === lower(target))) hosts.push(target);
  }
  return { instances, hosts };
}

export function assembleBeacons(records: readonly MdnsRecord[], domain = "local"): Beacon[] {
  const service = `${SERVICE_TYPE_FULL}.${domain}`;
  const beacons: Beacon[] = [];
  for (const ptr of records.filter((r) => r.type === "PTR" && lower(r.name) === lower(service))) {
    const fqdn = String(ptr.data).replace(/\.$/, "");
    const suffix = `.${service}`;
    const instanceName = fqdn.toLowerCase().endsWith(suffix.toLowerCase()) ? fqdn.slice(0, -suffix.length) : fqdn;
    const srv = records.find((r) => r.type === "SRV" && lower(r.name) === lower(fqdn))?.data as { port?: number; target?: string } | undefined;
    const txtRecord = records.find((r) => r.type === "TXT" && lower(r.name) === lower(fqdn));
    const txt = parseTxt(txtRecord?.data);
    const host = srv?.target ? srv.target.replace(/\.$/, "") : null;
    const port = typeof srv?.port === "number" && srv.port > 0 ? srv.port : null;
    const addresses = host
      ? records.filter((r) => (r.type === "A" || r.type === "AAAA") && lower(r.name) === lower(host)).map((r) => String(r.data))
      : [];
    // Key order is the published JSON's: optional hints after txt, wsUrl last (addresses, ours, just before it).
    const beacon = { instanceName, displayName: txt.displayName || instanceName, domain: `${domain}.`, host, port, txt } as Beacon;
    if (txt.lanHost) beacon.lanHost = txt.lanHost;
    for (const key of ["tailnetDns", "cliPath", "role", "transport"] as const) if (txt[key]) beacon[key] = txt[key];
    const gatewayPort = parsePort(txt.gatewayPort);
    if (gatewayPort) beacon.gatewayPort = gatewayPort;
    const sshPort = parsePort(txt.sshPort);
    if (sshPort) beacon.sshPort = sshPort;
    if (txt.gatewayTls !== undefined) beacon.gatewayTls = ["1", "true", "yes"].includes(txt.gatewayTls.trim().toLowerCase());
    if (txt.gatewayTlsSha256) beacon.gatewayTlsFingerprintSha256 = txt.gatewayTlsSha256;
    beacon.addresses = [...new Set(addresses)].sort();
    beacon.wsUrl = host && port ? `${beacon.gatewayTls ? "wss" : "ws"}://${host.includes(":") ? `[${host}]` : host}:${port}` : null;
    beacons.push(beacon);
  }
  return dedupeAndSort(beacons);
}

/** One beacon per domain|instanceName|displayName|host|port|gatewayPort, sorted by displayName (then instance). */
export function dedupeAndSort(beacons: readonly Beacon[]): Beacon[] {
  const seen = new Map<string, Beacon>();
  for (const b of beacons) {
    const key = [b.domain, b.instanceName, b.displayName, b.host ?? "", b.port ?? "", b.gatewayPort ?? ""].join("|");
    if (!seen.has(key)) seen.set(key, b);
  }
  return [...seen.values()].sort((a, b) => a.displayName.localeCompare(b.displayName) || a.instanceName.localeCompare(b.instanceName));
}

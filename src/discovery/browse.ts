/**
 * In-process mDNS browsing for `gateway discover`: a PTR query for _openclaw-gw._tcp.local on
 * every IPv4 interface (loopback included, so a loopback-only gateway on this machine is found),
 * follow-up SRV/TXT/A queries for what the answers left out, and every record heard until the
 * timeout. No avahi-browse or dns-sd needed. Loaded only by the discover command.
 */
import { networkInterfaces } from "node:os";
import makeMdns from "multicast-dns";
import { RecordStore, assembleBeacons, unresolved, type Beacon, type MdnsRecord } from "./beacons.ts";
import { SERVICE_TYPE_FULL } from "./txt.ts";

export interface BrowseOptions {
  timeoutMs: number;
  /** IPv4 addresses of the interfaces to query on; default every IPv4 interface. */
  interfaces?: string[];
  /** Called for socket trouble that does not stop the browse (an interface that cannot join). */
  onWarning?: (message: string) => void;
}

function ipv4Interfaces(): string[] {
  const out: string[] = [];
  for (const infos of Object.values(networkInterfaces())) {
    const v4 = (infos ?? []).find((i) => i.family === "IPv4");
    if (v4) out.push(v4.address);
  }
  return out.length > 0 ? out : ["127.0.0.1"];
}

export async function browseLocal(opts: BrowseOptions): Promise<Beacon[]> {
  const store = new RecordStore();
  const service = `${SERVICE_TYPE_FULL}.local`;
  const sockets = (opts.interfaces ?? ipv4Interfaces()).map((address) => {
    // Bound to the wildcard (binding the interface address would miss multicast on Linux), joined and sending on one interface.
    const m = makeMdns({ interface: address, bind: "0.0.0.0", loopback: true });
    m.on("warning", (err: Error) => opts.onWarning?.(`${address}: ${err.message}`));
    m.on("error", (err: Error) => opts.onWarning?.(`${address}: ${err.message}`));
    m.on("response", (packet) => {
      for (const r of [...(packet.answers ?? []), ...(packet.additionals ?? [])]) store.add(r as MdnsRecord);
      followUp();
    });
    return m;
  });
  const asked = new Set<string>();
  const send = (questions: { name: string; type: "PTR" | "SRV" | "TXT" | "A" | "AAAA" }[]) => {
    for (const m of sockets) m.query({ questions }, (err: Error | null) => err && opts.onWarning?.(err.message));
  };
  // Ask once per name for what the first answers did not carry.
  function followUp() {
    const { instances, hosts } = unresolved(store.all());
    const qs: { name: string; type: "SRV" | "TXT" | "A" | "AAAA" }[] = [];
    for (const fqdn of instances) if (!asked.has(fqdn)) (asked.add(fqdn), qs.push({ name: fqdn, type: "SRV" }, { name: fqdn, type: "TXT" }));
    for (const host of hosts) if (!asked.has(host)) (asked.add(host), qs.push({ name: host, type: "A" }, { name: host, type: "AAAA" }));
    if (qs.length > 0) send(qs);
  }
  send([{ name: service, type: "PTR" }]);
  // A second PTR query part-way: multicast is lossy and a responder may still be probing.
  const again = setTimeout(() => send([{ name: service, type: "PTR" }]), Math.min(1000, opts.timeoutMs / 2));
  await Bun.sleep(opts.timeoutMs);
  clearTimeout(again);
  await Promise.all(sockets.map((m) => new Promise<void>((resolve) => m.destroy(() => resolve()))));
  return assembleBeacons(store.all());
}

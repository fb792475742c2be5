/**
 * Wide-area (unicast) DNS-SD browsing through the system resolver: PTR for
 * _openclaw-gw._tcp.<domain>, then SRV and TXT per instance, A/AAAA for each target. With
 * Tailscale split DNS this reaches the zone a gateway wrote (wide-area.ts). Errors mean "none".
 */
import { Resolver } from "node:dns/promises";
import { assembleBeacons, type Beacon, type MdnsRecord } from "./beacons.ts";
import { SERVICE_TYPE_FULL } from "./txt.ts";

export async function browseWideArea(domain: string, timeoutMs: number): Promise<Beacon[]> {
  const zone = domain.replace(/\.$/, "");
  const resolver = new Resolver({ timeout: Math.max(1, timeoutMs), tries: 1 });
  const deadline = setTimeout(() => resolver.cancel(), timeoutMs);
  const records: MdnsRecord[] = [];
  const service = `${SERVICE_TYPE_FULL}.${zone}`;
  try {
    const instances = await resolver.resolvePtr(service).catch(() => [] as string[]);
    await Promise.all(
      instances.map(async (fqdn) => {
        records.push({ type: "PTR", name: service, data: fqdn });
        const [srv, txt] = await Promise.all([resolver.resolveSrv(fqdn).catch(() => []), resolver.resolveTxt(fqdn).catch(() => [])]);
        const first = srv[0];
        if (first) {
          records.push({ type: "SRV", name: fqdn, data: { port: first.port, target: first.name } });
          const [a, aaaa] = await Promise.all([resolver.resolve4(first.name).catch(() => []), resolver.resolve6(first.name).catch(() => [])]);
          for (const ip of a) records.push({ type: "A", name: first.name, data: ip });
          for (const ip of aaaa) records.push({ type: "AAAA", name: first.name, data: ip });
        }
        if (txt[0]) records.push({ type: "TXT", name: fqdn, data: txt[0] });
      }),
    );
  } finally {
    clearTimeout(deadline);
  }
  return assembleBeacons(records, zone);
}

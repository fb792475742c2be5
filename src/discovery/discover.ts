/**
 * `gateway discover` (and the probe's discovery pass): browse local. in-process plus the
 * wide-area domain, if any; the result is the published CLI's JSON shape, deduped and sorted.
 */
import { dedupeAndSort, type DiscoverResult } from "./beacons.ts";

export interface DiscoverOptions {
  timeoutMs: number;
  /** Unicast DNS-SD domain browsed besides local. ("local" or "local." means none). */
  wideAreaDomain?: string;
  onWarning?: (message: string) => void;
}

export function normalizeDomain(domain: string): string {
  const d = domain.trim().replace(/\.+$/, "");
  return d ? `${d}.` : "";
}

export async function discoverGateways(opts: DiscoverOptions): Promise<DiscoverResult> {
  const wide = opts.wideAreaDomain ? normalizeDomain(opts.wideAreaDomain) : "";
  const domains = ["local.", ...(wide && wide.toLowerCase() !== "local." ? [wide] : [])];
  const [{ browseLocal }, wideArea] = await Promise.all([
    import("./browse.ts"),
    domains.length > 1 ? import("./wide-area-browse.ts") : undefined,
  ]);
  const lists = await Promise.all([
    browseLocal({ timeoutMs: opts.timeoutMs, onWarning: opts.onWarning }),
    wideArea ? wideArea.browseWideArea(domains[1]!, opts.timeoutMs).catch(() => []) : [],
  ]);
  const beacons = dedupeAndSort(lists.flat());
  return { timeoutMs: opts.timeoutMs, domains, count: beacons.length, beacons };
}

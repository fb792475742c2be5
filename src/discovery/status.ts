/**
 * What `status` reports about discovery: whether this gateway advertises itself on the LAN right
 * now, under which name and on which interfaces, or why not. Cheap: no mDNS code.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import type { MdnsMode } from "../config/sections/discovery.ts";
import { decideBonjour, type BonjourDecision } from "./policy.ts";

export interface DiscoveryStatus {
  mdns: {
    mode: MdnsMode;
    advertising: boolean;
    /** After conflict renaming; null when not advertising. */
    instanceName: string | null;
    hostname: string | null;
    /** The library's state (probing, announcing, announced); null when not advertising. */
    state: string | null;
    /** Interfaces answered on; null = every interface (wildcard bind) or not advertising. */
    interfaces: string[] | null;
    /** Why it is on or off. */
    reason: string;
  };
  wideArea: { domain: string | null; zoneFile: string | null };
}

export function notAdvertising(decision: BonjourDecision, config: OpenClawConfig, zoneFile: string | null = null): DiscoveryStatus {
  return {
    mdns: { mode: decision.mode, advertising: false, instanceName: null, hostname: null, state: null, interfaces: null, reason: decision.reason },
    wideArea: { domain: config.discovery?.wideArea?.domain ?? null, zoneFile },
  };
}

/** The status of a gateway whose discovery code never loaded (nothing could turn it on). */
export function discoveryOff(config: OpenClawConfig, env: Record<string, string | undefined>): DiscoveryStatus {
  return notAdvertising(decideBonjour(config, env), config);
}

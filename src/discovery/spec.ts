/**
 * From a running gateway's facts to what the advertiser publishes: names, TXT, and the interfaces
 * and addresses to answer on (only those the gateway listens on). Loaded with the advertiser.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";
import type { OpenClawConfig } from "../config/schema.ts";
import type { MdnsMode } from "../config/sections/discovery.ts";
import { buildTxt, detectCliPath, instanceName, isLoopbackHost, machineDisplayName, mdnsHostLabel, sshPortFromEnv } from "./txt.ts";

type Env = Record<string, string | undefined>;
type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

export interface AdvertiseSpec {
  /** Instance name before any conflict renaming. */
  name: string;
  hostLabel: string;
  port: number;
  txt: Record<string, string>;
  /** Interface names the responder joins; undefined = the library's own choice (no interfaces found). */
  interfaces?: string[];
  /** A/AAAA records limited to these addresses; undefined = every address of those interfaces. */
  restrictedAddresses?: string[];
  /** No AAAA records when the gateway does not listen on IPv6. */
  disabledIpv6: boolean;
}

const WILDCARD = new Set(["0.0.0.0", "::", ""]);

/**
 * The interfaces a set of bind hosts is reachable on: a wildcard bind means every interface with
 * an address of the bound family; loopback hosts mean the loopback interface(s); a specific
 * address means the interface that holds it, and only that address.
 */
export function answerScope(bindHosts: readonly string[], ifaces: Interfaces = networkInterfaces()): Pick<AdvertiseSpec, "interfaces" | "restrictedAddresses" | "disabledIpv6"> {
  const disabledIpv6 = !bindHosts.some((h) => h.includes(":"));
  if (bindHosts.some((h) => WILDCARD.has(h))) {
    // Named from the OS's list rather than left to the library: on Linux it reads interface names
    // from `ip -o link`, which prints a veth or VLAN link as "eth0@if12" (a Docker container's eth0
    // included), finds no addresses under that name and answers on loopback only. The cost: an
    // interface that first appears after the advertisement starts is not answered on until restart.
    const names = Object.entries(ifaces)
      .filter(([, infos]) => (infos ?? []).some((i) => i.family === "IPv4" || !disabledIpv6))
      .map(([name]) => name)
      .sort();
    return names.length > 0 ? { interfaces: names, disabledIpv6 } : { disabledIpv6 };
  }
  const names = new Set<string>();
  const addresses = new Set<string>();
  for (const host of bindHosts) {
    for (const [name, infos] of Object.entries(ifaces)) {
      for (const info of infos ?? []) {
        const match = isLoopbackHost(host) ? info.internal && info.address === (host === "localhost" ? "127.0.0.1" : host) : info.address === host;
        if (match) {
          names.add(name);
          addresses.add(info.address);
        }
      }
    }
  }
  if (names.size === 0) {
    // A loopback bind on a host whose loopback has no matching address (unusual): answer on loopback anyway.
    for (const [name, infos] of Object.entries(ifaces)) if ((infos ?? []).some((i) => i.internal)) names.add(name);
  }
  return { interfaces: [...names].sort(), restrictedAddresses: addresses.size > 0 ? [...addresses] : undefined, disabledIpv6 };
}

/** MagicDNS name for full mode: OPENCLAW_TAILNET_DNS, else `tailscale status --json` when Tailscale is in use. */
export async function resolveTailnetDns(config: OpenClawConfig, env: Env, timeoutMs = 1500): Promise<string | undefined> {
  const fromEnv = env.OPENCLAW_TAILNET_DNS?.trim().replace(/\.$/, "");
  if (fromEnv) return fromEnv;
  const mode = (config.gateway as { tailscale?: { mode?: string } } | undefined)?.tailscale?.mode;
  if (!mode || mode === "off") return undefined;
  try {
    const proc = Bun.spawn(["tailscale", "status", "--json"], { stdout: "pipe", stderr: "ignore", stdin: "ignore" });
    const timer = setTimeout(() => proc.kill(), timeoutMs);
    const text = await new Response(proc.stdout).text();
    clearTimeout(timer);
    if ((await proc.exited) !== 0) return undefined;
    const name = (JSON.parse(text) as { Self?: { DNSName?: unknown } }).Self?.DNSName;
    return typeof name === "string" && name.trim() ? name.trim().replace(/\.$/, "") : undefined;
  } catch {
    return undefined;
  }
}

export interface SpecInput {
  config: OpenClawConfig;
  env: Env;
  mode: Exclude<MdnsMode, "off">;
  port: number;
  bindHosts: readonly string[];
  hostname?: string;
  interfaces?: Interfaces;
  tailnetDns?: string;
}

export function buildAdvertiseSpec(input: SpecInput): AdvertiseSpec {
  const display = machineDisplayName(input.hostname);
  const name = instanceName(display);
  const hostLabel = mdnsHostLabel(input.env, input.hostname);
  const full = input.mode === "full";
  const txt = buildTxt({
    mode: input.mode,
    port: input.port,
    host: hostLabel,
    displayName: name.replace(/ \(OpenClaw\)$/, ""),
    bindHosts: input.bindHosts,
    tailnetDns: full ? input.tailnetDns : undefined,
    cliPath: full ? detectCliPath(input.env) : undefined,
    sshPort: full ? sshPortFromEnv(input.env) : undefined,
  });
  return { name, hostLabel, port: input.port, txt, ...answerScope(input.bindHosts, input.interfaces) };
}

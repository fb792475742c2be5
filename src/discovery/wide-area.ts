/**
 * Wide-area (unicast) DNS-SD: with discovery.wideArea.domain set, the gateway writes a zone file
 * for a DNS server on the tailnet (e.g. CoreDNS) at <state>/dns/<domain>.db. It needs a Tailscale
 * IPv4 on this machine (the address the zone points at); without one it warns and writes nothing.
 * The file is rewritten only when its content changes, so the SOA serial does not churn.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";
import { join } from "node:path";
import type { OpenClawConfig } from "../config/schema.ts";
import type { Logger } from "../logging/logger.ts";
import { mdnsMode } from "./policy.ts";
import { resolveTailnetDns } from "./spec.ts";
import { buildTxt, detectCliPath, instanceName, machineDisplayName, mdnsHostLabel, SERVICE_TYPE_FULL, sshPortFromEnv } from "./txt.ts";

type Env = Record<string, string | undefined>;

/** 32-bit FNV-1a over UTF-8, as hex: a cheap, stable content fingerprint. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

function inTailnetRange(address: string): boolean {
  const [a, b] = address.split(".").map(Number);
  return a === 100 && b !== undefined && b >= 64 && b <= 127;
}

export function tailnetAddresses(ifaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): { ipv4?: string; ipv6?: string } {
  let ipv4: string | undefined;
  let ipv6: string | undefined;
  for (const infos of Object.values(ifaces)) {
    for (const i of infos ?? []) {
      if (i.family === "IPv4" && !ipv4 && inTailnetRange(i.address)) ipv4 = i.address;
      // Tailscale's IPv6 prefix.
      if (i.family === "IPv6" && !ipv6 && i.address.toLowerCase().startsWith("fd7a:115c:a1e0:")) ipv6 = i.address;
    }
  }
  return { ipv4, ipv6 };
}

function quoteTxt(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export interface ZoneInput {
  domain: string;
  hostLabel: string;
  port: number;
  ipv4: string;
  ipv6?: string;
  txt: Record<string, string>;
  now?: Date;
}

/** The zone text; the first line carries the hash of everything below it except the SOA serial. */
export function renderZone(input: ZoneInput): { text: string; hash: string } {
  const domain = input.domain.replace(/\.$/, "");
  const host = input.hostLabel;
  const instance = `${host}-gateway.${SERVICE_TYPE_FULL}`;
  const { lanHost: _lanHost, displayName, role, transport, gatewayPort, ...rest } = input.txt;
  const txt = [`displayName=${displayName}`, `role=${role}`, `transport=${transport}`, `gatewayPort=${gatewayPort}`, ...Object.entries(rest).map(([k, v]) => `${k}=${v}`)];
  const body = (serial: string) =>
    [
      `$ORIGIN ${domain}.`,
      "$TTL 60",
      `@ IN SOA ns1 hostmaster ${serial} 7200 3600 1209600 60`,
      "@ IN NS ns1",
      `ns1 IN A ${input.ipv4}`,
      `${host} IN A ${input.ipv4}`,
      ...(input.ipv6 ? [`${host} IN AAAA ${input.ipv6}`] : []),
      `${SERVICE_TYPE_FULL} IN PTR ${instance}`,
      `${instance} IN SRV 0 0 ${input.port} ${host}`,
      `${instance} IN TXT ${txt.map(quoteTxt).join(" ")}`,
      "",
    ].join("\n");
  const hash = fnv1a(body("SERIAL"));
  const d = input.now ?? new Date();
  const serial = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}01`;
  return { text: `; openclaw-content-hash: ${hash}\n${body(serial)}`, hash };
}

export function zonePath(stateDir: string, domain: string): string {
  return join(stateDir, "dns", `${domain.replace(/\.$/, "")}.db`);
}

export interface PublishInput {
  config: OpenClawConfig;
  env: Env;
  port: number;
  bindHosts: readonly string[];
  stateDir: string;
  log: Logger;
  interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/** Writes the zone when a tailnet address exists; returns the path written (or left as is), else undefined. */
export async function publishWideAreaZone(input: PublishInput): Promise<string | undefined> {
  const domain = input.config.discovery?.wideArea?.domain;
  if (!domain) return undefined;
  const { ipv4, ipv6 } = tailnetAddresses(input.interfaces);
  if (!ipv4) {
    input.log.warn(`wide-area discovery: no Tailscale IPv4 on this machine; not writing the ${domain} zone`);
    return undefined;
  }
  const mode = mdnsMode(input.config);
  const full = mode === "full";
  const hostLabel = mdnsHostLabel(input.env);
  // The zone lists tailnetDns whenever it resolves, whatever the LAN mode.
  const tailnetDns = await resolveTailnetDns(input.config, input.env);
  const txt = buildTxt({
    mode: full ? "full" : "minimal",
    port: input.port,
    host: hostLabel,
    displayName: instanceName(machineDisplayName()).replace(/ \(OpenClaw\)$/, ""),
    bindHosts: input.bindHosts,
    cliPath: full ? detectCliPath(input.env) : undefined,
    sshPort: full ? sshPortFromEnv(input.env) : undefined,
  });
  if (tailnetDns) txt.tailnetDns = tailnetDns;
  const { text, hash } = renderZone({ domain, hostLabel, port: input.port, ipv4, ipv6, txt });
  const path = zonePath(input.stateDir, domain);
  let existing = "";
  try {
    existing = readFileSync(path, "utf8");
  } catch {}
  if (existing.startsWith(`; openclaw-content-hash: ${hash}\n`)) return path;
  mkdirSync(join(input.stateDir, "dns"), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
  input.log.info(`wide-area discovery: wrote ${path}`);
  return path;
}

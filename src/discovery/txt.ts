/**
 * What the gateway advertises: the DNS-SD instance name, the host label and the TXT record, in
 * the published gateway's key order. Pure functions of their inputs, so tests pin every case.
 */
import { hostname as osHostname } from "node:os";
import { resolve } from "node:path";
import type { MdnsMode } from "../config/sections/discovery.ts";

type Env = Record<string, string | undefined>;

export const SERVICE_TYPE = "openclaw-gw";
export const SERVICE_TYPE_FULL = `_${SERVICE_TYPE}._tcp`;
const BRAND_SUFFIX = " (OpenClaw)";
const MAX_LABEL_BYTES = 63;
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** The machine's name for people: the hostname without a trailing ".local", else "openclaw". */
export function machineDisplayName(hostname: string = osHostname()): string {
  const name = hostname.trim().replace(/\.local\.?$/i, "");
  return name || "openclaw";
}

/** Cut to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text, "utf8") <= max) return text;
  let out = "";
  for (const ch of text) {
    if (Buffer.byteLength(out + ch, "utf8") > max) break;
    out += ch;
  }
  return out;
}

/** "<machine> (OpenClaw)", unless the name already says OpenClaw; one DNS label long at most. */
export function instanceName(displayName: string): string {
  const name = /openclaw/i.test(displayName) ? displayName : displayName + BRAND_SUFFIX;
  return truncateUtf8(name, MAX_LABEL_BYTES);
}

/** OPENCLAW_MDNS_HOSTNAME, else the first label of the hostname when it is a valid DNS label, else "openclaw". */
export function mdnsHostLabel(env: Env, hostname: string = osHostname()): string {
  const fromEnv = env.OPENCLAW_MDNS_HOSTNAME?.trim().replace(/\.local\.?$/i, "");
  if (fromEnv) return fromEnv;
  const first = hostname.trim().split(".")[0] ?? "";
  return DNS_LABEL.test(first) ? first : "openclaw";
}

/** The command a remote operator would run over SSH: the compiled binary, or src/main.ts. */
export function detectCliPath(env: Env): string {
  if (env.OPENCLAW_CLI_PATH?.trim()) return env.OPENCLAW_CLI_PATH.trim();
  const compiled = Bun.main.startsWith("/$bunfs/") || /^[A-Za-z]:[\\/]~BUN[\\/]/.test(Bun.main);
  return compiled ? process.execPath : resolve(import.meta.dir, "../main.ts");
}

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

export interface TxtInput {
  mode: Exclude<MdnsMode, "off">;
  port: number;
  /** mDNS host label (no ".local"). */
  host: string;
  /** The instance name's human part (without " (OpenClaw)"). */
  displayName: string;
  /** Every address the gateway listens on: any non-loopback one makes it directly reachable. */
  bindHosts: readonly string[];
  tls?: { fingerprintSha256?: string };
  /** Full mode only. */
  tailnetDns?: string;
  cliPath?: string;
  sshPort?: number;
}

/** The TXT record as ordered key/value pairs (insertion order is the wire order). */
export function buildTxt(input: TxtInput): Record<string, string> {
  const txt: Record<string, string> = {
    role: "gateway",
    gatewayPort: String(input.port),
    lanHost: `${input.host}.local`,
    displayName: input.displayName,
  };
  if (input.tls) {
    txt.gatewayTls = "1";
    if (input.tls.fingerprintSha256) txt.gatewayTlsSha256 = input.tls.fingerprintSha256;
  }
  if (input.bindHosts.some((h) => !isLoopbackHost(h))) txt.gatewayDirectReachable = "1";
  const full = input.mode === "full";
  if (full && input.tailnetDns) txt.tailnetDns = input.tailnetDns;
  if (full && input.cliPath) txt.cliPath = input.cliPath;
  txt.transport = "gateway";
  if (full) txt.sshPort = String(input.sshPort ?? 22);
  return txt;
}

/** OPENCLAW_SSH_PORT when it is a port number, else 22. */
export function sshPortFromEnv(env: Env): number {
  const n = Number(env.OPENCLAW_SSH_PORT?.trim());
  return Number.isInteger(n) && n > 0 && n <= 65535 ? n : 22;
}

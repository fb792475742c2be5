/**
 * The single place where gateway settings are resolved with the precedence
 * flag > env > config > default. Everything else reads the resolved result.
 */
import { existsSync } from "node:fs";
import { networkInterfaces, type NetworkInterfaceInfo } from "node:os";
import { hasUnresolvedPlaceholder } from "./env-subst.ts";
import { profilePort, type ResolvedPaths } from "./paths.ts";
import { BindModeSchema, type OpenClawConfig } from "./schema.ts";

export { describeSettingsTable, type SettingRow } from "./settings-table.ts";

export type BindMode = "loopback" | "lan" | "auto" | "custom" | "tailnet";
export type AuthMode = "none" | "token" | "password" | "trusted-proxy";

export interface GatewayFlags {
  port?: string | number;
  bind?: string;
  auth?: string;
  token?: string;
  password?: string;
  tailscale?: string;
}

export interface GatewayAuthSettings {
  mode: AuthMode;
  token?: string;
  password?: string;
  source: "flag" | "env" | "config" | "generated" | "none";
}

export interface GatewaySettings {
  port: number;
  portSource: "flag" | "env" | "config" | "profile" | "default";
  bind: BindMode;
  bindSource: "flag" | "config" | "default";
  customBindHost?: string;
  auth: GatewayAuthSettings;
  /** `--tailscale`, else gateway.tailscale.mode, else "off". */
  tailscale?: TailscaleMode;
}

export type TailscaleMode = "off" | "serve" | "funnel";
const TAILSCALE_MODES: readonly TailscaleMode[] = ["off", "serve", "funnel"];

function resolveTailscale(flags: GatewayFlags, config: OpenClawConfig): TailscaleMode {
  if (flags.tailscale === undefined) return config.gateway?.tailscale?.mode ?? "off";
  const mode = flags.tailscale.trim() as TailscaleMode;
  if (!TAILSCALE_MODES.includes(mode)) throw new SettingsError('Invalid --tailscale. Use "off", "serve", or "funnel".', 1);
  return mode;
}

export class SettingsError extends Error {
  override name = "SettingsError";
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

export const DEFAULT_PORT = 18789;
export const DEV_PORT = 19001;
export const EX_CONFIG = 78;

const BIND_MODES: readonly BindMode[] = BindModeSchema.options;
// trusted-proxy needs its proxy settings in the config file, so it is not a --auth value.
const AUTH_MODES: readonly AuthMode[] = ["none", "token", "password"];
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

type Env = Record<string, string | undefined>;
type Source = "flag" | "env" | "config";

function parsePort(value: string | number, label: string, allowZero: boolean): number {
  const text = String(value).trim();
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535 || port < (allowZero ? 0 : 1)) {
    throw new SettingsError(`Invalid ${label}: ${JSON.stringify(String(value))} (use 1-65535)`, 1);
  }
  return port;
}

function resolvePort(flags: GatewayFlags, env: Env, config: OpenClawConfig, paths: ResolvedPaths) {
  if (flags.port !== undefined) {
    // Port 0 (ephemeral) is only useful for tests and tooling, which pass it on the command line.
    return { port: parsePort(flags.port, "--port", true), portSource: "flag" as const };
  }
  const envPort = env.OPENCLAW_GATEWAY_PORT;
  if (envPort !== undefined && envPort.trim() !== "") {
    return { port: parsePort(envPort, "OPENCLAW_GATEWAY_PORT", false), portSource: "env" as const };
  }
  if (config.gateway?.port !== undefined) return { port: config.gateway.port, portSource: "config" as const };
  if (paths.isDev) return { port: DEV_PORT, portSource: "default" as const };
  if (paths.profile !== null && paths.profile !== "dev") {
    return { port: profilePort(paths.profile), portSource: "profile" as const };
  }
  return { port: DEFAULT_PORT, portSource: "default" as const };
}

function resolveBind(flags: GatewayFlags, config: OpenClawConfig) {
  if (flags.bind !== undefined) {
    const bind = flags.bind.trim() as BindMode;
    if (!BIND_MODES.includes(bind)) {
      throw new SettingsError('Invalid --bind. Use "loopback", "lan", "tailnet", "auto", or "custom".', 1);
    }
    return { bind, bindSource: "flag" as const };
  }
  if (config.gateway?.bind !== undefined) return { bind: config.gateway.bind, bindSource: "config" as const };
  return { bind: "loopback" as const, bindSource: "default" as const };
}

/** Empty values and unresolved `${VAR}` placeholders mean "not configured", never a literal secret. */
function usable(value: string | undefined): string | undefined {
  if (value === undefined || value === "" || hasUnresolvedPlaceholder(value)) return undefined;
  return value;
}

function firstSecret(candidates: Array<[Source, string | undefined]>): { value: string; source: Source } | undefined {
  for (const [source, raw] of candidates) {
    const value = usable(raw);
    if (value !== undefined) return { value, source };
  }
  return undefined;
}

export function generateGatewayToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Buffer.from(bytes).toString("base64url");
}

function resolveAuth(
  flags: GatewayFlags,
  env: Env,
  config: OpenClawConfig,
  generateToken: () => string,
): GatewayAuthSettings {
  const auth = config.gateway?.auth;
  const token = firstSecret([
    ["flag", flags.token],
    ["env", env.OPENCLAW_GATEWAY_TOKEN],
    ["config", auth?.token],
  ]);
  const password = firstSecret([
    ["flag", flags.password],
    ["env", env.OPENCLAW_GATEWAY_PASSWORD],
    ["config", auth?.password],
  ]);

  let mode: AuthMode;
  if (flags.auth !== undefined) {
    const flagMode = flags.auth.trim() as AuthMode;
    if (!AUTH_MODES.includes(flagMode)) {
      throw new SettingsError('Invalid --auth. Use "none", "token", or "password".', 1);
    }
    mode = flagMode;
  } else {
    mode = auth?.mode ?? (password ? "password" : "token");
  }

  switch (mode) {
    case "none":
      return { mode, source: "none" };
    case "trusted-proxy":
      requireTrustedProxySetup(config);
      // A password, when set, is the fallback for local direct callers (no forwarding headers).
      return password ? { mode, password: password.value, source: password.source } : { mode, source: "config" };
    case "password":
      if (!password) {
        throw new SettingsError(
          "Gateway auth is set to password, but no password is configured.\n" +
            "Set gateway.auth.password (or OPENCLAW_GATEWAY_PASSWORD), or pass --password.",
          EX_CONFIG,
        );
      }
      return { mode, password: password.value, source: password.source };
    case "token":
      // A missing token must not leave the gateway open, so a per-process token is minted instead.
      if (!token) return { mode, token: generateToken(), source: "generated" };
      return { mode, token: token.value, source: token.source };
  }
}

/** Without a proxy list and a user header the mode would admit nobody (or anybody), so start-up refuses it. */
function requireTrustedProxySetup(config: OpenClawConfig): void {
  const g = config.gateway;
  if (!g?.trustedProxies?.length) {
    throw new SettingsError('Gateway auth mode is "trusted-proxy", but gateway.trustedProxies is empty.\nList the proxy addresses (IPs or CIDRs) that may set forwarded headers.', EX_CONFIG);
  }
  if (!g.auth?.trustedProxy?.userHeader) {
    throw new SettingsError('Gateway auth mode is "trusted-proxy", but gateway.auth.trustedProxy.userHeader is not set.\nName the header your proxy puts the authenticated user in (e.g. x-forwarded-user).', EX_CONFIG);
  }
}

export function resolveGatewaySettings(input: {
  flags: GatewayFlags;
  env: Env;
  config: OpenClawConfig;
  paths: ResolvedPaths;
  generateToken?: () => string;
}): GatewaySettings {
  const { flags, env, config, paths } = input;
  const settings: GatewaySettings = {
    ...resolvePort(flags, env, config, paths),
    ...resolveBind(flags, config),
    auth: resolveAuth(flags, env, config, input.generateToken ?? generateGatewayToken),
    tailscale: resolveTailscale(flags, config),
  };
  if (config.gateway?.customBindHost !== undefined) settings.customBindHost = config.gateway.customBindHost;
  return settings;
}

export function isIPv4(host: string): boolean {
  return IPV4.test(host);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  const v4 = h.startsWith("::ffff:") ? h.slice("::ffff:".length) : h;
  return isIPv4(v4) && v4.startsWith("127.");
}

/** Docker and Podman drop these marker files; injectable so tests don't depend on where they run. */
export function detectContainer(exists: (path: string) => boolean = existsSync): boolean {
  return exists("/.dockerenv") || exists("/run/.containerenv");
}

function isTailnetAddress(address: string): boolean {
  if (!isIPv4(address)) return false;
  const [a, b] = address.split(".").map(Number) as [number, number];
  return a === 100 && b >= 64 && b <= 127;
}

function findTailnetAddress(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string | undefined {
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      // Older Node typings allow family to be the number 4.
      const family = info.family as string | number;
      if ((family === "IPv4" || family === 4) && isTailnetAddress(info.address)) return info.address;
    }
  }
  return undefined;
}

export function resolveBindHosts(
  mode: BindMode,
  opts: {
    customBindHost?: string;
    interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>;
    inContainer?: boolean;
    detectContainer?: () => boolean;
  } = {},
): { hosts: string[]; note?: string } {
  switch (mode) {
    case "loopback":
      return { hosts: ["127.0.0.1", "::1"] };
    case "lan":
      return { hosts: ["0.0.0.0"] };
    case "auto": {
      // Inside a container, loopback is unreachable through port forwarding, so listen everywhere.
      const inContainer = opts.inContainer ?? (opts.detectContainer ?? detectContainer)();
      return { hosts: inContainer ? ["0.0.0.0"] : ["127.0.0.1"] };
    }
    case "custom": {
      const host = opts.customBindHost?.trim();
      if (!host || !isIPv4(host)) {
        throw new SettingsError("gateway bind=custom requires gateway.customBindHost (an IPv4 address)", EX_CONFIG);
      }
      // Local tools always reach the gateway on 127.0.0.1, so a specific interface also gets a loopback listener.
      return { hosts: host === "127.0.0.1" || host === "0.0.0.0" ? [host] : [host, "127.0.0.1"] };
    }
    case "tailnet": {
      const address = findTailnetAddress(opts.interfaces ?? networkInterfaces());
      if (address) return { hosts: [address, "127.0.0.1"] };
      return {
        hosts: ["127.0.0.1", "::1"],
        note: "bind=tailnet: no Tailscale address found; binding loopback only",
      };
    }
  }
}

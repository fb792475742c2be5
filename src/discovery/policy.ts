/**
 * Whether the gateway advertises itself over Bonjour, decided from the config, the environment and
 * the host. Kept free of the mDNS library so the gateway can decide "no" without loading it.
 */
import { existsSync, readFileSync } from "node:fs";
import type { OpenClawConfig } from "../config/schema.ts";
import type { MdnsMode } from "../config/sections/discovery.ts";

type Env = Record<string, string | undefined>;

export interface HostProbe {
  exists(path: string): boolean;
  /** The file's text, or undefined when it cannot be read. */
  read(path: string): string | undefined;
}

export const realHost: HostProbe = {
  exists: existsSync,
  read: (path) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};

const CONTAINER_MARKERS = ["/.dockerenv", "/run/.containerenv", "/var/run/.containerenv"];
const CGROUP_CONTAINER = /docker|containerd|kubepods|lxc/;

/** Docker/Podman marker files, a Fly machine, or a container runtime in PID 1's cgroup path. */
export function detectContainerForBonjour(env: Env, host: HostProbe = realHost): boolean {
  if (CONTAINER_MARKERS.some((p) => host.exists(p))) return true;
  if (env.FLY_MACHINE_ID && env.FLY_APP_NAME) return true;
  return CGROUP_CONTAINER.test(host.read("/proc/1/cgroup") ?? "");
}

/**
 * OPENCLAW_DISABLE_BONJOUR: "force-off" for a truthy value, "force-on" for 0/false/no/off, "auto"
 * when unset or empty. Any other value counts as truthy: whoever set it meant to disable.
 */
export function bonjourEnvOverride(value: string | undefined): "force-off" | "force-on" | "auto" {
  const v = value?.trim().toLowerCase() ?? "";
  if (v === "") return "auto";
  if (v === "0" || v === "false" || v === "no" || v === "off") return "force-on";
  return "force-off";
}

export interface BonjourDecision {
  enabled: boolean;
  mode: MdnsMode;
  /** Why, for the log line and `gateway status`. */
  reason: string;
}

export function mdnsMode(config: OpenClawConfig): MdnsMode {
  return config.discovery?.mdns?.mode ?? "minimal";
}

/**
 * The order matters: mode off always wins; the env var then forces either way (=0 turns it on
 * with no other setting, even in a container); an explicitly disabled bonjour plugin stays off;
 * otherwise it is on by default only on macOS or with the plugin enabled, and never in a
 * detected container or under a test runner that asked for quiet (VITEST).
 */
export function decideBonjour(
  config: OpenClawConfig,
  env: Env,
  opts: { platform?: NodeJS.Platform; host?: HostProbe } = {},
): BonjourDecision {
  const mode = mdnsMode(config);
  const off = (reason: string): BonjourDecision => ({ enabled: false, mode, reason });
  if (mode === "off") return off("discovery.mdns.mode is off");
  const override = bonjourEnvOverride(env.OPENCLAW_DISABLE_BONJOUR);
  if (override === "force-off") return off("OPENCLAW_DISABLE_BONJOUR is set");
  if (override === "force-on") return { enabled: true, mode, reason: "OPENCLAW_DISABLE_BONJOUR=0" };
  const plugins = config.plugins as { enabled?: boolean; entries?: Record<string, { enabled?: boolean } | undefined> } | undefined;
  const entry = plugins?.entries?.bonjour?.enabled;
  if (plugins?.enabled === false || entry === false) return off("the bonjour plugin is disabled");
  const platform = opts.platform ?? process.platform;
  if (entry !== true && platform !== "darwin") {
    return off("the bonjour plugin is off by default except on macOS (plugins.entries.bonjour.enabled)");
  }
  if (env.VITEST) return off("VITEST is set");
  if (detectContainerForBonjour(env, opts.host)) return off("running in a container (set OPENCLAW_DISABLE_BONJOUR=0 to advertise anyway)");
  return { enabled: true, mode, reason: entry === true ? "plugins.entries.bonjour.enabled" : "default on macOS" };
}

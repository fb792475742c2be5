/**
 * `openclaw gateway probe`: every place a gateway may answer, in order (explicit --url, an SSH
 * tunnel, the configured remote, local loopback), each within its own share of one overall
 * budget, with a discovery pass alongside. The report says which answered, with what rights.
 */
import { networkInterfaces } from "node:os";
import type { OpenClawConfig } from "../config/schema.ts";
import { CAPABILITY_RANK, probeTarget, type Capability, type ProbeSecrets, type TargetProbe } from "./connect.ts";
import { formatSshTarget, openSshTunnel, parseSshTarget, SshTunnelError, type SshTarget, type SshTunnel } from "./ssh.ts";

export type TargetKind = "explicit" | "sshTunnel" | "configRemote" | "localLoopback";

export const BUDGETS = { sshTunnelMs: 2000, inactiveLoopbackMs: 800, inactiveRemoteMs: 1500, discoveryMs: 1200 } as const;

export interface ProbeWarning {
  code: "multiple_gateways" | "ssh_tunnel_failed" | "probe_scope_limited" | "auth_secretref_unresolved" | "probe_detail_failed" | "no_gateway_reachable";
  message: string;
  targetIds: string[];
}

/** What the probe uses of a discovered beacon (src/discovery's Beacon has more). */
export interface Beacon {
  host?: string | null;
  lanHost?: string;
  wsUrl?: string | null;
  displayName?: string;
}

export interface DiscoveryResult {
  timeoutMs: number;
  count: number;
  beacons: Beacon[];
  /** Why no Bonjour pass ran (OPENCLAW_DISABLE_BONJOUR); absent when it ran. */
  skipped?: string;
}

/** The discovery pass; the Bonjour browser is plugged in here (an empty result when there is none). */
export type Discover = (timeoutMs: number) => Promise<Beacon[]>;

export interface ProbeTargetJson extends Omit<TargetProbe, "reachable" | "instanceId"> {
  id: TargetKind;
  kind: TargetKind;
  url: string;
  active: boolean;
  tunnel: { kind: "ssh"; target: string; localPort: number; remotePort: number } | null;
}

export interface ProbeReport {
  ok: boolean;
  degraded: boolean;
  capability: Capability;
  ts: number;
  durationMs: number;
  timeoutMs: number;
  primaryTargetId: TargetKind | null;
  warnings: ProbeWarning[];
  network: { localLoopbackUrl: string; localTailnetUrl: string | null; tailnetIPv4: string | null };
  discovery: DiscoveryResult;
  targets: ProbeTargetJson[];
}

export interface ProbeOptions {
  url?: string;
  /** --port: the loopback port to probe (and, with --ssh, the remote gateway port). */
  port?: number;
  ssh?: string;
  sshIdentity?: string;
  sshAuto?: boolean;
  token?: string;
  password?: string;
  timeoutMs: number;
  /** The local config with SecretRefs resolved (unresolved ones removed). */
  config: OpenClawConfig;
  /** Config keys whose SecretRef did not resolve. */
  unresolvedSecrets: Array<{ path: string; reason: string }>;
  env: Record<string, string | undefined>;
  /** The port the local gateway listens on by this machine's settings. */
  localPort: number;
  discover?: Discover;
  /** Set instead of `discover` when browsing is switched off: the reason, reported as discovery.skipped. */
  discoverySkipped?: string;
}

function nonEmpty(v: string | null | undefined): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

/** A Tailscale (CGNAT 100.64.0.0/10) IPv4 on this machine, if any. */
export function tailnetIPv4(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) {
      if (i.family !== "IPv4") continue;
      const [a, b] = i.address.split(".").map(Number);
      if (a === 100 && b! >= 64 && b! <= 127) return i.address;
    }
  }
  return null;
}

interface Planned {
  kind: TargetKind;
  url: string;
  active: boolean;
  budgetMs: number;
  secrets: ProbeSecrets;
  tunnel: ProbeTargetJson["tunnel"];
}

function flagSecrets(o: ProbeOptions): ProbeSecrets | undefined {
  const token = nonEmpty(o.token);
  const password = nonEmpty(o.password);
  if (!token && !password) return undefined;
  return { ...(token ? { token } : {}), ...(password ? { password } : {}) };
}

function pick(token: unknown, password: unknown): ProbeSecrets {
  const out: ProbeSecrets = {};
  if (typeof token === "string" && token.trim()) out.token = token.trim();
  if (typeof password === "string" && password.trim()) out.password = password.trim();
  return out;
}

function rank(c: Capability): number {
  return CAPABILITY_RANK.indexOf(c);
}

const PROBE_SCOPE_MESSAGE =
  "Connected, but the read probes were refused for missing operator.read: a shared secret alone grants a probe no scopes. Pair a device or use credentials with operator.read for the full report.";

export const MULTIPLE_GATEWAYS_HINTS = [
  "One gateway serves many agents and channels; run several only for redundancy or a rescue bot.",
  "If that is intended, give each its own gateway.port, OPENCLAW_CONFIG_PATH, OPENCLAW_STATE_DIR and agents.defaults.workspace (profiles: --profile <name>).",
  "Otherwise stop the extra one: `openclaw gateway status --deep` lists other gateway-like services with their clean-up commands.",
];

export async function runGatewayProbe(o: ProbeOptions): Promise<ProbeReport> {
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const warnings: ProbeWarning[] = [];
  const remoteMode = o.config.gateway?.mode === "remote";
  const loopbackUrl = `ws://127.0.0.1:${o.port ?? o.localPort}`;
  const discoveryMs = Math.min(BUDGETS.discoveryMs, o.timeoutMs);
  const discovering = (o.discover ? o.discover(discoveryMs).catch(() => [] as Beacon[]) : Promise.resolve([] as Beacon[]));

  for (const f of o.unresolvedSecrets) {
    warnings.push({ code: "auth_secretref_unresolved", message: `${f.path}: SecretRef did not resolve (${f.reason}); probing without it.`, targetIds: [] });
  }

  const flags = flagSecrets(o);
  const planned: Planned[] = [];
  const explicitUrl = nonEmpty(o.url);
  if (explicitUrl) planned.push({ kind: "explicit", url: explicitUrl, active: true, budgetMs: o.timeoutMs, secrets: flags ?? {}, tunnel: null });

  let tunnel: SshTunnel | undefined;
  let sshTarget: SshTarget | undefined;
  try {
    if (o.ssh) sshTarget = parseSshTarget(o.ssh);
    else if (o.sshAuto) {
      const beacon = (await discovering).find((b) => nonEmpty(b.host) ?? nonEmpty(b.lanHost));
      if (beacon) sshTarget = { host: (nonEmpty(beacon.host) ?? nonEmpty(beacon.lanHost))!.replace(/\.$/, "") };
      else {
        const why = o.discoverySkipped ? `discovery is off (${o.discoverySkipped})` : "discovery found no gateway to open a tunnel to";
        warnings.push({ code: "ssh_tunnel_failed", message: `--ssh-auto: ${why}.`, targetIds: [] });
      }
    }
    if (sshTarget) {
      const remotePort = o.port ?? o.localPort;
      tunnel = await openSshTunnel({
        target: sshTarget, remotePort, timeoutMs: Math.min(BUDGETS.sshTunnelMs, left()), PATH: o.env.PATH, env: o.env,
        ...(o.sshIdentity ? { identity: o.sshIdentity } : {}),
      });
      const remote = o.config.gateway?.remote;
      planned.push({
        kind: "sshTunnel", url: `ws://127.0.0.1:${tunnel.localPort}`, active: true, budgetMs: o.timeoutMs,
        secrets: flags ?? pick(remote?.token, remote?.password),
        tunnel: { kind: "ssh", target: formatSshTarget(sshTarget), localPort: tunnel.localPort, remotePort },
      });
    }
  } catch (err) {
    if (!(err instanceof SshTunnelError)) throw err;
    warnings.push({ code: "ssh_tunnel_failed", message: `SSH tunnel failed: ${err.message}`, targetIds: ["sshTunnel"] });
  }

  try {
    const remoteUrl = nonEmpty(o.config.gateway?.remote?.url);
    // --port without --url narrows the probe to loopback.
    if (remoteUrl && !(o.port !== undefined && !explicitUrl)) {
      const remote = o.config.gateway?.remote;
      planned.push({
        kind: "configRemote", url: remoteUrl, active: remoteMode, budgetMs: remoteMode ? o.timeoutMs : BUDGETS.inactiveRemoteMs,
        secrets: flags ?? pick(remote?.token, remote?.password), tunnel: null,
      });
    }
    const auth = o.config.gateway?.auth;
    planned.push({
      kind: "localLoopback", url: loopbackUrl, active: !remoteMode, budgetMs: remoteMode ? BUDGETS.inactiveLoopbackMs : o.timeoutMs,
      secrets: flags ?? pick(nonEmpty(o.env.OPENCLAW_GATEWAY_TOKEN) ?? auth?.token, nonEmpty(o.env.OPENCLAW_GATEWAY_PASSWORD) ?? auth?.password),
      tunnel: null,
    });
    const seen = new Set<string>();
    const targets = planned.filter((t) => (seen.has(t.url) ? false : (seen.add(t.url), true)));
    const results = await Promise.all(targets.map((t) => probeTarget(t.url, t.secrets, Math.min(t.budgetMs, left()))));
    const beacons = await discovering;
    const discovery: DiscoveryResult = { timeoutMs: discoveryMs, count: beacons.length, beacons, ...(o.discoverySkipped ? { skipped: o.discoverySkipped } : {}) };
    return report(o, started, targets, results, warnings, discovery, loopbackUrl);
  } finally {
    await tunnel?.close();
  }
}

function report(
  o: ProbeOptions, started: number, targets: Planned[], results: TargetProbe[], warnings: ProbeWarning[],
  discovery: DiscoveryResult, loopbackUrl: string,
): ProbeReport {
  const json: ProbeTargetJson[] = targets.map((t, i) => {
    const { reachable: _r, instanceId: _i, ...r } = results[i]!;
    return { id: t.kind, kind: t.kind, url: t.url, active: t.active, tunnel: t.tunnel, ...r };
  });
  const reachable = targets.map((_, i) => results[i]!.reachable);
  const ok = reachable.some(Boolean);
  const primary = results.findIndex((r) => r.connect.ok);
  const primaryIdx = primary !== -1 ? primary : reachable.indexOf(true);

  const limited = json.filter((t) => t.connect.scopeLimited).map((t) => t.id);
  if (limited.length) warnings.push({ code: "probe_scope_limited", message: PROBE_SCOPE_MESSAGE, targetIds: limited });
  const refused = json.filter((t, i) => reachable[i] && !t.connect.ok).map((t) => t.id);
  if (refused.length) {
    warnings.push({ code: "probe_detail_failed", message: "A gateway answered but refused the probe's connect (see connect.error); check the token or password.", targetIds: refused });
  }
  // Two targets are one gateway when they report the same instance (an SSH tunnel to the configured remote).
  const gateways = new Map<string, string[]>();
  results.forEach((r, i) => {
    if (!r.connect.ok) return;
    const key = r.instanceId ?? `target:${i}`;
    gateways.set(key, [...(gateways.get(key) ?? []), json[i]!.id]);
  });
  if (gateways.size > 1) {
    const ids = [...gateways.values()].map((v) => v[0]!);
    warnings.push({ code: "multiple_gateways", message: `Multiple reachable gateways (${ids.join(", ")}). ${MULTIPLE_GATEWAYS_HINTS.join(" ")}`, targetIds: ids });
  }
  if (!ok) {
    warnings.push({
      code: "no_gateway_reachable",
      message: "No gateway answered any probe. Run `openclaw gateway status --deep --require-rpc` to see why (service state, port, last error).",
      targetIds: [],
    });
  }
  let capability: Capability = "unknown";
  for (const t of json) if (rank(t.auth.capability) < rank(capability)) capability = t.auth.capability;
  const primaryJson = primaryIdx === -1 ? undefined : json[primaryIdx];
  const ip = tailnetIPv4();
  return {
    ok,
    degraded: ok && !(primaryJson?.connect.ok && primaryJson.connect.rpcOk),
    capability,
    ts: Date.now(),
    durationMs: Date.now() - started,
    timeoutMs: o.timeoutMs,
    primaryTargetId: primaryJson?.id ?? null,
    warnings,
    network: { localLoopbackUrl: loopbackUrl, localTailnetUrl: ip ? `ws://${ip}:${o.port ?? o.localPort}` : null, tailnetIPv4: ip },
    discovery,
    targets: json,
  };
}

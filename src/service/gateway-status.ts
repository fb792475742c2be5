/**
 * Builds the `gateway status` document (GatewayStatusJson). The service half and the RPC half
 * never borrow each other's verdict: a running unit with a dead port and a foreground gateway
 * without any unit are both reported as they are.
 */
import { ConfigError, formatConfigError, loadConfig } from "../config/load.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import type { GatewayTarget } from "../client/target.ts";
import { VERSION } from "../version.ts";
import { scanExtraServices, type ExtraService } from "./deep.ts";
import { ServiceError, serviceContextFor, type ServiceHost } from "./identity.ts";
import { createServiceManager } from "./manager.ts";
import { currentProgram } from "./plan.ts";
import {
  findGatewayLogFile, inspectService, isPortListening, lastErrorLine, probeGateway, serviceSecrets,
  type RpcProbeJson, type ServiceSnapshot, type ServiceStatusJson,
} from "./status.ts";

export interface GatewayStatusJson {
  /** The RPC probe succeeded (true when it was skipped with --no-probe). */
  ok: boolean;
  cli: { version: string; program: string[] };
  config: {
    cli: { path: string; exists: boolean; valid: boolean; error?: string };
    /** The config path the installed service runs with, when a service is installed. */
    service: { path: string } | null;
    mismatch: boolean;
  };
  /** null with serviceError set when this platform has no supported service manager. */
  service: ServiceStatusJson | null;
  serviceError?: string;
  gateway: {
    probeUrl: string | null;
    urlSource: string | null;
    port: number | null;
    /** "target" when the probe goes to the installed service's port, else "diagnostic-only". */
    targetRole: "target" | "diagnostic-only";
    portListening: boolean | null;
  };
  /** null with --no-probe. */
  rpc: RpcProbeJson | null;
  logFile: string | null;
  lastError: string | null;
  /** Only with --deep. */
  extraServices?: ExtraService[];
  extraServicesError?: string;
  hints: string[];
}

/**
 * Where the caller would connect (its --url/--token/--password, environment and config). An
 * unusable local config is `{ error }`, reported as a failed probe; anything else it throws
 * propagates.
 */
export type TargetResolver = () => Promise<{ target: GatewayTarget } | { error: string }>;

export interface StatusOptions {
  probe: boolean;
  deep: boolean;
  timeoutMs: number;
  /** Called only when probing. */
  resolveTarget: TargetResolver;
}

function cliConfig(host: ServiceHost): { json: GatewayStatusJson["config"]["cli"]; config?: OpenClawConfig } {
  try {
    const loaded = loadConfig(host.paths.configPath, host.env);
    return { json: { path: host.paths.configPath, exists: loaded.exists, valid: true }, config: loaded.config };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { json: { path: host.paths.configPath, exists: true, valid: false, error: formatConfigError(err) } };
  }
}

/** The caller's target, pointed at the installed service's port when nothing more explicit names one. */
async function probeTarget(opts: StatusOptions, snap: ServiceSnapshot | undefined, sc: Parameters<typeof serviceSecrets>[0] | undefined) {
  const resolved = await opts.resolveTarget();
  if ("error" in resolved) return { error: resolved.error };
  let target: Omit<GatewayTarget, "urlSource"> & { urlSource: string } = resolved.target;
  const servicePort = snap?.json.port;
  if (target.urlSource === "local loopback" && servicePort) target = { ...target, url: `ws://127.0.0.1:${servicePort}`, urlSource: "service" };
  if (target.urlSource !== "flag" && !target.token && !target.password && sc) target = { ...target, ...serviceSecrets(sc, snap?.definition) };
  return { target };
}

function portOf(url: string): number | null {
  try {
    const u = new URL(url);
    const local = u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.hostname === "[::1]";
    return local && u.port ? Number(u.port) : null;
  } catch {
    return null;
  }
}

export async function collectGatewayStatus(host: ServiceHost, opts: StatusOptions): Promise<GatewayStatusJson> {
  const hints: string[] = [];
  const cfg = cliConfig(host);
  let snap: ServiceSnapshot | undefined;
  let serviceError: string | undefined;
  let sc: ReturnType<typeof serviceContextFor> | undefined;
  let manager: Awaited<ReturnType<typeof createServiceManager>> | undefined;
  try {
    sc = serviceContextFor(host);
    manager = await createServiceManager(sc);
    snap = await inspectService(sc, manager);
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    serviceError = err.message;
  }
  const svc = snap?.json ?? null;
  if (svc && !svc.installed) hints.push("Service not installed. Install it with: openclaw gateway install");

  let rpc: RpcProbeJson | null = null;
  let probeUrl: string | null = null;
  let urlSource: string | null = null;
  if (opts.probe) {
    const t = await probeTarget(opts, snap, sc);
    if (t.target) {
      probeUrl = t.target.url;
      urlSource = t.target.urlSource;
      rpc = await probeGateway(t.target, opts.timeoutMs);
    } else {
      rpc = { ok: false, url: "", urlSource: "config", latencyMs: 0, error: { kind: "config_invalid", message: t.error } };
    }
  } else if (svc?.port) {
    probeUrl = `ws://127.0.0.1:${svc.port}`;
    urlSource = "service";
  }
  const port = probeUrl ? portOf(probeUrl) : null;
  const portListening = rpc?.ok ? true : port !== null ? await isPortListening(port) : null;

  let logFile: string | null = null;
  let lastError: string | null = null;
  if (svc?.runtime?.status === "running" && portListening === false && sc) {
    hints.push(`Gateway port ${port} is not listening (service appears running).`);
    logFile = findGatewayLogFile(sc, cfg.config?.logging?.file, snap?.definition?.environment.OPENCLAW_LOG_DIR);
    lastError = logFile ? await lastErrorLine(logFile) : null;
    if (svc.manager === "systemd") {
      hints.push(`Logs: journalctl ${svc.scope === "user" ? "--user " : ""}-u ${svc.name} -n 200 --no-pager`);
    }
  } else if (rpc && !rpc.ok && svc?.installed && svc.runtime?.status !== "running") {
    hints.push("Start the service with: openclaw gateway start");
  } else if (rpc && !rpc.ok && !svc?.installed) {
    hints.push("Is a gateway running? Run one with: openclaw gateway run");
  }

  const servicePath = svc?.configPath ?? null;
  const mismatch = servicePath !== null && servicePath !== host.paths.configPath;
  if (mismatch) hints.push("Root cause: CLI and service are using different config paths (likely a profile/state-dir mismatch).");

  const doc: GatewayStatusJson = {
    ok: rpc === null || rpc.ok,
    cli: { version: VERSION, program: currentProgram() },
    config: { cli: cfg.json, service: servicePath ? { path: servicePath } : null, mismatch },
    service: svc,
    ...(serviceError ? { serviceError } : {}),
    gateway: {
      probeUrl, urlSource, port,
      targetRole: svc?.port != null && port === svc.port ? "target" : "diagnostic-only",
      portListening,
    },
    rpc, logFile, lastError, hints,
  };
  if (opts.deep && sc && manager) {
    const scan = await scanExtraServices(sc, [manager.definitionPath]);
    doc.extraServices = scan.extras;
    if (scan.error) doc.extraServicesError = scan.error;
  }
  return doc;
}

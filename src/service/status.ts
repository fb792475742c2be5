/**
 * The two halves of `gateway status`, kept apart on purpose: what the supervisor says (definition
 * file + manager runtime) and whether the gateway answers RPC. Plus the clues that connect them:
 * is the port open, and the last error line of the gateway's file log.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GatewayTarget } from "../client/target.ts";
import { GatewayClient, GatewayRequestError, GatewayTransportError } from "../client/ws-client.ts";
import type { Status } from "../protocol/methods/system.ts";
import { datedFilePattern, PREFERRED_LOG_ROOT } from "../logging/paths.ts";
import { readInstalledDefinition, type InstalledDefinition } from "./definitions.ts";
import { readEnvFile } from "./env-file.ts";
import { envFilePath, type ServiceContext } from "./identity.ts";
import type { RuntimeStatus, ServiceManager } from "./manager-core.ts";
import { modeString, serviceInfo, type ServiceInfoJson } from "./report.ts";

export interface RuntimeJson {
  status: RuntimeStatus["status"];
  state?: string;
  subState?: string;
  pid?: number;
  lastExitStatus?: number;
  detail?: string;
}

export interface ServiceStatusJson extends ServiceInfoJson {
  installed: boolean;
  /** systemd enabled / launchd loaded / task registered; null when unknown or not installed. */
  loaded: boolean | null;
  loadedText: string;
  command: string[] | null;
  port: number | null;
  version: string | null;
  configPath: string | null;
  envFile: { path: string; exists: boolean; mode: string | null } | null;
  runtime: RuntimeJson | null;
}

export interface ServiceSnapshot {
  json: ServiceStatusJson;
  definition?: InstalledDefinition;
}

export async function inspectService(sc: ServiceContext, m: ServiceManager): Promise<ServiceSnapshot> {
  const definition = m.isInstalled() ? readInstalledDefinition(m.definitionPath, m.kind) : undefined;
  let runtime: RuntimeJson | null = null;
  let loaded: boolean | null = null;
  if (definition) {
    const { commands: _commands, loaded: l, ...rest } = await m.runtime();
    runtime = rest;
    loaded = l;
  }
  const envPath = definition ? definition.envFile ?? envFilePath(sc.paths) : null;
  let envFile: ServiceStatusJson["envFile"] = null;
  if (envPath) {
    const st = existsSync(envPath) ? statSync(envPath) : undefined;
    envFile = { path: envPath, exists: st !== undefined, mode: st ? modeString(st.mode) : null };
  }
  return {
    definition,
    json: {
      ...serviceInfo(sc, m),
      installed: definition !== undefined,
      loaded,
      loadedText: loaded === null ? "unknown" : loaded ? m.loadedText : m.notLoadedText,
      command: definition?.programArguments ?? null,
      port: definition?.port ?? null,
      version: definition?.environment.OPENCLAW_SERVICE_VERSION ?? null,
      configPath: definition?.environment.OPENCLAW_CONFIG_PATH ?? null,
      envFile,
      runtime,
    },
  };
}

/** Secrets from the service's env file, for probing a service whose token lives only there. */
export function serviceSecrets(sc: ServiceContext, definition?: InstalledDefinition): { token?: string; password?: string } {
  try {
    const values = readEnvFile(definition?.envFile ?? envFilePath(sc.paths)) ?? {};
    return { token: values.OPENCLAW_GATEWAY_TOKEN || undefined, password: values.OPENCLAW_GATEWAY_PASSWORD || undefined };
  } catch {
    return {};
  }
}

export interface RpcProbeJson {
  ok: boolean;
  url: string;
  urlSource: string;
  latencyMs: number;
  serverVersion?: string;
  error?: { kind: string; message: string };
  /** From the gateway's `status` (when the caller may read it): its Bonjour advertisement. */
  discovery?: Status["discovery"];
  /** From the gateway's `status`: the Tailscale route in front of it. */
  tailscale?: Status["tailscale"];
}

/** WS connect (handshake with read scope) + a `health` request, within one budget. */
export async function probeGateway(target: Omit<GatewayTarget, "urlSource"> & { urlSource: string }, timeoutMs: number): Promise<RpcProbeJson> {
  const started = performance.now();
  const base = { url: target.url, urlSource: target.urlSource };
  const elapsed = () => Math.round(performance.now() - started);
  let client: GatewayClient | undefined;
  try {
    client = await GatewayClient.connect({
      url: target.url, clientId: "cli", mode: "cli", scopes: ["operator.read"], timeoutMs,
      ...(target.token ? { token: target.token } : {}), ...(target.password ? { password: target.password } : {}),
    });
    await client.request("health", undefined, { timeoutMs: Math.max(1, timeoutMs - elapsed()) });
    const latencyMs = elapsed();
    const ok: RpcProbeJson = { ok: true, ...base, latencyMs, serverVersion: client.hello.server.version };
    // Extras for the report; a gateway that refuses or predates them is still reachable.
    const st = (await client
      .request("status", { includeChannelSummary: false }, { timeoutMs: Math.max(1, timeoutMs - elapsed()) })
      .catch(() => undefined)) as Partial<Status> | undefined;
    if (st?.discovery) ok.discovery = st.discovery;
    if (st?.tailscale) ok.tailscale = st.tailscale;
    return ok;
  } catch (err) {
    const kind = err instanceof GatewayTransportError ? err.kind : err instanceof GatewayRequestError ? err.code : "error";
    return { ok: false, ...base, latencyMs: elapsed(), error: { kind, message: (err as Error).message } };
  } finally {
    client?.close();
  }
}

export function isPortListening(port: number, host = "127.0.0.1", timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** The gateway's current file log, found the way the gateway names it (no directory is created). */
export function findGatewayLogFile(sc: ServiceContext, configuredFile: string | undefined, serviceLogDir: string | undefined): string | null {
  if (configuredFile) return existsSync(configuredFile) ? configuredFile : null;
  const dirs = [serviceLogDir, sc.env.OPENCLAW_LOG_DIR, PREFERRED_LOG_ROOT, join(tmpdir(), `openclaw-${sc.uid}`)];
  const pattern = datedFilePattern(sc.paths.profile);
  let best: { path: string; mtime: number } | null = null;
  for (const dir of dirs) {
    if (!dir) continue;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!pattern.test(name) || /\.\d+\.log$/.test(name)) continue;
      const path = join(dir, name);
      const mtime = statSync(path).mtimeMs;
      if (!best || mtime > best.mtime) best = { path, mtime };
    }
    if (best) break;
  }
  return best?.path ?? null;
}

/** The newest ERROR/FATAL line of a JSONL log (read from the last 256 KiB), as "<time> <message>". */
export async function lastErrorLine(file: string, maxBytes = 262_144): Promise<string | null> {
  const fh = await open(file, "r").catch(() => null);
  if (!fh) return null;
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    const lines = buf.toString("utf8").split("\n");
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!.trim();
      if (!line.startsWith("{")) continue;
      try {
        const rec = JSON.parse(line) as { _meta?: { logLevelId?: number; logLevelName?: string }; time?: string; message?: string };
        if ((rec._meta?.logLevelId ?? 0) >= 5) return `${rec.time ?? ""} ${rec._meta?.logLevelName ?? "ERROR"} ${rec.message ?? ""}`.trim();
      } catch {
        // a partial line at the start of the window
      }
    }
    return null;
  } finally {
    await fh.close();
  }
}

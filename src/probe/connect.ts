/**
 * One target of `gateway probe`: a `probe`-mode connect (client `cli`, asking for operator.read,
 * never with a device identity, so none is created), then health, status, system-presence and
 * config.get sent together. What came back is reported as is, including a refusal's close.
 */
import { GatewayClient, GatewayRequestError, GatewayTransportError } from "../client/ws-client.ts";

export type Capability = "admin_capable" | "write_capable" | "read_only" | "pairing_pending" | "connected_no_operator_scope" | "unknown";

/** Best first: the overall capability is the best any target reached. */
export const CAPABILITY_RANK: readonly Capability[] = [
  "admin_capable", "write_capable", "read_only", "connected_no_operator_scope", "pairing_pending", "unknown",
];

export interface ProbeConnect {
  ok: boolean;
  rpcOk: boolean;
  scopeLimited: boolean;
  latencyMs: number | null;
  error: string | null;
  close: { code: number; reason: string } | null;
}

export interface TargetProbe {
  connect: ProbeConnect;
  auth: { role: string | null; scopes: string[]; capability: Capability };
  server: { version: string | null; buildId?: string | null; connId: string | null };
  self: unknown;
  config: unknown;
  health: unknown;
  summary: unknown;
  presence: unknown;
  /** Something that speaks the protocol answered (hello, or a refusal with a close). Not in the JSON. */
  reachable: boolean;
  /** The gateway's own instance id (from its self presence), to tell two targets on one gateway apart. */
  instanceId: string | null;
}

export interface ProbeSecrets {
  token?: string;
  password?: string;
}

export function capabilityOf(scopes: readonly string[], readOk: boolean): Capability {
  if (scopes.includes("operator.admin")) return "admin_capable";
  if (scopes.includes("operator.write")) return "write_capable";
  if (scopes.includes("operator.read") || readOk) return "read_only";
  return "connected_no_operator_scope";
}

const CLOSE_RE = /^gateway closed \((\d+)\): (.*)$/;

function failed(error: string, close: ProbeConnect["close"], reachable: boolean, capability: Capability = "unknown"): TargetProbe {
  return {
    connect: { ok: false, rpcOk: false, scopeLimited: false, latencyMs: null, error, close },
    auth: { role: null, scopes: [], capability },
    server: { version: null, connId: null },
    self: null, config: null, health: null, summary: null, presence: null,
    reachable, instanceId: null,
  };
}

function isPairing(err: GatewayRequestError): boolean {
  const code = (err.details as { code?: unknown } | undefined)?.code;
  return err.code === "NOT_PAIRED" || code === "PAIRING_REQUIRED" || /pairing required/i.test(err.message);
}

/** Bun's WebSocket says only "Failed to connect"; a plain TCP connect tells refused from unreachable. */
async function socketError(url: string): Promise<string | undefined> {
  let host: string;
  let port: number;
  try {
    const u = new URL(url);
    host = u.hostname.replace(/^\[|\]$/g, "");
    port = Number(u.port || (u.protocol === "wss:" ? 443 : 80));
  } catch {
    return undefined;
  }
  try {
    const s = await Bun.connect({ hostname: host, port, socket: { data() {} } });
    s.end();
    return undefined;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" ? `connect ${code} ${host}:${port}` : undefined;
  }
}

function connectFailure(err: unknown, budgetMs: number): TargetProbe {
  if (err instanceof GatewayRequestError) {
    // The gateway answered the connect with a refusal, then closed with 1008 and the same reason.
    return failed(err.message, { code: 1008, reason: err.message }, true, isPairing(err) ? "pairing_pending" : "unknown");
  }
  if (err instanceof GatewayTransportError) {
    if (err.kind === "closed") {
      const m = CLOSE_RE.exec(err.message);
      const close = { code: err.closeCode ?? (m ? Number(m[1]) : 1006), reason: m && m[2] !== "no close reason" ? m[2]! : "" };
      return failed(err.message, close, true);
    }
    if (err.kind === "timeout") return failed(`timeout after ${budgetMs}ms`, null, false);
    return failed(err.message, { code: 1006, reason: "" }, false);
  }
  return failed(err instanceof Error ? err.message : String(err), null, false);
}

type Read = { ok: true; value: unknown } | { ok: false; error: unknown };

async function read(client: GatewayClient, method: string, params: unknown, timeoutMs: number): Promise<Read> {
  try {
    return { ok: true, value: await client.request(method, params, { timeoutMs }) };
  } catch (error) {
    return { ok: false, error };
  }
}

function missingScope(r: Read): boolean {
  return !r.ok && r.error instanceof GatewayRequestError && /missing scope/i.test(r.error.message);
}

function selfOf(presence: unknown): Record<string, unknown> | null {
  if (!Array.isArray(presence)) return null;
  return (presence.find((p) => p && (p as { reason?: unknown }).reason === "self") as Record<string, unknown> | undefined) ?? null;
}

/** Probes one URL within `budgetMs` (connect and reads together). */
export async function probeTarget(url: string, secrets: ProbeSecrets, budgetMs: number): Promise<TargetProbe> {
  const deadline = Date.now() + budgetMs;
  const started = performance.now();
  let client: GatewayClient;
  try {
    client = await GatewayClient.connect({
      url, clientId: "cli", mode: "probe", scopes: ["operator.read"], displayName: "gateway:probe",
      timeoutMs: Math.max(1, budgetMs), ...(secrets.token ? { token: secrets.token } : {}), ...(secrets.password ? { password: secrets.password } : {}),
    });
  } catch (err) {
    const out = connectFailure(err, budgetMs);
    if (err instanceof GatewayTransportError && err.kind === "refused") out.connect.error = (await socketError(url)) ?? out.connect.error;
    return out;
  }
  const latencyMs = Math.round(performance.now() - started);
  try {
    const hello = client.hello;
    const scopes = [...(hello.auth?.scopes ?? [])];
    const left = Math.max(1, deadline - Date.now());
    const [health, status, presence, config] = await Promise.all([
      read(client, "health", undefined, left),
      read(client, "status", undefined, left),
      read(client, "system-presence", undefined, left),
      read(client, "config.get", {}, left),
    ]);
    const reads = [health, status, presence, config];
    const scopeLimited = reads.some(missingScope);
    const rpcOk = reads.every((r) => r.ok);
    const firstError = reads.find((r) => !r.ok) as { ok: false; error: unknown } | undefined;
    const snapshotPresence = (hello.snapshot as { presence?: unknown } | undefined)?.presence;
    const self = selfOf(presence.ok ? presence.value : snapshotPresence);
    let configView: unknown = null;
    if (config.ok && config.value && typeof config.value === "object") {
      // The raw file text adds nothing to a probe report: keep the parsed, redacted view.
      const { raw: _raw, ...rest } = config.value as Record<string, unknown>;
      configView = rest;
    }
    return {
      connect: {
        ok: true, rpcOk, scopeLimited, latencyMs,
        error: firstError ? (firstError.error instanceof Error ? firstError.error.message : String(firstError.error)) : null,
        close: null,
      },
      auth: { role: hello.auth?.role ?? "operator", scopes, capability: capabilityOf(scopes, status.ok) },
      server: { version: hello.server?.version ?? null, buildId: hello.server?.buildId ?? null, connId: hello.server?.connId ?? null },
      self,
      config: configView,
      health: health.ok ? health.value : null,
      summary: status.ok ? status.value : null,
      presence: presence.ok ? presence.value : null,
      reachable: true,
      instanceId: typeof self?.instanceId === "string" ? self.instanceId : null,
    };
  } finally {
    client.close();
  }
}

import type { ConnectParams, HelloOk } from "../../protocol/index.ts";
import {
  ConnectParamsSchema, DetailCodes, EPHEMERAL_MODES, ErrorCodes, EVENT_NAMES, GatewayError,
  RequestFrameSchema, formatIssues,
} from "../../protocol/index.ts";
import { MIN_PROBE_PROTOCOL, PROTOCOL_VERSION } from "../../version.ts";
import { checkOrigin } from "../../auth/origin.ts";
import { verifyDeviceProof } from "../../nodes/identity.ts";
import { authenticate, effectiveScopes, HandshakeError, type AuthOutcome } from "../auth.ts";
import { reconcileNodeOnConnect } from "../nodes.ts";
import { admitDevice, authenticateDevice, deviceScopes, PairingRequiredError, type DeviceAdmission } from "./device-gate.ts";
import type { MethodRegistry } from "../methods/registry.ts";
import type { GatewayRuntime } from "../runtime.ts";
import type { GatewaySocket } from "./conn.ts";
import { closeReason, errorFrame, okFrame } from "./conn.ts";
import { wsTrafficLogFor, type WsTrafficLog } from "./ws-log.ts";
import { canvasHostEnabled, capabilityUrl } from "../../http/canvas/surface.ts";

/** What a failed connect does: the error res (when there is a request id), then the close. */
function reject(ws: GatewaySocket, gw: GatewayRuntime, id: string, err: GatewayError, closeCode = 1008, reason = err.message): void {
  const detail = (err.extra.details as { code?: unknown } | undefined)?.code;
  gw.metrics.handshake(typeof detail === "string" ? detail : err.code);
  ws.data.phase = "closed";
  ws.send(errorFrame(id, err.toShape()));
  ws.close(closeCode, closeReason(reason));
}

function negotiateProtocol(p: ConnectParams): number | null {
  if (p.minProtocol <= PROTOCOL_VERSION && PROTOCOL_VERSION <= p.maxProtocol) return PROTOCOL_VERSION;
  const lenient = p.client.mode === "probe" || p.role === "node";
  if (lenient && p.minProtocol <= MIN_PROBE_PROTOCOL && MIN_PROBE_PROTOCOL <= p.maxProtocol) return MIN_PROBE_PROTOCOL;
  return null;
}

/**
 * Handles the one frame a socket may send before it is authenticated. Every failure closes the
 * socket with the code the published gateway uses, so real clients react the same way.
 */
export function handlePreConnect(
  ws: GatewaySocket, text: string, gw: GatewayRuntime, methods: MethodRegistry, wsl: WsTrafficLog = wsTrafficLogFor(gw),
): void {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    gw.metrics.handshake("invalid_frame");
    ws.data.phase = "closed";
    ws.close(1000, "");
    return;
  }
  const parsed = RequestFrameSchema.safeParse(frame);
  if (!parsed.success) {
    gw.metrics.handshake("invalid_frame");
    ws.data.phase = "closed";
    ws.close(1008, "invalid request frame");
    return;
  }
  const req = parsed.data;
  if (req.method !== "connect") {
    reject(ws, gw, req.id, new GatewayError(ErrorCodes.INVALID_REQUEST, "invalid handshake: first request must be connect"));
    return;
  }
  const params = ConnectParamsSchema.safeParse(req.params ?? {});
  if (!params.success) {
    reject(ws, gw, req.id, new GatewayError(ErrorCodes.INVALID_REQUEST, `invalid connect params: ${formatIssues(params.error.issues)}`));
    return;
  }
  const p = params.data;
  const protocol = negotiateProtocol(p);
  if (protocol === null) {
    const details = {
      code: DetailCodes.PROTOCOL_MISMATCH, clientMinProtocol: p.minProtocol, clientMaxProtocol: p.maxProtocol,
      expectedProtocol: PROTOCOL_VERSION, minimumProbeProtocol: MIN_PROBE_PROTOCOL,
    };
    reject(ws, gw, req.id, new GatewayError(ErrorCodes.INVALID_REQUEST, "protocol mismatch", { details }), 1002);
    return;
  }
  const refused = admissionError(ws, gw);
  if (refused) {
    gw.log.warn("refused connect", { conn: ws.data.connId, client: p.client.id, origin: ws.data.origin, reason: refused.message });
    reject(ws, gw, req.id, refused);
    return;
  }
  if (p.device) {
    // The device proof runs before shared-secret auth, as on the published gateway.
    const proof = verifyDeviceProof(p, ws.data.nonce);
    if (!proof.ok) {
      gw.log.warn("device proof failed", { conn: ws.data.connId, client: p.client.id, reason: proof.reason });
      reject(ws, gw, req.id, new GatewayError(ErrorCodes.INVALID_REQUEST, proof.message, { details: { code: proof.code, reason: proof.reason } }));
      return;
    }
    ws.data.deviceId = proof.deviceId;
    ws.data.devicePublicKey = proof.publicKey;
  }
  let admitted: DeviceAdmission = {};
  try {
    if ((p.role ?? "operator") === "node" && !p.device) {
      throw new HandshakeError(ErrorCodes.NOT_PAIRED, "device identity required", {
        details: { code: DetailCodes.DEVICE_IDENTITY_REQUIRED },
      });
    }
    const d = ws.data;
    let outcome: AuthOutcome;
    if (d.deviceId) {
      const auth = countGuesses(ws, gw, () => authenticateDevice(p, d, gw));
      // A proxy- or Tailscale-vouched operator is a known person, not a new device: no pairing.
      if (!(IDENTITY_METHODS.has(auth.method) && (p.role ?? "operator") === "operator")) admitted = admitDevice(p, d, gw, auth.presented);
      outcome = auth;
      if ((p.role ?? "operator") === "node") reconcileNodeOnConnect(p, d, gw);
    } else {
      outcome = countGuesses(ws, gw, () => authenticate(p, gw.auth, d));
    }
    d.client = p.client;
    d.role = p.role ?? "operator";
    d.scopes =
      d.role === "node" ? [] : IDENTITY_METHODS.has(outcome.method) ? [...new Set(p.scopes ?? [])] : d.deviceId ? deviceScopes(p, gw, d.deviceId) : effectiveScopes(p);
    if (d.role !== "node" && p.caps?.length) d.caps = p.caps;
    d.authMethod = outcome.method;
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    gw.log.warn("unauthorized connect", { conn: ws.data.connId, client: p.client.id, reason: err.message });
    reject(ws, gw, req.id, err, 1008, err instanceof PairingRequiredError ? err.closeReason : err.message);
    return;
  }
  establish(ws, req.id, protocol, gw, methods, wsl, admitted);
}

/** Auth methods where something other than a shared secret vouched for the person: they get the scopes they ask for. */
const IDENTITY_METHODS = new Set<string>(["trusted-proxy", "tailscale"]);

/** A browser origin the gateway does not serve, or an address locked out after failed guesses. */
function admissionError(ws: GatewaySocket, gw: GatewayRuntime): GatewayError | undefined {
  const d = ws.data;
  if (d.origin !== undefined && d.origin !== "") {
    const verdict = checkOrigin({ origin: d.origin, host: d.host, localPeer: d.localPeer }, gw.originPolicy());
    if (!verdict.ok) {
      return new GatewayError(ErrorCodes.INVALID_REQUEST, ORIGIN_NOT_ALLOWED, {
        details: { code: DetailCodes.CONTROL_UI_ORIGIN_NOT_ALLOWED, reason: verdict.reason },
      });
    }
  }
  const retryAfterMs = gw.limiter.retryAfterMs(d.remoteAddress, gw.rateLimits());
  if (retryAfterMs > 0) return rateLimitedError(retryAfterMs);
  return undefined;
}

const ORIGIN_NOT_ALLOWED =
  "origin not allowed (open the Control UI from the gateway host or allow it in gateway.controlUi.allowedOrigins)";

export function rateLimitedError(retryAfterMs: number): GatewayError {
  return new GatewayError(ErrorCodes.INVALID_REQUEST, "unauthorized: too many failed authentication attempts (retry later)", {
    retryable: true,
    retryAfterMs,
    details: { code: DetailCodes.AUTH_RATE_LIMITED, authReason: "rate_limited", canRetryWithDeviceToken: false, recommendedNextStep: "wait_then_retry" },
  });
}

const GUESS_CODES = new Set<string>([DetailCodes.AUTH_TOKEN_MISMATCH, DetailCodes.AUTH_PASSWORD_MISMATCH, DetailCodes.AUTH_DEVICE_TOKEN_MISMATCH]);

/**
 * Auth (shared secret, or a device's token) that feeds the per-address limiter the HTTP door uses
 * too: a wrong secret or device token is a guess and counts (a missing one is not); a right one
 * outside a lockout clears the count.
 */
function countGuesses<T extends AuthOutcome>(ws: GatewaySocket, gw: GatewayRuntime, attempt: () => T): T {
  const ip = ws.data.remoteAddress;
  try {
    const outcome = attempt();
    if (outcome.method !== "none") gw.limiter.recordSuccess(ip);
    return outcome;
  } catch (err) {
    const code = (err as GatewayError).extra?.details as { code?: string } | undefined;
    if (err instanceof GatewayError && code?.code && GUESS_CODES.has(code.code)) {
      const limits = gw.rateLimits();
      gw.limiter.recordFailure(ip, limits);
    }
    throw err;
  }
}

function establish(
  ws: GatewaySocket, id: string, protocol: number, gw: GatewayRuntime, methods: MethodRegistry, wsl: WsTrafficLog, admitted: DeviceAdmission,
): void {
  const d = ws.data;
  d.phase = "ready";
  gw.metrics.handshake(null);
  const hello: HelloOk = {
    type: "hello-ok",
    protocol,
    server: { version: gw.version, buildId: gw.buildId, bootId: gw.bootId, connId: d.connId },
    features: { methods: methods.names(), events: EVENT_NAMES, capabilities: [] },
    snapshot: {
      // A node is sent no presence, in hello-ok as afterwards (as published).
      presence: d.role === "node" ? [] : gw.presence.list(),
      health: gw.health().value,
      stateVersion: gw.stateVersion(),
      uptimeMs: gw.uptimeMs(),
    },
    ...canvasFields(gw, d),
    auth: { method: d.authMethod, role: d.role!, scopes: d.scopes!, ...admitted },
    policy: gw.policy,
  };
  // hello-ok must precede any broadcast, including the presence change this connect causes.
  ws.send(okFrame(id, hello));
  gw.bus.add(ws);
  gw.burstGc.note();
  if (wsl.routineOn) {
    wsl.connect(d);
    const counts = { methods: hello.features.methods.length, events: hello.features.events.length, presence: hello.snapshot.presence.length };
    wsl.hello(d, { ...counts, stateVersion: hello.snapshot.stateVersion.presence });
  }
  if (!EPHEMERAL_MODES.has(d.client!.mode) && gw.presence.addConnection(d)) gw.broadcastPresence();
}

/** The canvas URL this connection may use (none while the canvas host is off); nodes also get the old field. */
function canvasFields(gw: GatewayRuntime, d: GatewaySocket["data"]): Pick<HelloOk, "canvasHostUrl" | "pluginSurfaceUrls"> {
  if (!canvasHostEnabled(gw.config, gw.options.skipCanvasHost)) return {};
  const url = capabilityUrl(d.host, { host: gw.hosts[0] ?? "127.0.0.1", port: gw.port }, gw.surfaces.issue(d.connId));
  return d.role === "node" ? { canvasHostUrl: url, pluginSurfaceUrls: { canvas: url } } : { pluginSurfaceUrls: { canvas: url } };
}

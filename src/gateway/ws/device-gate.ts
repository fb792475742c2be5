/**
 * Connect for a socket that proved a device key: shared-secret or device-token auth, then gate 1
 * of pairing (may this key connect in this role). A local direct connect is paired silently; any
 * other gets a pending request the owner approves, and NOT_PAIRED/PAIRING_REQUIRED until then.
 */
import type { PendingRequest } from "../../nodes/pairing-store.ts";
import { DetailCodes, ErrorCodes, type ConnectParams } from "../../protocol/index.ts";
import { authenticate, effectiveScopes, HandshakeError, trustedProxyRequired, type AuthOutcome } from "../auth.ts";
import { isLoopbackHostname, normalizeOrigin } from "../../auth/origin.ts";
import type { GatewayRuntime } from "../runtime.ts";
import type { ConnState } from "./conn.ts";

export interface DeviceAdmission {
  /** Sent in hello-ok.auth: a token minted in this handshake, or the one the client presented. */
  deviceToken?: string;
  issuedAtMs?: number;
}

/** Why connect was refused, with the close reason the published gateway uses (it names the request). */
export class PairingRequiredError extends HandshakeError {
  constructor(message: string, details: Record<string, unknown>, readonly closeReason: string) {
    super(ErrorCodes.NOT_PAIRED, message, { details });
  }
}

function unauthorized(message: string, code: string, authReason: string, next: string, canRetryWithDeviceToken: boolean): HandshakeError {
  return new HandshakeError(ErrorCodes.INVALID_REQUEST, message, {
    details: { code, authReason, canRetryWithDeviceToken, recommendedNextStep: next },
  });
}

/** Shared secret first (a device token in `auth.token` also counts, as published), else `auth.deviceToken`. */
export function authenticateDevice(p: ConnectParams, d: ConnState, gw: GatewayRuntime): AuthOutcome & { presented?: string } {
  const role = p.role ?? "operator";
  const deviceId = d.deviceId!;
  const auth = p.auth ?? {};
  if (gw.auth.mode === "trusted-proxy" && d.proxyUser) return { method: "trusted-proxy" };
  if (auth.token || auth.password) {
    try {
      return authenticate(p, gw.auth, d);
    } catch (err) {
      if (auth.token && gw.pairing.verifyToken(deviceId, role, auth.token)) return { method: "device-token", presented: auth.token };
      if (!(err instanceof HandshakeError) || gw.auth.mode === "trusted-proxy") throw err;
      const kind = gw.auth.mode === "password" ? "password" : "token";
      throw unauthorized(`unauthorized: gateway ${kind} mismatch (provide gateway auth ${kind})`, kind === "token" ? DetailCodes.AUTH_TOKEN_MISMATCH : DetailCodes.AUTH_PASSWORD_MISMATCH, `${kind}_mismatch`, "retry_with_device_token", true);
    }
  }
  if (auth.deviceToken) {
    if (gw.pairing.verifyToken(deviceId, role, auth.deviceToken)) return { method: "device-token", presented: auth.deviceToken };
    throw unauthorized("unauthorized: device token mismatch (rotate/reissue device token)", DetailCodes.AUTH_DEVICE_TOKEN_MISMATCH, "device_token_mismatch", "update_auth_credentials", false);
  }
  if (gw.auth.mode === "none") return { method: "none" };
  if (gw.auth.mode === "trusted-proxy") throw trustedProxyRequired();
  // Only when no credential at all was presented: an explicit one wins (and may fail) above.
  if (d.tailscaleUser) return { method: "tailscale" };
  const kind = gw.auth.mode === "password" ? "password" : "token";
  throw unauthorized(`unauthorized: gateway ${kind} missing (provide gateway auth ${kind})`, kind === "token" ? DetailCodes.AUTH_TOKEN_MISSING : DetailCodes.AUTH_PASSWORD_MISSING, `${kind}_missing`, "update_auth_configuration", false);
}

/** The browser clients the gateway serves itself (the Control UI and its webchat mode). */
const CONTROL_UI_CLIENTS = new Set(["openclaw-control-ui", "webchat-ui", "webchat"]);

/**
 * Silent approval, unless turned off: a loopback peer with no forwarding headers, and either no
 * browser Origin (a local process) or the Control UI opened on a loopback origin of this machine
 * (the origin check has already passed by now), as the published gateway auto-pairs it.
 */
function silentAllowed(p: ConnectParams, d: ConnState, gw: GatewayRuntime): boolean {
  if (!d.localPeer || gw.config.gateway?.nodes?.pairing?.autoApproveLocal === false) return false;
  if (!d.origin) return true;
  const origin = normalizeOrigin(d.origin);
  return origin !== undefined && CONTROL_UI_CLIENTS.has(p.client.id) && isLoopbackHostname(new URL(origin).hostname);
}

/**
 * What a device operator may do: the scopes it asks for that its pairing approved. The CLI and
 * backend clients keep the rule they have without a device (effectiveScopes).
 */
export function deviceScopes(p: ConnectParams, gw: GatewayRuntime, deviceId: string): string[] {
  const trusted = effectiveScopes(p);
  if (trusted.length) return trusted;
  const approved = new Set(gw.pairing.paired(deviceId)?.scopes ?? []);
  return [...new Set(p.scopes ?? [])].filter((s) => approved.has(s));
}

/** Gate 1. Returns what hello-ok tells the device; throws PairingRequiredError while it waits. */
export function admitDevice(p: ConnectParams, d: ConnState, gw: GatewayRuntime, presented?: string): DeviceAdmission {
  const role = p.role ?? "operator";
  const deviceId = d.deviceId!;
  const publicKey = d.devicePublicKey!;
  const paired = gw.pairing.paired(deviceId);
  const sameKey = paired?.publicKey === publicKey;
  if (paired && sameKey && paired.roles.includes(role)) {
    gw.pairing.touch(deviceId);
    // A rotated token's successor is handed over here, to the device itself.
    if (gw.pairing.needsToken(deviceId, role)) {
      const now = Date.now();
      const token = gw.pairing.mint(deviceId, role, now);
      if (token) return { deviceToken: token, issuedAtMs: now };
    }
    const token = paired.tokens.find((t) => t.role === role);
    return presented ? { deviceToken: presented, issuedAtMs: token?.createdAtMs } : {};
  }
  const input = {
    deviceId, publicKey, role, scopes: role === "node" ? [] : [...(p.scopes ?? [])],
    displayName: p.client.displayName, platform: p.client.platform, deviceFamily: p.client.deviceFamily,
    clientId: p.client.id, clientMode: p.client.mode,
  };
  const upgrade = paired && sameKey;
  // An already-paired device asking for another role is never approved silently.
  if (silentAllowed(p, d, gw) && !(upgrade && role !== "operator")) {
    const now = Date.now();
    const { token } = gw.pairing.pairNow(input, "silent", now);
    gw.bus.broadcast("device.pair.resolved", { requestId: crypto.randomUUID(), deviceId, decision: "approved", ts: now }, undefined, "operator.pairing");
    gw.log.info(`device ${deviceId.slice(0, 12)}… paired silently (${role}, local direct connect)`);
    return { deviceToken: token, issuedAtMs: now };
  }
  const { request, created, superseded } = gw.pairing.request(input);
  if (superseded) announceResolved(gw, superseded, "rejected");
  if (created) gw.bus.broadcast("device.pair.requested", pendingPayload(request), undefined, "operator.pairing");
  const message = upgrade ? "pairing required: device is asking for a higher role than currently approved" : "pairing required: device is not approved yet";
  throw new PairingRequiredError(
    message,
    {
      code: DetailCodes.PAIRING_REQUIRED, reason: upgrade ? "role-upgrade" : "not-paired", requestId: request.requestId,
      remediationHint: "Approve this device from the pending pairing requests.", deviceId, requestedRole: role,
      ...(upgrade ? { approvedRoles: paired!.roles } : {}),
    },
    `${message} (requestId: ${request.requestId})`,
  );
}

export function pendingPayload(r: PendingRequest): Record<string, unknown> {
  return {
    requestId: r.requestId, deviceId: r.deviceId, publicKey: r.publicKey, displayName: r.displayName, platform: r.platform,
    deviceFamily: r.deviceFamily, clientId: r.clientId, clientMode: r.clientMode, role: r.role, roles: r.roles, scopes: r.scopes,
    silent: r.silent, isRepair: r.isRepair, ts: r.ts,
  };
}

export function announceResolved(gw: GatewayRuntime, r: { requestId: string; deviceId: string }, decision: "approved" | "rejected"): void {
  gw.bus.broadcast("device.pair.resolved", { requestId: r.requestId, deviceId: r.deviceId, decision, ts: Date.now() }, undefined, "operator.pairing");
}

import type { PairedDevice } from "../../nodes/pairing-store.ts";
import { deviceMethods, ErrorCodes, GatewayError, scopeSatisfied } from "../../protocol/index.ts";
import type { GatewayRuntime } from "../runtime.ts";
import { announceResolved, pendingPayload } from "../ws/device-gate.ts";
import { implement } from "./registry.ts";

function withConnected(gw: GatewayRuntime, d: PairedDevice) {
  let connected = false;
  for (const ws of gw.bus.all()) if (ws.data.deviceId === d.deviceId) connected = true;
  return { ...d, connected };
}

/** Closes a device's sockets (in one role, or all): its approval or token is gone. */
function disconnect(gw: GatewayRuntime, deviceId: string, role?: string): void {
  for (const ws of [...gw.bus.all()]) {
    if (ws.data.deviceId === deviceId && (role === undefined || ws.data.role === role)) ws.close(4001, "device removed");
  }
}

export const devicePairListMethod = implement(deviceMethods.devicePairList, (_params, { gw }) => ({
  pending: gw.pairing.pending().map((r) => pendingPayload(r) as never),
  paired: gw.pairing.list().map((d) => withConnected(gw, d)),
}));

export const devicePairApproveMethod = implement(deviceMethods.devicePairApprove, ({ requestId }, { gw, conn }) => {
  const request = gw.pairing.pending().find((r) => r.requestId === requestId);
  if (!request) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `unknown requestId: ${requestId}`);
  // Letting a key act as a node (or anything but an operator) is an admin decision.
  if (request.role !== "operator" && !scopeSatisfied(conn.scopes ?? [], "operator.admin")) {
    throw new GatewayError(ErrorCodes.INVALID_REQUEST, "device pairing approval denied");
  }
  const approved = gw.pairing.approve(requestId, "owner");
  if (!approved) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `unknown requestId: ${requestId}`);
  announceResolved(gw, approved.request, "approved");
  gw.log.info(`device ${approved.device.deviceId.slice(0, 12)}… approved for ${approved.request.role}`);
  return { requestId, device: withConnected(gw, approved.device) };
});

export const devicePairRejectMethod = implement(deviceMethods.devicePairReject, ({ requestId }, { gw }) => {
  const rejected = gw.pairing.reject(requestId);
  if (!rejected) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `unknown requestId: ${requestId}`);
  announceResolved(gw, rejected, "rejected");
  return { requestId, deviceId: rejected.deviceId };
});

export const devicePairRemoveMethod = implement(deviceMethods.devicePairRemove, ({ deviceId }, { gw }) => {
  if (!gw.pairing.remove(deviceId)) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `unknown deviceId: ${deviceId}`);
  disconnect(gw, deviceId);
  return { deviceId };
});

export const deviceTokenRotateMethod = implement(deviceMethods.deviceTokenRotate, ({ deviceId, role }, { gw }) => {
  const rotated = gw.pairing.rotate(deviceId, role);
  if (!rotated) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `no ${role} token for device ${deviceId}`);
  return { deviceId, role, scopes: rotated.scopes, rotatedAtMs: rotated.rotatedAtMs, tokenDelivery: "withheld-cross-device" as const };
});

export const deviceTokenRevokeMethod = implement(deviceMethods.deviceTokenRevoke, ({ deviceId, role }, { gw }) => {
  const revoked = gw.pairing.revoke(deviceId, role);
  if (!revoked) throw new GatewayError(ErrorCodes.INVALID_REQUEST, `no ${role} token for device ${deviceId}`);
  disconnect(gw, deviceId, role);
  return { deviceId, role, revokedAtMs: revoked.revokedAtMs };
});

import { z } from "zod";
import { lazyMethod } from "./types.ts";

const DeviceMetaFields = {
  displayName: z.string().optional(),
  platform: z.string().optional(),
  deviceFamily: z.string().optional(),
  clientId: z.string(),
  clientMode: z.string(),
};

export const PendingDeviceSchema = z
  .object({
    requestId: z.string(), deviceId: z.string(), publicKey: z.string(), ...DeviceMetaFields,
    role: z.string(), roles: z.array(z.string()), scopes: z.array(z.string()), silent: z.boolean(), isRepair: z.boolean(), ts: z.number(),
  })
  .describe("A pairing request waiting for an operator");

export const PairedDeviceSchema = z
  .object({
    deviceId: z.string(), publicKey: z.string(), ...DeviceMetaFields, roles: z.array(z.string()), scopes: z.array(z.string()),
    approvedVia: z.string(), createdAtMs: z.number(), approvedAtMs: z.number(), lastSeenAtMs: z.number().optional(), connected: z.boolean(),
    tokens: z.array(z.object({ role: z.string(), scopes: z.array(z.string()), createdAtMs: z.number(), lastUsedAtMs: z.number().optional(), rotatedAtMs: z.number().optional() })),
  })
  .describe("A paired device; token strings are never listed");

export const RequestIdParams = z.strictObject({ requestId: z.string().min(1) });
const DeviceRoleParams = z.strictObject({ deviceId: z.string().min(1), role: z.string().min(1) });

export const devicePairList = lazyMethod({
  name: "device.pair.list",
  description: "Pending device pairing requests and paired devices (no token strings)",
  scope: "operator.pairing",
  lenientParams: true,
}, () => ({
  params: z.strictObject({}),
  result: z.strictObject({ pending: z.array(PendingDeviceSchema), paired: z.array(PairedDeviceSchema) }),
}));

export const devicePairApprove = lazyMethod({
  name: "device.pair.approve",
  description: "Approve a pending device; a role other than operator needs operator.admin. Broadcasts device.pair.resolved",
  scope: "operator.pairing",
}, () => ({
  params: RequestIdParams,
  result: z.strictObject({ requestId: z.string(), device: PairedDeviceSchema }),
}));

export const devicePairReject = lazyMethod({
  name: "device.pair.reject",
  description: "Reject a pending device. Broadcasts device.pair.resolved",
  scope: "operator.pairing",
}, () => ({
  params: RequestIdParams,
  result: z.strictObject({ requestId: z.string(), deviceId: z.string() }),
}));

export const devicePairRemove = lazyMethod({
  name: "device.pair.remove",
  description: "Forget a paired device and its tokens; its connections are closed 4001 \"device removed\"",
  scope: "operator.pairing",
}, () => ({
  params: z.strictObject({ deviceId: z.string().min(1) }),
  result: z.strictObject({ deviceId: z.string() }),
}));

export const deviceTokenRotate = lazyMethod({
  name: "device.token.rotate",
  description: "Replace a device's token for a role; the new token goes to the device on its next connect, never to the caller",
  scope: "operator.pairing",
}, () => ({
  params: DeviceRoleParams,
  result: z.strictObject({ deviceId: z.string(), role: z.string(), scopes: z.array(z.string()), rotatedAtMs: z.number(), tokenDelivery: z.literal("withheld-cross-device") }),
}));

export const deviceTokenRevoke = lazyMethod({
  name: "device.token.revoke",
  description: "Revoke a device's token and approval for a role; its connections in that role are closed 4001 \"device removed\"",
  scope: "operator.pairing",
}, () => ({
  params: DeviceRoleParams,
  result: z.strictObject({ deviceId: z.string(), role: z.string(), revokedAtMs: z.number() }),
}));

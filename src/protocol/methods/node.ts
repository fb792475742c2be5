import { z } from "zod";
import { RequestIdParams } from "./device.ts";
import { lazyMethod } from "./types.ts";

/** What a node says about itself on connect. */
const NodeMetaFields = {
  clientId: z.string(), clientMode: z.string(), displayName: z.string().optional(), platform: z.string().optional(),
  version: z.string().optional(), deviceFamily: z.string().optional(),
};
const Names = z.array(z.string());

const NodeEntrySchema = z
  .object({
    nodeId: z.string(), ...NodeMetaFields, displayName: z.string(),
    caps: Names, commands: Names, sessionHost: z.boolean(),
    approvalState: z.enum(["pending-approval", "pending-reapproval", "approved", "unapproved"]),
    pendingRequestId: z.string().optional(), pendingDeclaredCaps: Names.optional(), pendingDeclaredCommands: Names.optional(),
    connectedAtMs: z.number().optional(), lastConnectedAtMs: z.number().optional(), lastDisconnectedAtMs: z.number().optional(),
    lastSeenAtMs: z.number().optional(), lastSeenReason: z.string().optional(), approvedAtMs: z.number().optional(),
    paired: z.boolean(), connected: z.boolean(), remoteIp: z.string().optional(), hostStats: z.record(z.string(), z.unknown()).optional(),
  })
  .describe("A node: effective caps and commands (live when connected, approved when offline) and its approval state");

const PendingNodeSchema = z
  .object({
    requestId: z.string(), nodeId: z.string(), ...NodeMetaFields,
    caps: Names, commands: Names, requiredApproveScopes: Names, silent: z.boolean().optional(), ts: z.number(),
  })
  .describe("A command surface waiting for approval");

const PairedNodeSchema = z
  .object({
    nodeId: z.string(), ...NodeMetaFields, caps: Names, commands: Names,
    createdAtMs: z.number(), approvedAtMs: z.number(), lastSeenAtMs: z.number().optional(), lastSeenReason: z.string().optional(),
  })
  .describe("A node with an approved command surface");

export const nodeList = lazyMethod({
  name: "node.list",
  description: "Every node that has connected: connected first, with effective commands and approval state",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
  params: z.strictObject({}),
  result: z.strictObject({ ts: z.number(), nodes: z.array(NodeEntrySchema) }),
}));

export const nodeDescribe = lazyMethod({
  name: "node.describe",
  description: "One node by exact id, connected or not",
  scope: "operator.read",
}, () => ({
  params: z.strictObject({ nodeId: z.string().min(1) }),
  result: NodeEntrySchema.extend({ ts: z.number() }),
}));

export const nodePairList = lazyMethod({
  name: "node.pair.list",
  description: "Command surfaces waiting for approval, and nodes with an approved one",
  scope: "operator.pairing",
  lenientParams: true,
}, () => ({
  params: z.strictObject({}),
  result: z.strictObject({ pending: z.array(PendingNodeSchema), paired: z.array(PairedNodeSchema) }),
}));

export const nodePairApprove = lazyMethod({
  name: "node.pair.approve",
  description: "Approve a node's command surface (needs the request's requiredApproveScopes); the live session is updated in place",
  scope: "operator.pairing",
}, () => ({
  params: RequestIdParams,
  result: z.strictObject({ requestId: z.string(), node: PairedNodeSchema }),
}));

export const nodePairReject = lazyMethod({
  name: "node.pair.reject",
  description: "Reject a node's pending command surface; the node stays connected with what was approved before",
  scope: "operator.pairing",
}, () => ({
  params: RequestIdParams,
  result: z.strictObject({ requestId: z.string(), nodeId: z.string() }),
}));

export const nodePairRemove = lazyMethod({
  name: "node.pair.remove",
  description: "Drop a node's role and surface (a device that was only a node is forgotten, so it pairs again like a new one); it is closed 4001 \"device removed\"",
  scope: "operator.pairing",
}, () => ({
  params: z.strictObject({ nodeId: z.string().min(1) }),
  result: z.strictObject({ nodeId: z.string() }),
}));

export const nodePairVerify = lazyMethod({
  name: "node.pair.verify",
  description: "Check that a token is a paired node's current device token (what a node presents elsewhere as proof of pairing)",
  scope: "operator.pairing",
}, () => ({
  params: z.strictObject({ nodeId: z.string().min(1), token: z.string().min(1).max(512) }),
  result: z.strictObject({
    ok: z.boolean(),
    nodeId: z.string(),
    reason: z.enum(["not-paired", "token-mismatch"]).optional(),
    node: PairedNodeSchema.optional(),
  }),
}));

export const nodeRename = lazyMethod({
  name: "node.rename",
  description: "Give a node a display name that wins over the one it reports",
  scope: "operator.pairing",
}, () => ({
  params: z.strictObject({ nodeId: z.string().min(1), displayName: z.string().trim().min(1).max(200) }),
  result: z.strictObject({ nodeId: z.string(), displayName: z.string() }),
}));

export const nodeInvoke = lazyMethod({
  name: "node.invoke",
  description:
    "Run a command on a connected node (operator.write; operator.admin for browser.proxy*, fs.listDir, terminal.upload). " +
    "The node gets node.invoke.request; the answer is its result, or UNAVAILABLE with nodeError (TIMEOUT, DISCONNECTED, the node's own)",
  scope: "operator.write",
}, () => ({
  params: z.strictObject({
    nodeId: z.string().min(1),
    command: z.string().min(1),
    params: z.unknown().optional(),
    timeoutMs: z.int().min(0).optional(),
    idempotencyKey: z.string().min(1),
    sessionKey: z.string().optional(),
    turnSourceChannel: z.string().optional(),
    turnSourceTo: z.string().optional(),
  }),
  result: z.strictObject({ ok: z.literal(true), nodeId: z.string(), command: z.string(), payload: z.unknown(), payloadJSON: z.string().nullable() }),
}));

export const nodeInvokeResult = lazyMethod({
  name: "node.invoke.result",
  description: "A node answers a node.invoke.request (node role only); unknown or late ids are ignored",
  scope: "node",
}, () => ({
  params: z.strictObject({
    id: z.string().min(1),
    nodeId: z.string().min(1),
    ok: z.boolean(),
    payloadJSON: z.unknown().optional(),
    payload: z.unknown().optional(),
    error: z.object({ code: z.string().optional(), message: z.string().optional() }).passthrough().nullable().optional(),
  }),
  result: z.strictObject({ ok: z.literal(true), ignored: z.literal(true).optional() }),
}));

export const gatewayIdentityGet = lazyMethod({
  name: "gateway.identity.get",
  description: "The gateway's own device identity: its id (hex SHA-256 of the raw Ed25519 key) and public key (base64url)",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
  params: z.strictObject({}),
  result: z.strictObject({ deviceId: z.string(), publicKey: z.string() }),
}));

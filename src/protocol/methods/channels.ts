/** Chat channels: sending on request, status and lifecycle, and pairing of senders. */
import { z } from "zod";
import { lazyMethod } from "./types.ts";

const Key = z.string().min(1).max(256);
const Open = z.record(z.string(), z.unknown());

export const send = lazyMethod({
  name: "send",
  description: "Send a message to a chat on a channel (idempotent: a repeat with the same idempotencyKey returns the first result and sends nothing)",
  scope: "operator.write",
}, () => ({
  params: z.strictObject({
    to: z.string().min(1),
    message: z.string().max(100_000).optional(),
    mediaUrl: z.string().optional(),
    mediaUrls: z.array(z.string()).optional(),
    buffer: z.string().optional(),
    filename: z.string().optional(),
    contentType: z.string().optional(),
    asVoice: z.boolean().optional(),
    gifPlayback: z.boolean().optional(),
    channel: z.string().optional(),
    accountId: z.string().optional(),
    agentId: z.string().optional(),
    replyToId: z.string().optional(),
    threadId: z.string().optional(),
    forceDocument: z.boolean().optional(),
    silent: z.boolean().optional(),
    parseMode: z.literal("HTML").optional(),
    sessionKey: z.string().optional(),
    idempotencyKey: Key,
  }),
  result: z.object({ runId: z.string(), messageId: z.string(), channel: z.string(), chatId: z.string().optional() }),
}));

export const poll = lazyMethod({
  name: "poll",
  description: "Send a poll to a chat (idempotent by idempotencyKey)",
  scope: "operator.write",
}, () => ({
  params: z.strictObject({
    to: z.string().min(1),
    question: z.string().min(1).max(300),
    options: z.array(z.string().trim().min(1).max(100)).min(2).max(12),
    maxSelections: z.int().min(1).max(12).optional(),
    durationSeconds: z.int().min(1).max(604_800).optional(),
    durationHours: z.number().positive().optional(),
    silent: z.boolean().optional(),
    isAnonymous: z.boolean().optional(),
    threadId: z.string().optional(),
    channel: z.string().optional(),
    accountId: z.string().optional(),
    idempotencyKey: Key,
  }),
  result: z.object({ runId: z.string(), messageId: z.string(), channel: z.string(), chatId: z.string().optional(), pollId: z.string().optional() }),
}));

export const messageAction = lazyMethod({
  name: "message.action",
  description: "A channel message action (send, poll, react), as `openclaw message <verb>` sends it",
  scope: "operator.write",
}, () => ({
  params: z.strictObject({
    channel: z.string().min(1),
    action: z.string().min(1),
    params: Open,
    reply: Open.optional(),
    accountId: z.string().optional(),
    requesterAccountId: z.string().optional(),
    requesterSenderId: z.string().optional(),
    senderIsOwner: z.boolean().optional(),
    sessionKey: z.string().optional(),
    sessionId: z.string().optional(),
    inboundTurnKind: z.string().optional(),
    agentId: z.string().optional(),
    toolContext: z.unknown().optional(),
    conversationReadOrigin: z.literal("direct-operator").optional(),
    idempotencyKey: Key,
  }),
  result: z.object({ ok: z.boolean() }).passthrough(),
}));

export const channelsStatus = lazyMethod({
  name: "channels.status",
  description: "Every configured channel account: configured/running/connected, last activity and errors, statusIssues; probe:true asks each account's service too",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
  params: z.strictObject({ probe: z.boolean().optional(), timeoutMs: z.int().min(0).optional(), channel: z.string().optional() }),
  result: z.object({
    ts: z.number(),
    channelOrder: z.array(z.string()),
    channelLabels: z.record(z.string(), z.string()),
    channelDetailLabels: z.record(z.string(), z.string()),
    channelSystemImages: z.record(z.string(), z.string()),
    channelMeta: z.array(z.object({ id: z.string(), label: z.string(), detailLabel: z.string(), systemImage: z.string() })),
    channels: z.record(z.string(), Open),
    channelAccounts: z.record(z.string(), z.array(Open)),
    channelDefaultAccountId: z.record(z.string(), z.string()),
    statusIssues: z.array(z.object({ channel: z.string(), accountId: z.string(), kind: z.string(), message: z.string(), fix: z.string().optional() })),
    warnings: z.array(z.string()).optional(),
  }),
}));

const ChannelAccountParams = z.strictObject({ channel: z.string().min(1), accountId: z.string().min(1).optional() });

export const channelsStart = lazyMethod({
  name: "channels.start",
  description: "Start a channel account (also after channels.stop); the outcome says whether a task was handed off",
  scope: "operator.admin",
}, () => ({
  params: ChannelAccountParams,
  result: z.object({ channel: z.string(), accountId: z.string(), started: z.boolean(), outcome: z.object({ status: z.string(), reason: z.string().optional() }) }),
}));

export const channelsStop = lazyMethod({
  name: "channels.stop",
  description: "Stop a channel account; it stays stopped across config reloads until channels.start",
  scope: "operator.admin",
}, () => ({
  params: ChannelAccountParams,
  result: z.object({ channel: z.string(), accountId: z.string(), stopped: z.boolean() }),
}));

export const channelsPairingList = lazyMethod({
  name: "channels.pairing.list",
  description: "Senders waiting for approval to message the assistant, per channel account",
  scope: "operator.pairing",
  lenientParams: true,
}, () => ({
  params: z.strictObject({ channel: z.string().optional(), accountId: z.string().optional() }),
  result: z.object({ accounts: z.array(Open), requests: z.array(Open), commandOwnerConfigured: z.boolean(), limits: z.object({ pendingPerAccount: z.number(), ttlMs: z.number() }) }),
}));

export const channelsPairingApprove = lazyMethod({
  name: "channels.pairing.approve",
  description: "Approve a sender (by request id or pairing code): direct messages only, never groups; notify tells them",
  scope: "operator.pairing",
}, () => ({
  params: z.strictObject({
    channel: z.string().min(1), accountId: z.string().min(1).optional(), requestId: z.string().min(1),
    notify: z.boolean().optional(), bootstrapCommandOwner: z.boolean().optional(),
  }),
  result: z.object({ requestId: z.string(), senderId: z.string(), notification: z.string(), commandOwnerBootstrap: z.string() }),
}));

export const channelsPairingDismiss = lazyMethod({
  name: "channels.pairing.dismiss",
  description: "Drop a sender's pairing request without approving it",
  scope: "operator.pairing",
}, () => ({
  params: z.strictObject({ channel: z.string().min(1), accountId: z.string().min(1).optional(), requestId: z.string().min(1) }),
  result: z.object({ requestId: z.string(), senderId: z.string() }),
}));

export const channelsLogout = lazyMethod({
  name: "channels.logout",
  description: "Log a channel account out: it stops (until channels.start); WhatsApp's linked-device credentials are removed, Telegram's botToken/tokenFile leave the config file",
  scope: "operator.admin",
}, () => ({
  params: ChannelAccountParams,
  result: z.object({ channel: z.string(), accountId: z.string(), cleared: z.boolean(), envToken: z.boolean().optional(), loggedOut: z.boolean().optional() }),
}));

export const webLoginStart = lazyMethod({
  name: "web.login.start",
  description: "Start linking WhatsApp as a device: returns a QR (data:image/png) to scan in WhatsApp → Linked Devices, or says it is already linked",
  scope: "operator.admin",
}, () => ({
  params: z.strictObject({
    channel: z.string().optional(), force: z.boolean().optional(), timeoutMs: z.int().min(0).optional(), verbose: z.boolean().optional(),
    accountId: z.string().min(1).optional(),
  }),
  result: z.object({ message: z.string(), qrDataUrl: z.string().optional(), connected: z.boolean().optional() }),
}));

export const webLoginWait = lazyMethod({
  name: "web.login.wait",
  description: "Wait for the QR of web.login.start to be scanned; connected:true starts the account. A rotated QR comes back as qrDataUrl",
  scope: "operator.admin",
}, () => ({
  params: z.strictObject({
    channel: z.string().optional(), sessionKey: z.string().optional(), timeoutMs: z.int().min(0).optional(), accountId: z.string().min(1).optional(),
    currentQrDataUrl: z.string().max(16_384).regex(/^data:image\/png;base64,/).optional(),
  }),
  result: z.object({ connected: z.boolean(), message: z.string(), qrDataUrl: z.string().optional() }),
}));

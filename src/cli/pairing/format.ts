/** What `openclaw pairing list|approve|dismiss` print. */
import { table, timeAgo } from "../nodes/text.ts";

export interface PairingRequest {
  requestId: string;
  code?: string;
  channel: string;
  accountId: string;
  senderId: string;
  metadata?: { username?: string; firstName?: string; lastName?: string; name?: string } | null;
  createdAt?: string;
  lastSeenAt?: string;
  expiresAt?: string;
}

export interface PairingList {
  accounts: Array<{ channel: string; accountId: string }>;
  requests: PairingRequest[];
  commandOwnerConfigured?: boolean;
  limits?: { pendingPerAccount: number; ttlMs: number };
}

export interface ApproveResult {
  requestId: string;
  senderId: string;
  notification: string;
  commandOwnerBootstrap?: string;
}

/** `Tess (@tess)`, whichever parts the channel told us. */
export function senderName(meta: PairingRequest["metadata"]): string {
  const name = meta?.name ?? [meta?.firstName, meta?.lastName].filter(Boolean).join(" ");
  const user = meta?.username ? `@${meta.username}` : "";
  if (name && user) return `${name} (${user})`;
  return name || user || "-";
}

export function listLines(list: PairingList, now: number): string[] {
  if (list.requests.length === 0) return ["No pending pairing requests."];
  const rows = list.requests.map((r) => [
    r.code ?? r.requestId, r.channel, r.accountId, r.senderId, senderName(r.metadata),
    r.createdAt ? timeAgo(Date.parse(r.createdAt), now) : "-",
  ]);
  const first = list.requests[0]!;
  return [
    ...table(["Code", "Channel", "Account", "Sender", "Name", "Asked"], rows),
    "",
    `Approve with: openclaw pairing approve ${first.channel} ${first.code ?? first.requestId}${list.requests.length > 1 ? " (one code at a time)" : ""}`,
  ];
}

/** The notification outcome in words; nothing when none was asked for. */
export function notificationLine(channel: string, senderId: string, notification: string): string | undefined {
  switch (notification) {
    case "not-requested": return undefined;
    case "sent": return `Notified ${channel}:${senderId} that access was approved.`;
    case "unsupported": return `${channel} cannot notify the sender; tell them yourself.`;
    case "failed": return `Could not notify ${channel}:${senderId} (the approval stands; tell them yourself).`;
    default: return `Notification: ${notification}`;
  }
}

export function approveLines(channel: string, r: ApproveResult): string[] {
  const note = notificationLine(channel, r.senderId, r.notification);
  return [`Approved ${channel} sender ${r.senderId}.`, ...(note ? [note] : [])];
}

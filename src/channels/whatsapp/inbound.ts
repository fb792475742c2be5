/**
 * A Baileys `messages.upsert` message → the gateway's InboundMessage, or nothing when it is not a
 * conversation with the assistant: statuses and broadcast lists, channels (newsletters), our own
 * messages (fromMe: replies the gateway sent, or the owner typing on the phone), and protocol
 * traffic (receipts, edits, reactions, key distribution). Media arrives as a placeholder such as
 * `<media:image>` (plus its caption) so the agent knows something was sent; downloading media is
 * not part of this adapter.
 */
import type { InboundMessage } from "../types.ts";
import type { SelfIdentity } from "./creds.ts";
import { isBroadcastJid, isGroupJid, isLidJid, isNewsletterJid, isUserJid, jidToE164, normalizeJid, sameUser } from "./jid.ts";

/** The parts of Baileys' WAMessage read here. */
export interface WAMessageLike {
  key?: {
    remoteJid?: string | null;
    remoteJidAlt?: string | null;
    fromMe?: boolean | null;
    id?: string | null;
    participant?: string | null;
    participantAlt?: string | null;
  } | null;
  message?: Record<string, any> | null;
  pushName?: string | null;
  messageTimestamp?: number | { toNumber(): number } | string | null;
}

const MEDIA: Record<string, string> = {
  imageMessage: "image",
  videoMessage: "video",
  ptvMessage: "video",
  audioMessage: "audio",
  documentMessage: "document",
  stickerMessage: "sticker",
};

/** Containers whose `.message` is the real content (disappearing, view-once, captioned documents, edits of nothing else). */
const WRAPPERS = ["ephemeralMessage", "viewOnceMessage", "viewOnceMessageV2", "viewOnceMessageV2Extension", "documentWithCaptionMessage"];

function unwrap(message: Record<string, any>): Record<string, any> {
  let m = message;
  for (let depth = 0; depth < 4; depth++) {
    const inner = WRAPPERS.map((w) => m[w]?.message).find((x) => x && typeof x === "object");
    if (!inner) break;
    m = inner;
  }
  return m;
}

interface Content {
  text: string;
  contextInfo?: { mentionedJid?: string[] | null; participant?: string | null } | null;
}

function content(message: Record<string, any>): Content | undefined {
  const m = unwrap(message);
  if (typeof m.conversation === "string" && m.conversation.trim()) return { text: m.conversation };
  const ext = m.extendedTextMessage;
  if (ext && typeof ext.text === "string" && ext.text.trim()) return { text: ext.text, contextInfo: ext.contextInfo };
  for (const [field, kind] of Object.entries(MEDIA)) {
    const media = m[field];
    if (!media) continue;
    const caption = typeof media.caption === "string" ? media.caption.trim() : "";
    const kindLabel = field === "audioMessage" && media.ptt ? "voice" : kind;
    return { text: caption ? `<media:${kindLabel}> ${caption}` : `<media:${kindLabel}>`, contextInfo: media.contextInfo };
  }
  const loc = m.locationMessage ?? m.liveLocationMessage;
  if (loc && typeof loc.degreesLatitude === "number") {
    return { text: `<location:${loc.degreesLatitude},${loc.degreesLongitude}>${loc.name ? ` ${loc.name}` : ""}`, contextInfo: loc.contextInfo };
  }
  const contact = m.contactMessage;
  if (contact) return { text: `<contact:${contact.displayName ?? "unknown"}>`, contextInfo: contact.contextInfo };
  const poll = m.pollCreationMessage ?? m.pollCreationMessageV2 ?? m.pollCreationMessageV3;
  if (poll && typeof poll.name === "string") return { text: `<poll> ${poll.name}`, contextInfo: poll.contextInfo };
  return undefined; // reactions, protocol messages, key distribution, poll votes, unknown kinds
}

function timestampMs(ts: WAMessageLike["messageTimestamp"], now: number): number {
  const n = typeof ts === "number" ? ts : typeof ts === "string" ? Number(ts) : ts && typeof ts.toNumber === "function" ? ts.toNumber() : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n * 1000 : now;
}

/** Person behind a jid: the phone number when known (directly or as the alternate of a lid), else the jid. */
function senderId(jid: string, alt: string | null | undefined): string {
  if (isUserJid(jid)) return jidToE164(jid) ?? normalizeJid(jid)!;
  if (isLidJid(jid) && isUserJid(alt)) return jidToE164(alt) ?? normalizeJid(jid)!;
  return normalizeJid(jid) ?? jid;
}

function isSelf(jid: string | null | undefined, self: SelfIdentity): boolean {
  return !!jid && ((!!self.jid && sameUser(jid, self.jid)) || (!!self.lid && sameUser(jid, self.lid)));
}

export function toInbound(msg: WAMessageLike, ctx: { accountId: string; self: SelfIdentity; now?: number }): InboundMessage | undefined {
  const key = msg.key;
  const remote = key?.remoteJid;
  if (!key || !remote || !key.id) return undefined;
  if (key.fromMe) return undefined;
  if (isBroadcastJid(remote) || isNewsletterJid(remote)) return undefined;
  if (!msg.message) return undefined;
  const c = content(msg.message);
  if (!c) return undefined;

  const group = isGroupJid(remote);
  const from = group ? key.participant : remote;
  if (!from) return undefined;
  const sender: InboundMessage["sender"] = { id: senderId(from, group ? key.participantAlt : key.remoteJidAlt) };
  if (msg.pushName) sender.name = msg.pushName;

  const out: InboundMessage = {
    channel: "whatsapp",
    accountId: ctx.accountId,
    eventId: key.id,
    chatId: group ? remote : normalizeJid(remote)!,
    chatType: group ? "group" : "direct",
    sender,
    text: c.text,
    messageId: key.id,
    ts: timestampMs(msg.messageTimestamp, ctx.now ?? Date.now()),
  };
  if (group) {
    const mentions = c.contextInfo?.mentionedJid ?? [];
    // A reply quotes the original; its author is contextInfo.participant.
    out.mentioned = mentions.some((j) => isSelf(j, ctx.self)) || isSelf(c.contextInfo?.participant, ctx.self);
  }
  return out;
}

/**
 * WhatsApp addresses ("jids") without Baileys: parsing them here keeps inbound mapping, target
 * normalization and linked-state reporting free of the library, which loads only with a socket.
 *
 * Forms: `<digits>[:device]@s.whatsapp.net` (a phone number), `<digits>[:device]@lid` (the
 * privacy id WhatsApp uses instead of the number in some chats), `<id>@g.us` (a group),
 * `<id>@newsletter` (a channel), `status@broadcast` and `<id>@broadcast` (statuses, lists).
 */
import { ChannelInputError } from "../types.ts";

export const USER_SERVER = "s.whatsapp.net";

export interface ParsedJid {
  user: string;
  server: string;
  device?: number;
}

export function parseJid(jid: string | null | undefined): ParsedJid | undefined {
  if (!jid) return undefined;
  const at = jid.lastIndexOf("@");
  if (at <= 0 || at === jid.length - 1) return undefined;
  const server = jid.slice(at + 1);
  const left = jid.slice(0, at);
  const colon = left.indexOf(":");
  // "<user>_<agent>:<device>": the agent suffix is part of the user in older ids; keep it out of the number.
  const userPart = colon === -1 ? left : left.slice(0, colon);
  const user = userPart.split("_")[0]!;
  const device = colon === -1 ? undefined : Number(left.slice(colon + 1));
  return { user, server, ...(device !== undefined && Number.isFinite(device) ? { device } : {}) };
}

/** The jid without its device part ("1555…:12@s.whatsapp.net" → "1555…@s.whatsapp.net"). */
export function normalizeJid(jid: string | null | undefined): string | undefined {
  const p = parseJid(jid);
  if (!p) return undefined;
  // "c.us" is the legacy name of the user server.
  return `${p.user}@${p.server === "c.us" ? USER_SERVER : p.server}`;
}

export const isGroupJid = (jid: string | null | undefined) => !!jid && jid.endsWith("@g.us");
export const isLidJid = (jid: string | null | undefined) => !!jid && jid.endsWith("@lid");
export const isUserJid = (jid: string | null | undefined) => !!jid && (jid.endsWith(`@${USER_SERVER}`) || jid.endsWith("@c.us"));
/** Statuses (`status@broadcast`) and broadcast lists: never a conversation with the assistant. */
export const isBroadcastJid = (jid: string | null | undefined) => !!jid && jid.endsWith("@broadcast");
export const isNewsletterJid = (jid: string | null | undefined) => !!jid && jid.endsWith("@newsletter");

/** "+15551234567" for a phone-number jid; undefined for lids, groups and the rest. */
export function jidToE164(jid: string | null | undefined): string | undefined {
  if (!isUserJid(jid)) return undefined;
  const p = parseJid(jid);
  return p && /^\d{5,20}$/.test(p.user) ? `+${p.user}` : undefined;
}

/** Same person (or group) whatever the device suffix. */
export function sameUser(a: string | null | undefined, b: string | null | undefined): boolean {
  const pa = parseJid(a);
  const pb = parseJid(b);
  if (!pa || !pb) return false;
  const server = (s: string) => (s === "c.us" ? USER_SERVER : s);
  return pa.user === pb.user && server(pa.server) === server(pb.server);
}

const TARGET_HELP = "use a phone number in E.164 form (+15551234567), a group (…@g.us) or a channel (…@newsletter)";

/**
 * A user-given target → the jid a send goes to. Accepts an optional `whatsapp:` prefix, E.164
 * numbers (spaces, dashes, dots and brackets are ignored), and jids of people, groups, lids and
 * channels, so a chat id the gateway reported can be used as a target again.
 */
export function normalizeTarget(raw: string): string {
  let to = raw.trim();
  while (/^whatsapp:/i.test(to)) to = to.slice("whatsapp:".length).trim();
  if (to === "") throw new ChannelInputError(`WhatsApp target is empty: ${TARGET_HELP}`);
  if (to.includes("@")) {
    const lower = to.toLowerCase();
    if (/^\d{5,40}(-\d{5,20})?@g\.us$/.test(lower)) return lower;
    if (/^\d{5,40}@newsletter$/.test(lower)) return lower;
    if (/^\d{5,20}(:\d{1,3})?@(s\.whatsapp\.net|c\.us)$/.test(lower)) return normalizeJid(lower)!;
    if (/^\d{5,30}(:\d{1,3})?@lid$/.test(lower)) return normalizeJid(lower)!;
    throw new ChannelInputError(`Unknown WhatsApp target "${raw}": ${TARGET_HELP}`);
  }
  const compact = to.replace(/[\s().-]/g, "");
  const m = /^\+?(\d{7,15})$/.exec(compact);
  if (!m) throw new ChannelInputError(`Unknown WhatsApp target "${raw}": ${TARGET_HELP}`);
  return `${m[1]}@${USER_SERVER}`;
}

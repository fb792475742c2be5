// Baileys messages → InboundMessage: DMs, groups and mentions, the kinds that are ignored, media
// placeholders, lid senders.
import { describe, expect, test } from "bun:test";
import { toInbound } from "../../../src/channels/whatsapp/inbound.ts";

const self = { e164: "+15550001111", jid: "15550001111@s.whatsapp.net", lid: "99887766@lid" };
const map = (m: unknown) => toInbound(m as never, { accountId: "default", self, now: 42 });
const GROUP = "120363025246125486@g.us";

describe("direct messages", () => {
  test("text DM: chat is the jid, the sender is the E.164 number", () => {
    expect(map({
      key: { remoteJid: "15552223333@s.whatsapp.net", fromMe: false, id: "3EB0AA" },
      message: { conversation: "hello there" }, pushName: "Ann", messageTimestamp: 1_700_000_000,
    })).toEqual({
      channel: "whatsapp", accountId: "default", eventId: "3EB0AA", messageId: "3EB0AA", chatId: "15552223333@s.whatsapp.net",
      chatType: "direct", sender: { id: "+15552223333", name: "Ann" }, text: "hello there", ts: 1_700_000_000_000,
    });
  });

  test("extended text, a Long timestamp, wrappers (disappearing / view once) and a device suffix", () => {
    const m = map({
      key: { remoteJid: "15552223333:4@s.whatsapp.net", id: "X1" },
      message: { ephemeralMessage: { message: { extendedTextMessage: { text: "linky https://x.y" } } } },
      messageTimestamp: { toNumber: () => 1_700_000_001 },
    })!;
    expect(m).toMatchObject({ chatId: "15552223333@s.whatsapp.net", text: "linky https://x.y", ts: 1_700_000_001_000, sender: { id: "+15552223333" } });
    expect(map({ key: { remoteJid: "15552223333@s.whatsapp.net", id: "X2" }, message: { viewOnceMessageV2: { message: { imageMessage: { caption: "look" } } } } })!.text).toBe("<media:image> look");
  });

  test("a lid chat uses the phone number from remoteJidAlt as the sender id, and replies go to the lid", () => {
    const m = map({ key: { remoteJid: "1234567890@lid", remoteJidAlt: "15552223333@s.whatsapp.net", id: "L1" }, message: { conversation: "hi" } })!;
    expect(m.chatId).toBe("1234567890@lid");
    expect(m.sender.id).toBe("+15552223333");
    expect(map({ key: { remoteJid: "1234567890@lid", id: "L2" }, message: { conversation: "hi" } })!.sender.id).toBe("1234567890@lid");
  });

  test("media become placeholders (with the caption when there is one)", () => {
    const media = (message: unknown) => map({ key: { remoteJid: "15552223333@s.whatsapp.net", id: "M" }, message })?.text;
    expect(media({ imageMessage: { mimetype: "image/jpeg" } })).toBe("<media:image>");
    expect(media({ videoMessage: { caption: "  clip " } })).toBe("<media:video> clip");
    expect(media({ audioMessage: { ptt: true } })).toBe("<media:voice>");
    expect(media({ audioMessage: {} })).toBe("<media:audio>");
    expect(media({ documentWithCaptionMessage: { message: { documentMessage: { caption: "report" } } } })).toBe("<media:document> report");
    expect(media({ stickerMessage: {} })).toBe("<media:sticker>");
    expect(media({ locationMessage: { degreesLatitude: 52.5, degreesLongitude: 13.4 } })).toBe("<location:52.5,13.4>");
  });
});

describe("ignored", () => {
  test("statuses, broadcast lists, channels, own messages, empty and protocol messages", () => {
    const base = { message: { conversation: "x" }, key: { id: "I", fromMe: false, remoteJid: "15552223333@s.whatsapp.net" } };
    expect(map(base)).toBeDefined(); // the control case
    expect(map({ ...base, key: { ...base.key, remoteJid: "status@broadcast", participant: "15552223333@s.whatsapp.net" } })).toBeUndefined();
    expect(map({ ...base, key: { ...base.key, remoteJid: "1234@broadcast" } })).toBeUndefined();
    expect(map({ ...base, key: { ...base.key, remoteJid: "120363000000@newsletter" } })).toBeUndefined();
    expect(map({ ...base, key: { ...base.key, fromMe: true } })).toBeUndefined();
    expect(map({ ...base, message: null })).toBeUndefined();
    expect(map({ ...base, message: { protocolMessage: { type: 0 } } })).toBeUndefined();
    expect(map({ ...base, message: { reactionMessage: { text: "👍" } } })).toBeUndefined();
    expect(map({ ...base, message: { conversation: "   " } })).toBeUndefined();
    expect(map({ ...base, key: { ...base.key, id: undefined } })).toBeUndefined();
  });
});

describe("groups", () => {
  const group = (message: unknown, participant = "15552223333@s.whatsapp.net") =>
    map({ key: { remoteJid: GROUP, participant, id: "G1" }, message, pushName: "Bob" });

  test("chat is the group jid, the sender the participant; unmentioned by default", () => {
    expect(group({ conversation: "lunch?" })).toMatchObject({ chatId: GROUP, chatType: "group", sender: { id: "+15552223333", name: "Bob" }, mentioned: false });
  });

  test("mentioned when the bot's jid or lid is in mentionedJid, or the message replies to the bot", () => {
    const ext = (contextInfo: unknown) => ({ extendedTextMessage: { text: "@bot hi", contextInfo } });
    expect(group(ext({ mentionedJid: ["15550001111@s.whatsapp.net"] }))!.mentioned).toBe(true);
    expect(group(ext({ mentionedJid: ["15550001111:7@s.whatsapp.net"] }))!.mentioned).toBe(true);
    expect(group(ext({ mentionedJid: ["99887766@lid"] }))!.mentioned).toBe(true);
    expect(group(ext({ mentionedJid: ["15559999999@s.whatsapp.net"] }))!.mentioned).toBe(false);
    expect(group(ext({ participant: "15550001111@s.whatsapp.net", stanzaId: "OLD", quotedMessage: { conversation: "x" } }))!.mentioned).toBe(true);
    expect(group(ext({ participant: "15559999999@s.whatsapp.net", stanzaId: "OLD" }))!.mentioned).toBe(false);
    expect(group({ imageMessage: { caption: "see", contextInfo: { mentionedJid: ["15550001111@s.whatsapp.net"] } } })!.mentioned).toBe(true);
  });

  test("a lid participant uses participantAlt for the sender id; a group message without a participant is dropped", () => {
    const m = map({ key: { remoteJid: GROUP, participant: "555@lid", participantAlt: "15552223333@s.whatsapp.net", id: "G2" }, message: { conversation: "x" } })!;
    expect(m.sender.id).toBe("+15552223333");
    expect(map({ key: { remoteJid: GROUP, id: "G3" }, message: { conversation: "x" } })).toBeUndefined();
  });
});

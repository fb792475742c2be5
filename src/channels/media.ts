/**
 * Media a send carries: a URL the channel fetches itself (Telegram and WhatsApp both take URLs), and
 * what kind of media it is, from the content type, else the file extension, so the chat shows a
 * photo as a photo and a PDF as a document.
 */
import { ChannelInputError } from "./types.ts";

export type MediaKind = "image" | "animation" | "video" | "audio" | "voice" | "document";

export interface MediaInput {
  url: string;
  caption?: string;
  contentType?: string;
  filename?: string;
  /** Audio as a voice note. */
  asVoice?: boolean;
  /** Always as a file, whatever it is. */
  forceDocument?: boolean;
}

const BY_EXTENSION: Record<string, MediaKind> = {
  jpg: "image", jpeg: "image", png: "image", webp: "image", gif: "animation",
  mp4: "video", mov: "video", webm: "video", m4v: "video",
  mp3: "audio", m4a: "audio", aac: "audio", wav: "audio", flac: "audio", ogg: "audio", oga: "audio", opus: "audio",
};

/** An http(s) URL, or an input error naming the flag a person would fix. */
export function checkMediaUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ChannelInputError(`mediaUrl is not a URL: ${url}`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new ChannelInputError(`mediaUrl must be an http(s) URL: ${url}`);
  return parsed.toString();
}

export function mediaKind(m: MediaInput): MediaKind {
  if (m.forceDocument) return "document";
  const type = (m.contentType ?? "").toLowerCase();
  let kind: MediaKind | undefined;
  if (type === "image/gif") kind = "animation";
  else if (type.startsWith("image/")) kind = "image";
  else if (type.startsWith("video/")) kind = "video";
  else if (type.startsWith("audio/")) kind = "audio";
  else if (type !== "") kind = "document";
  if (!kind) {
    const name = m.filename ?? (() => {
      try {
        return new URL(m.url).pathname;
      } catch {
        return m.url;
      }
    })();
    const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toLowerCase();
    kind = (ext && BY_EXTENSION[ext]) || "document";
  }
  return kind === "audio" && m.asVoice ? "voice" : kind;
}

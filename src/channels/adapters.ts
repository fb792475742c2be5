/**
 * The compiled-in channels. Each is a static import() so `bun build --compile` bundles it, but it
 * is evaluated only when an account of that channel first starts.
 */
import type { ChannelAdapter, ChannelId } from "./types.ts";

export async function loadChannelAdapter(id: ChannelId): Promise<ChannelAdapter> {
  switch (id) {
    case "telegram":
      return (await import("./telegram/index.ts")).telegramAdapter;
    case "whatsapp":
      throw new Error("WhatsApp support is not built into this gateway yet");
  }
}

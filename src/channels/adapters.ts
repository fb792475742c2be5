/**
 * The compiled-in channels. Each is a static import() so `bun build --compile` bundles it, but it
 * is evaluated only when an account of that channel first starts (Baileys itself loads later
 * still, when a WhatsApp socket opens).
 */
import type { ChannelAdapter, ChannelId, ChannelLog } from "./types.ts";

export interface AdapterContext {
  stateDir: string;
  log(channel: ChannelId, accountId: string): ChannelLog;
}

export async function loadChannelAdapter(id: ChannelId, ctx: AdapterContext): Promise<ChannelAdapter> {
  switch (id) {
    case "telegram":
      return (await import("./telegram/index.ts")).telegramAdapter;
    case "whatsapp":
      return (await import("./whatsapp/index.ts")).createWhatsAppAdapter({ stateDir: ctx.stateDir, log: (accountId) => ctx.log("whatsapp", accountId) });
  }
}

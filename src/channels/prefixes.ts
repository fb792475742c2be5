/**
 * Channel prefixes a target may carry (`telegram:424242`, `tg:…`, `whatsapp:+1555…`, `wa:…`). One
 * table for the gateway's target resolution and the CLI commands that read `--to`/`--target`;
 * it imports nothing, so a CLI command loads no channel code with it.
 */
import type { ChannelId } from "./types.ts";

const PREFIXES: Readonly<Record<string, ChannelId>> = { telegram: "telegram", tg: "telegram", whatsapp: "whatsapp", wa: "whatsapp" };

/** `telegram:424242` → {channel, bare: "424242"}; a target without a known prefix → {bare} as given. */
export function splitChannelPrefix(target: string): { channel?: ChannelId; bare: string } {
  const i = target.indexOf(":");
  const channel = i > 0 ? PREFIXES[target.slice(0, i).toLowerCase()] : undefined;
  return channel ? { channel, bare: target.slice(i + 1) } : { bare: target };
}

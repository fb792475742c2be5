/**
 * Who may start a turn: direct messages by `dmPolicy` (pairing by default: a stranger gets a code
 * to be approved), groups by `groupPolicy`, the group's own entry and `requireMention`.
 * Approving a pairing grants direct messages only, never groups.
 */
import type { InboundMessage } from "./types.ts";

export type AccessDecision =
  | { kind: "turn" }
  | { kind: "pairing" }
  | { kind: "ignore"; reason: string };

interface GroupEntry {
  requireMention?: boolean;
  allowFrom?: Array<string | number>;
  groupPolicy?: "allowlist" | "open" | "disabled";
  enabled?: boolean;
  systemPrompt?: string;
}

export interface AccessConfig {
  dmPolicy?: "pairing" | "allowlist" | "open" | "disabled";
  allowFrom?: Array<string | number>;
  groupPolicy?: "allowlist" | "open" | "disabled";
  groupAllowFrom?: Array<string | number>;
  groups?: Record<string, GroupEntry>;
}

/** "telegram:123", "tg:123", 123, "+15551234567" and "15551234567" all compare equal to their bare id. */
export function normalizeEntry(entry: string | number): string {
  const s = String(entry).trim().toLowerCase().replace(/^(telegram|tg|whatsapp|wa):/, "");
  return /^\+\d+$/.test(s) ? s.slice(1) : s;
}

function listHas(list: Array<string | number> | undefined, senderId: string): boolean {
  const id = normalizeEntry(senderId);
  return (list ?? []).some((e) => {
    const n = normalizeEntry(e);
    return n === "*" || n === id;
  });
}

/** The group's entry: its own id first, then "*". */
export function groupEntry(cfg: AccessConfig, chatId: string): GroupEntry | undefined {
  const base = chatId.split(":topic:")[0]!;
  return cfg.groups?.[chatId] ?? cfg.groups?.[base] ?? cfg.groups?.["*"];
}

export interface AccessInput {
  message: InboundMessage;
  config: AccessConfig;
  /** Senders approved through pairing for this channel account. */
  paired: readonly string[];
  /** WhatsApp: no `groups` section means every group is eligible; Telegram: none is. */
  groupsOpenByDefault: boolean;
  defaultGroupPolicy?: "allowlist" | "open" | "disabled";
}

export function decideAccess({ message, config, paired, groupsOpenByDefault, defaultGroupPolicy }: AccessInput): AccessDecision {
  const sender = message.sender.id;
  if (message.chatType === "direct") {
    const policy = config.dmPolicy ?? "pairing";
    if (policy === "disabled") return { kind: "ignore", reason: "direct messages are disabled" };
    if (policy === "open") return { kind: "turn" };
    if (listHas(config.allowFrom, sender)) return { kind: "turn" };
    if (policy === "pairing") return paired.some((p) => normalizeEntry(p) === normalizeEntry(sender)) ? { kind: "turn" } : { kind: "pairing" };
    return { kind: "ignore", reason: "sender not in allowFrom" };
  }
  const entry = groupEntry(config, message.chatId);
  const policy = entry?.groupPolicy ?? config.groupPolicy ?? defaultGroupPolicy ?? "allowlist";
  if (policy === "disabled" || entry?.enabled === false) return { kind: "ignore", reason: "group disabled" };
  if (policy === "allowlist") {
    const listed = entry !== undefined || (groupsOpenByDefault && config.groups === undefined);
    if (!listed) return { kind: "ignore", reason: "group not in groups" };
    const senders = entry?.allowFrom ?? config.groupAllowFrom ?? config.allowFrom;
    if (senders && senders.length > 0 && !listHas(senders, sender)) return { kind: "ignore", reason: "sender not allowed in this group" };
  }
  if ((entry?.requireMention ?? true) && !message.mentioned) return { kind: "ignore", reason: "not mentioned" };
  return { kind: "turn" };
}

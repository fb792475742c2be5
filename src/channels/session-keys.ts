/**
 * Which session a chat message joins. Direct messages join the agent's main session unless
 * `session.dmScope` asks for one per sender; groups get one session each (`session.groupScope`).
 */
import type { InboundMessage } from "./types.ts";

export type DmScope = "main" | "per-peer" | "per-channel-peer" | "per-account-channel-peer";
export type GroupScope = "per-group" | "main";

/** Session keys are lowercase ASCII words; anything else in a peer id becomes "_". */
function part(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9@.+_-]/g, "_");
}

export function sessionKeyFor(m: InboundMessage, agentId: string, dmScope: DmScope = "main", groupScope: GroupScope = "per-group"): string {
  if (m.chatType === "group") {
    if (groupScope === "main") return `agent:${agentId}:main`;
    const [chat, topic] = m.chatId.split(":topic:");
    return `agent:${agentId}:${m.channel}:group:${part(chat!)}${topic ? `:topic:${part(topic)}` : ""}`;
  }
  const peer = part(m.sender.id);
  switch (dmScope) {
    case "main": return `agent:${agentId}:main`;
    case "per-peer": return `agent:${agentId}:direct:${peer}`;
    case "per-channel-peer": return `agent:${agentId}:${m.channel}:direct:${peer}`;
    case "per-account-channel-peer": return `agent:${agentId}:${m.channel}:${part(m.accountId)}:direct:${peer}`;
  }
}

/** Replies are split at `limit`, preferring a paragraph, then a line, then a word boundary. */
export function chunkText(text: string, limit: number): string[] {
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const cut = [window.lastIndexOf("\n\n"), window.lastIndexOf("\n"), window.lastIndexOf(" ")].find((i) => i > limit / 2) ?? limit;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest !== "") chunks.push(rest);
  return chunks;
}

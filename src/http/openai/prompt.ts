/**
 * OpenAI clients resend the whole conversation each time, while an agent session keeps its own
 * transcript. So earlier turns are folded into the one user message of this turn, framed so the
 * model can tell context from the message it must answer.
 */

export interface ConversationEntry {
  role: "user" | "assistant" | "tool";
  body: string;
  toolCallId?: string;
}

const CONTEXT_HEADER = "[Chat messages since your last reply - for context]";
const CURRENT_HEADER = "[Current message - respond to this]";

function line(entry: ConversationEntry): string {
  if (entry.role === "tool") return `Tool:${entry.toolCallId ?? ""}: ${entry.body}`;
  return `${entry.role === "user" ? "User" : "Assistant"}: ${entry.body}`;
}

/**
 * The message for this turn: the last user or tool entry, with everything before it as context.
 * Entries after it (a trailing assistant turn) are dropped. Undefined when there is nothing to answer.
 */
export function turnMessage(entries: readonly ConversationEntry[]): string | undefined {
  let current = -1;
  for (let i = entries.length - 1; i >= 0; i--) {
    const { role, body } = entries[i]!;
    if ((role === "user" && body.trim() !== "") || role === "tool") {
      current = i;
      break;
    }
  }
  if (current < 0) return undefined;
  const last = entries[current]!;
  const history = entries.slice(0, current).filter((e) => e.body !== "");
  if (history.length === 0) return last.role === "user" ? last.body : line(last);
  return `${CONTEXT_HEADER}\n${history.map(line).join("\n")}\n\n${CURRENT_HEADER}\n${line(last)}`;
}

export function joinSystem(parts: readonly string[]): string | undefined {
  const kept = parts.filter((p) => p.trim() !== "");
  return kept.length ? kept.join("\n\n") : undefined;
}

export const TRUNCATION_WARNING = "\n\n⚠️ Reply truncated at the model's output token limit. The text above is partial — ask to continue it.";
export const EMPTY_REPLY = "No response from OpenClaw.";

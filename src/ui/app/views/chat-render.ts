/**
 * How chat messages look: user and assistant bubbles, and tool calls as one compact line each
 * (name, a hint of the arguments, status) that opens to the arguments and the result. Text is
 * shown as typed (pre-wrap), never parsed as markup.
 */
import { h, json } from "../dom.ts";

export interface WireMessage {
  role: string;
  content?: Array<{ type: string; text?: string; id?: string; name?: string; arguments?: unknown }>;
  timestamp?: number;
  toolCallId?: string;
  toolName?: string | null;
  isError?: boolean;
}

export type ToolStatus = "running" | "done" | "failed";

/** One tool call's line; `set*` fill it in as events or history arrive. */
export class ToolRow {
  readonly el: HTMLDetailsElement;
  private readonly status: HTMLElement;
  private readonly args: HTMLElement;
  private readonly result: HTMLElement;
  private readonly hint: HTMLElement;

  constructor(readonly id: string, name: string) {
    this.status = h("span", { class: "tool-status" });
    this.hint = h("span", { class: "tool-hint" });
    this.args = h("pre", { class: "tool-args" });
    this.result = h("pre", { class: "tool-result" });
    this.el = h("details", { class: "tool" },
      h("summary", null, h("span", { class: "tool-name" }, name), this.hint, this.status),
      h("div", { class: "tool-body" }, h("div", { class: "tool-label" }, "Arguments"), this.args, h("div", { class: "tool-label" }, "Result"), this.result),
    );
    this.setStatus("running");
  }

  setStatus(status: ToolStatus): void {
    this.el.dataset.status = status;
    this.status.textContent = status === "running" ? "running…" : status === "done" ? "done" : "failed";
  }

  setArgs(args: unknown): void {
    const value = typeof args === "string" ? tryParse(args) : args;
    this.args.textContent = json(value);
    this.hint.textContent = argHint(value);
  }

  setResult(text: string, isError: boolean): void {
    this.result.textContent = text.length > 4000 ? `${text.slice(0, 4000)}\n… (${text.length - 4000} more characters)` : text;
    this.setStatus(isError ? "failed" : "done");
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The first short string argument: the path, the command, the URL — what the call is about. */
function argHint(args: unknown): string {
  if (typeof args === "string") return args.slice(0, 80);
  if (!args || typeof args !== "object") return "";
  for (const v of Object.values(args as Record<string, unknown>)) if (typeof v === "string" && v.trim()) return v.trim().split("\n")[0]!.slice(0, 80);
  return "";
}

export function textOf(m: { content?: WireMessage["content"] }): string {
  return (m.content ?? []).filter((b) => b.type === "text" && typeof b.text === "string").map((b) => b.text).join("");
}

/** A bubble: a column of tool lines, then the text. */
export class Turn {
  readonly el: HTMLElement;
  readonly tools: HTMLElement;
  readonly text: HTMLElement;
  private readonly note: HTMLElement;

  constructor(role: "user" | "assistant", text = "") {
    this.tools = h("div", { class: "tools" });
    this.text = h("div", { class: "text" }, text);
    this.note = h("div", { class: "note", hidden: true });
    this.el = h("article", { class: `msg msg-${role}`, "aria-label": role === "user" ? "You" : "Assistant" }, this.tools, this.text, this.note);
    this.tools.hidden = true;
    this.text.hidden = text === "";
  }

  setText(text: string): void {
    if (this.text.textContent !== text) this.text.textContent = text;
    this.text.hidden = text === "";
  }

  addTool(row: ToolRow): void {
    this.tools.hidden = false;
    this.tools.appendChild(row.el);
  }

  setState(state: "streaming" | "done" | "aborted" | "error", note?: string): void {
    this.el.dataset.state = state;
    this.note.hidden = !note;
    this.note.textContent = note ?? "";
  }
}

/** Renders a stored transcript: each assistant row its own bubble, tool results joined to their calls. */
export function renderHistory(messages: WireMessage[]): HTMLElement[] {
  const out: HTMLElement[] = [];
  const rows = new Map<string, ToolRow>();
  for (const m of messages) {
    if (m.role === "user") out.push(new Turn("user", textOf(m)).el);
    else if (m.role === "assistant") {
      const turn = new Turn("assistant", textOf(m));
      for (const b of m.content ?? []) {
        if (b.type !== "toolCall" || !b.id) continue;
        const row = new ToolRow(b.id, b.name ?? "tool");
        row.setArgs(b.arguments);
        rows.set(b.id, row);
        turn.addTool(row);
      }
      turn.setState("done");
      out.push(turn.el);
    } else if (m.role === "toolResult" && m.toolCallId) {
      rows.get(m.toolCallId)?.setResult(textOf(m), m.isError === true);
    }
  }
  return out;
}

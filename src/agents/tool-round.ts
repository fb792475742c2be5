/**
 * One round of gateway tool calls inside a turn: the assistant's calls are persisted before they
 * run, the batch runs concurrently, and the results are persisted in call order (the order the
 * provider expects them back in), so a crash at any point leaves a transcript that says how far
 * the turn got.
 */
import type { ChatMessage, ToolCall, Usage } from "./providers/types.ts";
import type { SessionStore, StoredMessage } from "./sessions.ts";
import { invokeTool, type ToolOutcome } from "./tools/invoke.ts";
import type { AgentTool, ToolContext, ToolResult } from "./tools/types.ts";
import type { TurnEvent } from "./types.ts";

export const ABORTED_TOOL_TEXT = "Aborted";
export const MISSING_RESULT_TEXT = "[openclaw] missing tool result in session history; inserted synthetic error result for transcript repair.";

export interface ToolSummary {
  calls: number;
  tools: string[];
  failures: number;
  unresolvedError?: { toolName: string };
}

/** Counts over a whole turn (the final res reports them as meta.toolSummary). */
export class ToolTally {
  calls = 0;
  failures = 0;
  private names = new Set<string>();
  private succeeded = new Set<string>();
  private lastFailed = new Map<string, boolean>();

  add(name: string, isError: boolean): void {
    this.calls++;
    this.names.add(name);
    if (isError) this.failures++;
    else this.succeeded.add(name);
    this.lastFailed.set(name, isError);
  }

  summary(): ToolSummary | undefined {
    if (this.calls === 0) return undefined;
    const s: ToolSummary = { calls: this.calls, tools: [...this.names], failures: this.failures };
    const unresolved = [...this.lastFailed].findLast(([, failed]) => failed);
    if (unresolved) s.unresolvedError = { toolName: unresolved[0] };
    return s;
  }

  successfulToolNames(): string[] {
    return [...this.succeeded].sort();
  }
}

export interface RoundDeps {
  sessions: SessionStore;
  sessionKey: string;
  agentId: string;
  runId: string;
  tool(name: string): AgentTool | undefined;
  context(call: ToolCall): Omit<ToolContext, "toolCallId" | "onProgress">;
  maxResultChars: number;
  emit(e: TurnEvent): void;
  signal: AbortSignal;
}

/** Persists the assistant's tool round; returns the stored row. */
export function persistAssistantRound(d: RoundDeps, text: string, calls: ToolCall[], meta: { provider: string; model: string; usage: Usage }): StoredMessage {
  // Not fsynced on its own (see SessionStore.relaxed): a power cut mid-turn leaves an interrupted
  // run whose transcript the next turn repairs; the turn's final commit makes it durable.
  const [row] = d.sessions.relaxed(() => d.sessions.append(d.sessionKey, d.agentId, [{
    role: "assistant", content: text, runId: d.runId, toolCalls: calls,
    meta: { provider: meta.provider, model: meta.model, finishReason: "tool_calls", stopReason: "toolUse", usage: meta.usage },
  }]));
  d.emit({ type: "persisted", message: row! });
  return row!;
}

/**
 * Runs the batch and persists every result. When the run is aborted meanwhile, the calls that did
 * not finish are recorded as "Aborted" before the abort propagates.
 */
export async function runToolBatch(d: RoundDeps, calls: ToolCall[], tally: ToolTally, blocked?: string): Promise<ChatMessage[]> {
  const settled = await Promise.allSettled(calls.map((call) => runOne(d, call, blocked)));
  const outcomes: ToolOutcome[] = settled.map((s) =>
    s.status === "fulfilled" ? s.value : { result: { content: [{ type: "text", text: ABORTED_TOOL_TEXT }], details: {}, isError: true }, isError: true, error: ABORTED_TOOL_TEXT, args: {} },
  );
  const rows = d.sessions.relaxed(() => d.sessions.append(d.sessionKey, d.agentId, calls.map((call, i) => ({
    role: "tool" as const,
    content: resultText(outcomes[i]!.result),
    toolCallId: call.id,
    runId: d.runId,
    meta: { toolName: call.name, isError: outcomes[i]!.isError },
  }))));
  for (const [i, call] of calls.entries()) tally.add(call.name, outcomes[i]!.isError);
  if (d.signal.aborted) throw d.signal.reason;
  const failure = settled.find((s) => s.status === "rejected");
  if (failure) throw (failure as PromiseRejectedResult).reason;
  for (const row of rows) d.emit({ type: "persisted", message: row });
  return calls.map((call, i) => ({ role: "tool", content: resultText(outcomes[i]!.result), toolCallId: call.id }));
}

async function runOne(d: RoundDeps, call: ToolCall, blocked: string | undefined): Promise<ToolOutcome> {
  const tool = d.tool(call.name);
  const startedAt = Date.now();
  const title = describe(tool, call);
  const commandBearing = !!tool?.commandBearing;
  d.emit({ type: "tool_start", call, args: safeArgs(call.arguments), title, commandBearing, startedAt });
  let outcome: ToolOutcome;
  try {
    if (blocked) {
      outcome = { result: { content: [{ type: "text", text: blocked }], details: {}, isError: true }, isError: true, error: blocked, args: {} };
    } else {
      outcome = await invokeTool(tool, call, {
        ...d.context(call),
        toolCallId: call.id,
        onProgress: (progress) => d.emit({ type: "tool_progress", call, progress }),
      }, { maxResultChars: d.maxResultChars });
    }
  } catch (err) {
    const result: ToolResult = { content: [{ type: "text", text: ABORTED_TOOL_TEXT }], details: {}, isError: true };
    d.emit({ type: "tool_end", call, result, isError: true, error: ABORTED_TOOL_TEXT, title, commandBearing, startedAt, endedAt: Date.now() });
    throw err;
  }
  d.emit({ type: "tool_end", call, result: outcome.result, isError: outcome.isError, error: outcome.error, title, commandBearing, startedAt, endedAt: Date.now() });
  return outcome;
}

function describe(tool: AgentTool | undefined, call: ToolCall): string {
  if (!tool?.title) return call.name;
  try {
    return tool.title(safeArgs(call.arguments)).slice(0, 120) || call.name;
  } catch {
    return call.name;
  }
}

function safeArgs(raw: string): Record<string, unknown> {
  try {
    const v = JSON.parse(raw || "{}");
    return v && typeof v === "object" && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

export function resultText(r: ToolResult): string {
  return r.content.map((c) => c.text).join("\n");
}

/**
 * History as the provider must see it: every tool call answered. A call left without a result
 * (a crash or abort mid-tool) gets a synthetic error result right after its round.
 */
export function repairToolPairs(messages: ChatMessage[]): ChatMessage[] {
  const answered = new Set(messages.filter((m) => m.role === "tool" && m.toolCallId).map((m) => m.toolCallId!));
  const out: ChatMessage[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    if (m.role === "tool" && !out.some((o) => o.toolCalls?.some((c) => c.id === m.toolCallId))) continue; // an orphan result
    out.push(m);
    if (m.role !== "assistant" || !m.toolCalls?.length) continue;
    // Results that belong to this round follow it directly; pull them up before inserting stand-ins.
    while (i + 1 < messages.length && messages[i + 1]!.role === "tool") out.push(messages[++i]!);
    for (const c of m.toolCalls) {
      if (!answered.has(c.id)) out.push({ role: "tool", content: MISSING_RESULT_TEXT, toolCallId: c.id });
    }
  }
  return out;
}

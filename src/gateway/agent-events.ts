import type { ToolCall } from "../agents/providers/types.ts";
import type { AgentError, TurnEvent, TurnResult } from "../agents/types.ts";
import type { ToolResult } from "../agents/tools/types.ts";
import type { GatewayRuntime } from "./runtime.ts";
import { wireMessage } from "./transcript-wire.ts";
import type { ConnState } from "./ws/conn.ts";

type Only = (d: ConnState) => boolean;

/** `sessions.subscribe` sockets: session.message and session.tool go to them. */
const subscribed: Only = (d) => d.sessionsSubscribed === true;

/**
 * Turns one run's progress into the `agent` and `chat` events clients render: each stream has
 * its own per-run seq, and every event is a broadcast (so it also carries the per-socket seq).
 * The agent seq counts every event of the run, including the `tool` stream that only the run's
 * starter sees when it asked for `tool-events`: other sockets see gaps, as on the published gateway.
 */
export class RunEvents {
  private agentSeq = 0;
  private chatSeq = 0;
  private startedAt = Date.now();
  private readonly toStarter: Only;

  constructor(
    private gw: GatewayRuntime,
    readonly runId: string,
    readonly sessionKey: string,
    readonly agentId: string,
    starter?: ConnState,
  ) {
    const wantsTools = !!starter?.caps?.includes("tool-events");
    this.toStarter = (d) => wantsTools && d === starter;
  }

  private payload(stream: string, data: unknown) {
    return { runId: this.runId, seq: ++this.agentSeq, stream, ts: Date.now(), data, sessionKey: this.sessionKey, agentId: this.agentId };
  }

  private agent(stream: string, data: unknown): void {
    this.gw.bus.broadcast("agent", this.payload(stream, data));
  }

  private chat(state: "delta" | "final" | "aborted" | "error", extra: Record<string, unknown>): void {
    this.gw.bus.broadcast("chat", { runId: this.runId, sessionKey: this.sessionKey, agentId: this.agentId, seq: ++this.chatSeq, state, ...extra });
  }

  /** The `tool` stream: to the starter (agent event) and to subscribers (session.tool). */
  private tool(data: Record<string, unknown>): void {
    const p = this.payload("tool", data);
    const bus = this.gw.bus;
    if (bus.reaches("agent", "operator.read", this.toStarter)) bus.broadcast("agent", p, undefined, "operator.read", this.toStarter);
    if (bus.reaches("session.tool", "operator.read", subscribed)) bus.broadcast("session.tool", p, undefined, "operator.read", subscribed);
  }

  /** The handler for TurnInput.onEvent. */
  readonly onTurnEvent = (e: TurnEvent): void => {
    switch (e.type) {
      case "accepted":
        this.startedAt = e.acceptedAt;
        this.agent("lifecycle", { phase: "start", startedAt: e.acceptedAt });
        return;
      case "model":
        this.agent("lifecycle", { phase: "model", provider: e.provider, model: e.model });
        return;
      case "delta":
        this.agent("assistant", { text: e.text, delta: e.delta });
        this.chat("delta", { deltaText: e.delta, message: assistantMessage(e.text) });
        return;
      case "tool_call":
        this.agent("tool", { phase: "call", toolCallId: e.call.id, name: e.call.name, arguments: e.call.arguments });
        return;
      case "tool_start":
        this.agent("item", { ...item(e.call, e.title, e.commandBearing), phase: "start", status: "running", startedAt: e.startedAt });
        this.tool({ phase: "start", name: e.call.name, toolCallId: e.call.id, args: e.args });
        return;
      case "tool_progress":
        this.onProgress(e.call, e.progress);
        return;
      case "tool_end":
        this.tool({
          phase: "result", name: e.call.name, toolCallId: e.call.id, isError: e.isError, commandBearing: e.commandBearing,
          result: { content: e.result.content, details: e.result.details },
        });
        this.agent("item", {
          ...item(e.call, e.title, e.commandBearing), phase: "end", status: e.isError ? "failed" : "completed",
          startedAt: e.startedAt, endedAt: e.endedAt, ...(e.isError && e.error ? { error: e.error } : {}),
        });
        if (e.commandBearing) this.commandOutput(e.call, e.title, "end", "", e.result, e);
        return;
      case "persisted":
        if (e.message.role !== "tool" && this.gw.bus.reaches("session.message", "operator.read", subscribed)) {
          this.gw.bus.broadcast("session.message", { sessionKey: this.sessionKey, agentId: this.agentId, message: wireMessage(e.message) }, undefined, "operator.read", subscribed);
        }
        return;
      case "round":
        return;
    }
  };

  private onProgress(call: ToolCall, p: Extract<TurnEvent, { type: "tool_progress" }>["progress"]): void {
    switch (p.kind) {
      case "partial":
        this.tool({ phase: "update", name: call.name, toolCallId: call.id, partialResult: { content: p.content, details: p.details ?? {} } });
        return;
      case "output":
        this.commandOutput(call, call.name, "delta", p.output);
        return;
      case "waiting-approval":
        this.agent("lifecycle", { phase: "waiting-approval", approvalId: p.approvalId, toolCallId: call.id });
        return;
      case "approval-resolved":
        this.agent("lifecycle", { phase: "approval-resolved", approvalId: p.approvalId, toolCallId: call.id, decision: p.decision });
        if (p.decision === "deny" || p.decision === null) {
          this.agent("approval", {
            phase: "resolved", kind: "exec", status: "denied", title: "Command approval resolved", itemId: `command:${call.id}`, toolCallId: call.id,
          });
        }
        return;
    }
  }

  private commandOutput(call: ToolCall, title: string, phase: "delta" | "end", output: string, result?: ToolResult, end?: { isError: boolean; startedAt: number; endedAt: number }): void {
    const d = result?.details ?? {};
    this.agent("command_output", {
      itemId: `command:${call.id}`, phase, title, toolCallId: call.id, name: call.name, output,
      status: phase === "delta" ? "running" : end?.isError ? "failed" : "completed",
      ...(phase === "end" ? { exitCode: d.exitCode ?? null, durationMs: end ? end.endedAt - end.startedAt : undefined, cwd: d.cwd } : {}),
    });
  }

  finished(r: TurnResult): void {
    this.agent("usage", { inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens });
    this.agent("lifecycle", {
      phase: "end", startedAt: r.startedAt, endedAt: r.endedAt, aborted: false, stopReason: r.finishReason,
      terminalReply: { disposition: "visible", text: r.text },
    });
    this.chat("final", {
      message: assistantMessage(r.text), stopReason: r.finishReason,
      usage: { inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens },
    });
  }

  failed(err: AgentError): void {
    if (err.kind === "aborted") {
      this.agent("lifecycle", { phase: "end", status: "cancelled", aborted: true, stopReason: "rpc", startedAt: this.startedAt, endedAt: Date.now() });
      this.chat("aborted", { stopReason: "rpc" });
      return;
    }
    this.agent("lifecycle", { phase: "error", error: err.message, kind: err.kind });
    this.chat("error", { errorMessage: err.message, errorKind: err.kind });
  }
}

function item(call: ToolCall, title: string, commandBearing: boolean) {
  return { itemId: `tool:${call.id}`, toolCallId: call.id, name: call.name, kind: "tool", title, commandBearing };
}

function assistantMessage(text: string) {
  return { role: "assistant", content: [{ type: "text", text }], timestamp: Date.now() };
}

import type { AgentError, TurnEvent, TurnResult } from "../agents/types.ts";
import type { GatewayRuntime } from "./runtime.ts";

/**
 * Turns one run's progress into the `agent` and `chat` events clients render: each stream has
 * its own per-run seq, and every event is a broadcast (so it also carries the per-socket seq).
 */
export class RunEvents {
  private agentSeq = 0;
  private chatSeq = 0;
  private startedAt = Date.now();

  constructor(
    private gw: GatewayRuntime,
    readonly runId: string,
    readonly sessionKey: string,
    readonly agentId: string,
  ) {}

  private agent(stream: string, data: unknown): void {
    this.gw.bus.broadcast("agent", {
      runId: this.runId, seq: ++this.agentSeq, stream, ts: Date.now(), data, sessionKey: this.sessionKey, agentId: this.agentId,
    });
  }

  private chat(state: "delta" | "final" | "aborted" | "error", extra: Record<string, unknown>): void {
    this.gw.bus.broadcast("chat", { runId: this.runId, sessionKey: this.sessionKey, agentId: this.agentId, seq: ++this.chatSeq, state, ...extra });
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
    }
  };

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

function assistantMessage(text: string) {
  return { role: "assistant", content: [{ type: "text", text }], timestamp: Date.now() };
}

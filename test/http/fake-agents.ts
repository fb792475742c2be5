// A scripted AgentService for HTTP tests: records every TurnInput, streams scripted deltas through
// onEvent, throws scripted errors, and can hang until the caller's signal aborts.
import type { FinishReason, ToolCall, Usage } from "../../src/agents/providers/types.ts";
import { SessionStore } from "../../src/agents/sessions.ts";
import { AgentError, type AgentService, type AgentSummary, type EmbedOptions, type TurnInput, type TurnResult } from "../../src/agents/types.ts";

export interface ScriptedTurn {
  /** Sent one by one through onEvent; the result text is their concatenation unless `text` is set. */
  deltas?: string[];
  text?: string;
  toolCalls?: ToolCall[];
  finishReason?: FinishReason;
  usage?: Usage;
  /** Thrown after the deltas were sent. */
  error?: Error;
  /** Do not finish until the turn's signal aborts; then throw AgentError("aborted"). */
  hang?: boolean;
}

export interface EmbedCall {
  agentId: string;
  input: string[];
  opts: EmbedOptions | undefined;
}

export class FakeAgents implements AgentService {
  readonly sessions = SessionStore.open(":memory:");
  readonly turns: TurnInput[] = [];
  readonly embedCalls: EmbedCall[] = [];
  /** Consumed in order; when empty every turn answers "echo: <message>" in two deltas. */
  readonly script: ScriptedTurn[] = [];
  embedResult: number[][] | Error | undefined;
  /** Resolves when a hanging turn has started, so a test can disconnect at the right moment. */
  hanging: Promise<TurnInput>;
  #hangStarted!: (input: TurnInput) => void;

  constructor(
    private readonly agents: AgentSummary[] = [
      { id: "main", isDefault: true, model: "stub/echo" },
      { id: "research", isDefault: false, name: "Research" },
    ],
  ) {
    this.hanging = new Promise((resolve) => (this.#hangStarted = resolve));
  }

  listAgents(): AgentSummary[] {
    return this.agents;
  }

  defaultAgentId(): string {
    return (this.agents.find((a) => a.isDefault) ?? this.agents[0]!).id;
  }

  getAgent(id: string): AgentSummary | undefined {
    return this.agents.find((a) => a.id === id);
  }

  get lastTurn(): TurnInput {
    const t = this.turns.at(-1);
    if (!t) throw new Error("no turn was run");
    return t;
  }

  async runTurn(input: TurnInput): Promise<TurnResult> {
    this.turns.push(input);
    const step = this.script.shift() ?? { deltas: [`echo: `, input.message] };
    const deltas = step.deltas ?? [];
    const runId = input.runId ?? crypto.randomUUID();
    input.onEvent?.({ type: "accepted", runId, agentId: input.agentId, sessionKey: input.sessionKey, sessionId: "sid", acceptedAt: Date.now() });
    let text = "";
    for (const delta of deltas) {
      await Bun.sleep(1);
      text += delta;
      input.onEvent?.({ type: "delta", delta, text });
    }
    if (step.hang) {
      this.#hangStarted(input);
      await new Promise<void>((resolve) => {
        if (input.signal?.aborted) resolve();
        input.signal?.addEventListener("abort", () => resolve(), { once: true });
      });
      throw new AgentError("aborted", "run aborted");
    }
    if (step.error) throw step.error;
    const toolCalls = step.toolCalls ?? [];
    const now = Date.now();
    return {
      runId,
      agentId: input.agentId,
      sessionKey: input.sessionKey,
      sessionId: "sid",
      text: step.text ?? text,
      toolCalls,
      finishReason: step.finishReason ?? (toolCalls.length ? "tool_calls" : "stop"),
      usage: step.usage ?? { inputTokens: 11, outputTokens: 7 },
      provider: "stub",
      model: "echo",
      startedAt: now,
      endedAt: now,
      durationMs: 0,
    };
  }

  async embed(agentId: string, input: string[], opts?: EmbedOptions): Promise<number[][]> {
    this.embedCalls.push({ agentId, input, opts });
    if (this.embedResult instanceof Error) throw this.embedResult;
    return this.embedResult ?? input.map((_, i) => [i + 0.1, i + 0.2, i + 0.3, i + 0.4]);
  }

  abort(): string[] {
    return [];
  }

  activeRuns(): string[] {
    return [];
  }
}

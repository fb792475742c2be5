/**
 * The agent service as the doors (WebSocket methods, HTTP routes, tools) see it. Domain code:
 * nothing here knows about sockets, frames or Hono.
 */
import type { FinishReason, ProviderError, SamplingOptions, ToolCall, ToolChoice, ToolDefinition, Usage } from "./providers/types.ts";
import type { SessionStore, StorageError, StoredMessage } from "./sessions.ts";
import type { ToolProgress, ToolResult } from "./tools/types.ts";
import type { ToolSummary } from "./tool-round.ts";

export interface AgentSummary {
  id: string;
  name?: string;
  isDefault: boolean;
  /** "provider/model" of the primary model, if one is configured. */
  model?: string;
}

export interface TurnInput {
  agentId: string;
  /** Full session key, "agent:<agentId>:<rest>". */
  sessionKey: string;
  /** The user message of this turn; stored before the model is called. */
  message: string;
  extraSystemPrompt?: string;
  /** "provider/model" replacing the agent's model for this turn (x-openclaw-model, agent.model). */
  modelOverride?: string;
  /** Client tools offered to the model; a call to one ends the turn with finishReason tool_calls. */
  tools?: ToolDefinition[];
  /**
   * Offer the gateway's own tools (those the agent's policy allows) and run their calls in a loop
   * until the model answers without tools. Ignored when client `tools` are given.
   */
  agentTools?: boolean;
  toolChoice?: ToolChoice;
  sampling?: SamplingOptions;
  /** Defaults to the idempotencyKey, else a new uuid. */
  runId?: string;
  /** A repeat with the same key returns the first run's result instead of running again. */
  idempotencyKey?: string;
  /** Overrides the agent's timeoutSeconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Where the message came from (webchat, telegram, cli, …), kept with the stored message. */
  channel?: string;
  onEvent?: (event: TurnEvent) => void;
}

export type TurnEvent =
  /** The user message is durable; the run is under way. */
  | { type: "accepted"; runId: string; agentId: string; sessionKey: string; sessionId: string; acceptedAt: number }
  | { type: "model"; provider: string; model: string }
  | { type: "delta"; delta: string; text: string }
  /** A call of a client tool: it ends the turn, the client runs it. */
  | { type: "tool_call"; call: ToolCall }
  /** Gateway tool calls: start, progress, end (the result the model will see). */
  | { type: "tool_start"; call: ToolCall; args: Record<string, unknown>; title: string; commandBearing: boolean; startedAt: number }
  | { type: "tool_progress"; call: ToolCall; progress: ToolProgress }
  | { type: "tool_end"; call: ToolCall; result: ToolResult; isError: boolean; error?: string; title: string; commandBearing: boolean; startedAt: number; endedAt: number }
  /** A transcript row was committed (user message, assistant tool round, tool result, final reply). */
  | { type: "persisted"; message: StoredMessage }
  /** A new model call of the same turn begins (after a tool round): text restarts. */
  | { type: "round"; round: number };

export interface TurnResult {
  runId: string;
  agentId: string;
  sessionKey: string;
  sessionId: string;
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  provider: string;
  model: string;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  /** True when this result was replayed for a repeated idempotencyKey. */
  cached?: boolean;
  /** Gateway tools the turn ran (absent when none). */
  toolSummary?: ToolSummary;
  /** Provider calls made (1 + tool rounds). */
  assistantTurns?: number;
  successfulToolNames?: string[];
  /** Usage of the last provider call (`usage` sums all calls). */
  lastCallUsage?: Usage;
  /** Why the loop ended when not by a plain answer: "loop" (loop detection). */
  stopReason?: string;
}

export type AgentErrorKind =
  | "unknown_agent"
  | "unknown_model" // no such provider/model
  | "not_configured" // the agent has no model
  | "invalid" // bad input (empty message, …)
  | "provider" // see providerError
  | "timeout" // past the agent's deadline
  | "aborted" // chat.abort, client disconnect
  | "conflict" // idempotencyKey reused for a different request, or a run still in flight
  | "storage"; // the session store cannot be read or written (see storageError)

export class AgentError extends Error {
  constructor(
    readonly kind: AgentErrorKind,
    message: string,
    readonly providerError?: ProviderError,
    readonly storageError?: StorageError,
  ) {
    super(message);
  }

  get retryable(): boolean {
    if (this.kind === "storage") return !!this.storageError?.retryable;
    return this.kind === "timeout" || (this.kind === "provider" && !!this.providerError?.retryable);
  }
}

export interface EmbedOptions {
  /** "provider/model"; the provider must be the agent's embedding provider. */
  modelOverride?: string;
  dimensions?: number;
  signal?: AbortSignal;
}

export interface AgentService {
  listAgents(): AgentSummary[];
  defaultAgentId(): string;
  getAgent(id: string): AgentSummary | undefined;
  /** Runs one turn; throws AgentError (kind "storage" when the session store fails). */
  runTurn(input: TurnInput): Promise<TurnResult>;
  /** Embeddings through the agent's memorySearch provider; throws AgentError. */
  embed(agentId: string, input: string[], opts?: EmbedOptions): Promise<number[][]>;
  /** Aborts the session's active runs (or one of them); returns the aborted run ids. */
  abort(sessionKey: string, runId?: string): string[];
  /** Run ids in flight for a session. */
  activeRuns(sessionKey?: string): string[];
  readonly sessions: SessionStore;
}

/** "agent:<agentId>:<rest>" → agentId, or undefined for a key in another namespace. */
export function agentIdOfSessionKey(key: string): string | undefined {
  const m = /^agent:([a-z0-9][a-z0-9_-]{0,63}):/.exec(key);
  return m?.[1];
}

export function mainSessionKey(agentId: string): string {
  return `agent:${agentId}:main`;
}

/**
 * The contract between the agent runtime and a model provider adapter. Adapters speak one wire
 * protocol each (OpenAI chat completions, Anthropic messages) and always stream.
 */

export type ChatRole = "system" | "user" | "assistant" | "tool";

export interface ToolCall {
  id: string;
  name: string;
  /** JSON text, as the model produced it. */
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** assistant messages that called tools */
  toolCalls?: ToolCall[];
  /** tool results: which call this answers */
  toolCallId?: string;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments */
  parameters?: Record<string, unknown>;
}

export type ToolChoice = "auto" | "none" | "required" | { name: string };

export interface SamplingOptions {
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  /** OpenAI response_format, passed through as is. */
  responseFormat?: Record<string, unknown>;
}

export interface CompletionRequest {
  model: string;
  /** System prompt; adapters place it where their API wants it. */
  system?: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  sampling?: SamplingOptions;
  signal?: AbortSignal;
}

export type FinishReason = "stop" | "length" | "tool_calls";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** What an adapter yields while streaming, in order: text deltas and tool calls, then one finish. */
export type StreamEvent =
  | { type: "text"; delta: string }
  | { type: "tool_call"; call: ToolCall }
  | { type: "finish"; reason: FinishReason; usage?: Usage };

export type ProviderErrorKind =
  | "rate_limit" // 429
  | "overloaded" // 503/529
  | "upstream" // other 5xx, malformed stream
  | "timeout"
  | "unreachable" // connection refused / DNS
  | "auth" // 401
  | "permission" // 403
  | "not_found" // 404 (model)
  | "bad_request" // 400/422
  | "aborted"; // our own AbortSignal

/** A provider failure, already classified; messages never contain the API key. */
export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }

  /** Worth retrying later by the caller (the adapter has already retried what it will). */
  get retryable(): boolean {
    return this.kind === "rate_limit" || this.kind === "overloaded" || this.kind === "upstream" || this.kind === "timeout" || this.kind === "unreachable";
  }
}

export interface ProviderConfig {
  id: string;
  baseUrl: string;
  apiKey?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  maxRetries: number;
}

export interface Provider {
  readonly id: string;
  readonly api: "openai-completions" | "anthropic-messages";
  /** Streams one completion; throws ProviderError (also from inside the iteration). */
  stream(req: CompletionRequest): AsyncIterable<StreamEvent>;
  /** Embeddings, for providers whose server has /embeddings; throws ProviderError. */
  embed?(req: { model: string; input: string[]; dimensions?: number; signal?: AbortSignal }): Promise<number[][]>;
}

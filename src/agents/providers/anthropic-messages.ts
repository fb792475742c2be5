/**
 * Adapter for Anthropic's Messages API: POST {baseUrl}/messages with stream:true, read back as
 * SSE (message_start, content_block_*, message_delta, message_stop, ping, error).
 */
import { Attempt, ErrorFactory, endpoint, isJsonResponse, observeResponse, parseEventJson, withRetries, type ProviderDeps } from "./transport.ts";
import type { SseEvent } from "./sse.ts";
import type {
  ChatMessage,
  CompletionRequest,
  FinishReason,
  Provider,
  ProviderConfig,
  ProviderError,
  ProviderErrorKind,
  StreamEvent,
  ToolChoice,
  ToolDefinition,
  Usage,
} from "./types.ts";

export const ANTHROPIC_VERSION = "2023-06-01";
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

export interface AnthropicProviderOptions extends ProviderDeps {
  /** max_tokens when the request does not set one (Anthropic requires it); default 4096. */
  defaultMaxTokens?: number;
}

type Json = Record<string, unknown>;
type Block = Json & { type: string };
interface AnthropicMessage {
  role: "user" | "assistant";
  content: Block[];
}

// ---------------------------------------------------------------------------------------------
// Request mapping

/** A tool call's JSON arguments as the object Anthropic wants for `tool_use.input`. */
function toolInput(args: string): Json {
  if (args.trim() === "") return {};
  try {
    const v = JSON.parse(args);
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Json;
    return { value: v };
  } catch {
    return { _raw: args };
  }
}

/**
 * The system text (the request's `system` plus any system-role messages, in order) and the
 * conversation as Anthropic content blocks, consecutive same-role messages merged into one.
 */
export function toAnthropicMessages(system: string | undefined, messages: ChatMessage[]): { system: string | undefined; messages: AnthropicMessage[] } {
  const systemParts: string[] = [];
  if (system !== undefined && system !== "") systemParts.push(system);
  const out: AnthropicMessage[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    switch (m.role) {
      case "system":
        if (m.content !== "") systemParts.push(m.content);
        break;
      case "user":
        // Anthropic rejects empty text blocks.
        push("user", m.content === "" ? [] : [{ type: "text", text: m.content }]);
        break;
      case "assistant": {
        const blocks: Block[] = [];
        if (m.content !== "") blocks.push({ type: "text", text: m.content });
        for (const c of m.toolCalls ?? []) blocks.push({ type: "tool_use", id: c.id, name: c.name, input: toolInput(c.arguments) });
        push("assistant", blocks);
        break;
      }
      case "tool":
        push("user", [{ type: "tool_result", tool_use_id: m.toolCallId ?? "", content: m.content }]);
        break;
    }
  }
  // Tool results must come first in a user turn; text the same turn carries goes after them.
  for (const msg of out) {
    if (msg.role !== "user") continue;
    const results = msg.content.filter((b) => b.type === "tool_result");
    if (results.length > 0 && results.length < msg.content.length) {
      msg.content = [...results, ...msg.content.filter((b) => b.type !== "tool_result")];
    }
  }
  return { system: systemParts.length > 0 ? systemParts.join("\n\n") : undefined, messages: out };
}

export function toAnthropicTools(tools: ToolDefinition[]): Json[] {
  return tools.map((t) => {
    const tool: Json = { name: t.name };
    if (t.description !== undefined) tool.description = t.description;
    tool.input_schema = t.parameters ?? { type: "object", properties: {} };
    return tool;
  });
}

export function toAnthropicToolChoice(choice: ToolChoice): Json {
  if (typeof choice !== "string") return { type: "tool", name: choice.name };
  if (choice === "required") return { type: "any" };
  return { type: choice }; // "auto" | "none"
}

export function buildAnthropicBody(req: CompletionRequest, defaultMaxTokens = ANTHROPIC_DEFAULT_MAX_TOKENS): Json {
  const { system, messages } = toAnthropicMessages(req.system, req.messages);
  const s = req.sampling ?? {};
  const body: Json = { model: req.model, max_tokens: s.maxTokens ?? defaultMaxTokens, stream: true };
  if (system !== undefined) body.system = system;
  body.messages = messages;
  if (req.tools && req.tools.length > 0) body.tools = toAnthropicTools(req.tools);
  if (req.toolChoice !== undefined) body.tool_choice = toAnthropicToolChoice(req.toolChoice);
  if (s.temperature !== undefined) body.temperature = s.temperature;
  if (s.topP !== undefined) body.top_p = s.topP;
  if (s.stop !== undefined && s.stop.length > 0) body.stop_sequences = s.stop;
  // seed, frequency/presence penalties and response_format have no Messages API equivalent.
  return body;
}

// ---------------------------------------------------------------------------------------------
// Response mapping

export function mapAnthropicStop(reason: unknown): FinishReason {
  switch (reason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    default:
      return "stop"; // end_turn, stop_sequence, pause_turn, refusal, missing
  }
}

const ERROR_TYPES: Record<string, { kind: ProviderErrorKind; transient: boolean }> = {
  overloaded_error: { kind: "overloaded", transient: true },
  rate_limit_error: { kind: "rate_limit", transient: true },
  api_error: { kind: "upstream", transient: true },
  timeout_error: { kind: "timeout", transient: true },
  authentication_error: { kind: "auth", transient: false },
  permission_error: { kind: "permission", transient: false },
  not_found_error: { kind: "not_found", transient: false },
  invalid_request_error: { kind: "bad_request", transient: false },
  request_too_large: { kind: "bad_request", transient: false },
  billing_error: { kind: "permission", transient: false },
};

/** Message and type of `{type:"error", error:{type, message}}`. */
export function anthropicErrorInfo(body: unknown): { message?: string; code?: string } {
  if (!body || typeof body !== "object") return {};
  const e = (body as Json).error;
  if (e && typeof e === "object") {
    const eo = e as Json;
    return { message: typeof eo.message === "string" ? eo.message : undefined, code: typeof eo.type === "string" ? eo.type : undefined };
  }
  if (typeof (body as Json).message === "string") return { message: (body as Json).message as string };
  return {};
}

interface OpenBlock {
  type: string;
  id: string;
  name: string;
  json: string;
  input: unknown;
}

/** Turns Messages API stream events into StreamEvents. */
export class AnthropicStreamAssembler {
  private readonly blocks = new Map<number, OpenBlock>();
  private inputTokens = 0;
  private outputTokens = 0;
  private sawUsage = false;
  private stopReason: unknown = undefined;
  private anyCalls = false;
  stopped = false;

  constructor(private readonly onError: (error: Json) => ProviderError) {}

  event(ev: Json): StreamEvent[] {
    switch (ev.type) {
      case "message_start": {
        const msg = (ev.message ?? {}) as Json;
        this.usage(msg.usage);
        return [];
      }
      case "content_block_start": {
        const index = typeof ev.index === "number" ? ev.index : this.blocks.size;
        const b = (ev.content_block ?? {}) as Json;
        const type = typeof b.type === "string" ? b.type : "";
        this.blocks.set(index, { type, id: str(b.id), name: str(b.name), json: "", input: b.input });
        if (type === "text" && typeof b.text === "string" && b.text !== "") return [{ type: "text", delta: b.text }];
        return [];
      }
      case "content_block_delta": {
        const d = (ev.delta ?? {}) as Json;
        const block = this.blocks.get(typeof ev.index === "number" ? ev.index : -1);
        if (d.type === "text_delta" && typeof d.text === "string" && d.text !== "") return [{ type: "text", delta: d.text }];
        if (d.type === "input_json_delta" && block && typeof d.partial_json === "string") block.json += d.partial_json;
        return []; // thinking_delta, signature_delta, citations…: not part of the contract
      }
      case "content_block_stop": {
        const index = typeof ev.index === "number" ? ev.index : -1;
        const block = this.blocks.get(index);
        this.blocks.delete(index);
        if (block?.type === "tool_use") return [this.toolCall(block)];
        return [];
      }
      case "message_delta": {
        const d = (ev.delta ?? {}) as Json;
        if (d.stop_reason !== undefined && d.stop_reason !== null) this.stopReason = d.stop_reason;
        this.usage(ev.usage);
        return [];
      }
      case "message_stop":
        this.stopped = true;
        return [];
      case "error":
        throw this.onError((ev.error ?? {}) as Json);
      default:
        return []; // ping, and event types added later
    }
  }

  /** A whole non-streamed `message` object, as events. */
  message(msg: Json): StreamEvent[] {
    const out: StreamEvent[] = [];
    this.usage(msg.usage);
    for (const b of Array.isArray(msg.content) ? (msg.content as Json[]) : []) {
      if (b.type === "text" && typeof b.text === "string" && b.text !== "") out.push({ type: "text", delta: b.text });
      if (b.type === "tool_use") out.push(this.toolCall({ type: "tool_use", id: str(b.id), name: str(b.name), json: "", input: b.input }));
    }
    this.stopReason = msg.stop_reason;
    this.stopped = true;
    return out;
  }

  private toolCall(b: OpenBlock): StreamEvent {
    this.anyCalls = true;
    let args = b.json;
    if (args.trim() === "") args = b.input && typeof b.input === "object" ? JSON.stringify(b.input) : "{}";
    return { type: "tool_call", call: { id: b.id, name: b.name, arguments: args } };
  }

  private usage(u: unknown): void {
    if (!u || typeof u !== "object") return;
    const o = u as Json;
    if (typeof o.input_tokens === "number") {
      // Cached prompt tokens are reported apart from input_tokens; they are input all the same.
      this.inputTokens = o.input_tokens + num(o.cache_creation_input_tokens) + num(o.cache_read_input_tokens);
      this.sawUsage = true;
    }
    if (typeof o.output_tokens === "number") {
      this.outputTokens = o.output_tokens; // cumulative in message_delta
      this.sawUsage = true;
    }
  }

  /** Tool calls left open (a stream without content_block_stop), then the finish. */
  end(): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const [, b] of [...this.blocks.entries()].sort((x, y) => x[0] - y[0])) if (b.type === "tool_use") out.push(this.toolCall(b));
    this.blocks.clear();
    let reason = mapAnthropicStop(this.stopReason);
    if (this.anyCalls && (this.stopReason === undefined || this.stopReason === null)) reason = "tool_calls";
    const usage: Usage = { inputTokens: this.inputTokens, outputTokens: this.outputTokens };
    out.push(this.sawUsage ? { type: "finish", reason, usage } : { type: "finish", reason });
    return out;
  }
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}
function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

// ---------------------------------------------------------------------------------------------
// The provider

export function createAnthropicMessagesProvider(cfg: ProviderConfig, deps: AnthropicProviderOptions = {}): Provider {
  const errors = new ErrorFactory(cfg.id, cfg.apiKey);
  const fetchImpl = deps.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));

  const headers = (): Record<string, string> => {
    const h: Record<string, string> = { "content-type": "application/json", accept: "text/event-stream", "anthropic-version": ANTHROPIC_VERSION };
    if (cfg.apiKey) h["x-api-key"] = cfg.apiKey;
    for (const [k, v] of Object.entries(cfg.headers ?? {})) h[k.toLowerCase()] = v;
    return h;
  };

  const streamError = (e: Json): ProviderError => {
    const type = str(e.type) || "error";
    const m = ERROR_TYPES[type] ?? { kind: "upstream" as const, transient: false };
    return errors.make(m.kind, `stream error: ${type}: ${str(e.message) || "unknown error"}`, { code: type, transient: m.transient });
  };

  const parse = (ev: SseEvent): Json => {
    const o = parseEventJson(ev, errors, "event");
    // Anthropic names the event on the `event:` line; the data may leave `type` out.
    if (typeof o.type !== "string" && ev.event) o.type = ev.event;
    return o;
  };

  async function* attempt(req: CompletionRequest, body: string): AsyncGenerator<StreamEvent> {
    const { url, origin } = endpoint(cfg.baseUrl, "/messages");
    const a = new Attempt(errors, cfg.timeoutMs, req.signal);
    try {
      const res = await a.send(fetchImpl, url, { method: "POST", headers: headers(), body }, origin);
      observeResponse(deps, cfg.id, req.model, res);
      if (!res.ok) throw errors.http(res.status, res.statusText, await a.errorText(res), res.headers, anthropicErrorInfo);
      const asm = new AnthropicStreamAssembler(streamError);

      if (isJsonResponse(res)) {
        const text = await a.text(res);
        let obj: Json;
        try {
          obj = JSON.parse(text) as Json;
        } catch {
          throw errors.make("upstream", `malformed response: ${text.slice(0, 200)}`);
        }
        if (obj.type === "error") throw streamError((obj.error ?? {}) as Json);
        for (const ev of asm.message(obj)) yield ev;
        for (const ev of asm.end()) yield ev;
        return;
      }

      for await (const ev of a.events(res)) {
        if (ev.data.trim() === "") continue;
        for (const out of asm.event(parse(ev))) yield out;
        if (asm.stopped) break;
      }
      if (!asm.stopped) throw errors.make("upstream", "stream ended before message_stop", { transient: true });
      for (const ev of asm.end()) yield ev;
    } finally {
      a.dispose();
    }
  }

  return {
    id: cfg.id,
    api: "anthropic-messages",
    stream(req: CompletionRequest): AsyncIterable<StreamEvent> {
      const body = JSON.stringify(buildAnthropicBody(req, deps.defaultMaxTokens));
      return withRetries(cfg, deps, errors, req.signal, () => attempt(req, body));
    },
  };
}

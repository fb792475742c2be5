/**
 * Adapter for OpenAI-compatible chat completions (OpenAI, Ollama, vLLM, llama.cpp, LM Studio, …):
 * POST {baseUrl}/chat/completions with stream:true, read back as SSE; POST {baseUrl}/embeddings.
 */
import { Attempt, ErrorFactory, endpoint, isJsonResponse, observeResponse, parseEventJson, retryOnce, withRetries, type ProviderDeps } from "./transport.ts";
import type { SseEvent } from "./sse.ts";
import type {
  ChatMessage,
  CompletionRequest,
  FinishReason,
  Provider,
  ProviderConfig,
  ProviderError,
  StreamEvent,
  ToolCall,
  ToolChoice,
  ToolDefinition,
  Usage,
} from "./types.ts";

export type { ProviderDeps } from "./transport.ts";

type Json = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Request mapping

export function toOpenAIMessages(system: string | undefined, messages: ChatMessage[]): Json[] {
  const out: Json[] = [];
  if (system !== undefined && system !== "") out.push({ role: "system", content: system });
  for (const m of messages) {
    switch (m.role) {
      case "system":
      case "user":
        out.push({ role: m.role, content: m.content });
        break;
      case "assistant": {
        const calls = m.toolCalls ?? [];
        const msg: Json = { role: "assistant", content: calls.length > 0 && m.content === "" ? null : m.content };
        if (calls.length > 0) {
          msg.tool_calls = calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments || "{}" } }));
        }
        out.push(msg);
        break;
      }
      case "tool":
        out.push({ role: "tool", tool_call_id: m.toolCallId ?? "", content: m.content });
        break;
    }
  }
  return out;
}

export function toOpenAITools(tools: ToolDefinition[]): Json[] {
  return tools.map((t) => {
    const fn: Json = { name: t.name };
    if (t.description !== undefined) fn.description = t.description;
    fn.parameters = t.parameters ?? { type: "object", properties: {} };
    return { type: "function", function: fn };
  });
}

export function toOpenAIToolChoice(choice: ToolChoice): unknown {
  if (typeof choice === "string") return choice;
  return { type: "function", function: { name: choice.name } };
}

export function buildOpenAIBody(req: CompletionRequest): Json {
  const body: Json = {
    model: req.model,
    messages: toOpenAIMessages(req.system, req.messages),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (req.tools && req.tools.length > 0) body.tools = toOpenAITools(req.tools);
  if (req.toolChoice !== undefined) body.tool_choice = toOpenAIToolChoice(req.toolChoice);
  const s = req.sampling;
  if (s) {
    if (s.temperature !== undefined) body.temperature = s.temperature;
    if (s.topP !== undefined) body.top_p = s.topP;
    if (s.maxTokens !== undefined) body.max_tokens = s.maxTokens;
    if (s.stop !== undefined && s.stop.length > 0) body.stop = s.stop;
    if (s.seed !== undefined) body.seed = s.seed;
    if (s.frequencyPenalty !== undefined) body.frequency_penalty = s.frequencyPenalty;
    if (s.presencePenalty !== undefined) body.presence_penalty = s.presencePenalty;
    if (s.responseFormat !== undefined) body.response_format = s.responseFormat;
  }
  return body;
}

/**
 * `tools` as JSON, once per tool list: a turn offers the same list on every model call, and the
 * gateway's list (a dozen JSON schemas, most of every request's bytes) is kept per config snapshot.
 * Keyed by the list's identity, so a new list (another config, another agent) is encoded afresh.
 */
const toolsJsonCache = new WeakMap<ToolDefinition[], string>();

function toolsJson(tools: ToolDefinition[]): string {
  let json = toolsJsonCache.get(tools);
  if (json === undefined) {
    json = JSON.stringify(toOpenAITools(tools));
    toolsJsonCache.set(tools, json);
  }
  return json;
}

/** The request body as sent: the same text as JSON.stringify(buildOpenAIBody(req)), with `tools` spliced in already encoded. */
export function encodeOpenAIBody(req: CompletionRequest): string {
  if (!req.tools || req.tools.length === 0) return JSON.stringify(buildOpenAIBody(req));
  // buildOpenAIBody's keys come in this order: the first four, then tools, then the rest.
  const { model, messages, stream, stream_options, ...after } = buildOpenAIBody({ ...req, tools: undefined });
  const head = JSON.stringify({ model, messages, stream, stream_options });
  const rest = JSON.stringify(after);
  const tail = rest === "{}" ? "" : `,${rest.slice(1, -1)}`;
  return `${head.slice(0, -1)},"tools":${toolsJson(req.tools)}${tail}}`;
}

// ---------------------------------------------------------------------------------------------
// Response mapping

export function mapOpenAIFinish(reason: unknown): FinishReason {
  switch (reason) {
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    default:
      return "stop"; // "stop", "content_filter", missing, anything new
  }
}

/** The message and code of an OpenAI-shaped error body `{error: {message, type, code}}` (or `{error: "text"}`, `{message}`). */
export function openAIErrorInfo(body: unknown): { message?: string; code?: string } {
  if (!body || typeof body !== "object") return {};
  const b = body as Json;
  const e = b.error;
  if (typeof e === "string") return { message: e };
  if (e && typeof e === "object") {
    const eo = e as Json;
    const code = typeof eo.code === "string" ? eo.code : typeof eo.type === "string" ? eo.type : undefined;
    return { message: typeof eo.message === "string" ? eo.message : undefined, code };
  }
  if (typeof b.message === "string") return { message: b.message };
  return {};
}

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

/** Turns chat.completion.chunk objects into StreamEvents; tool-call fragments are joined by index. */
export class OpenAIStreamAssembler {
  private readonly calls = new Map<number, PartialCall>();
  private callsEmitted = false;
  private finish: unknown = undefined;
  private usage: Usage | undefined;
  private anyCalls = false;

  /** Events produced by one chunk. */
  chunk(c: Json): StreamEvent[] {
    const out: StreamEvent[] = [];
    const u = c.usage as Json | undefined | null;
    if (u && typeof u === "object") {
      this.usage = { inputTokens: num(u.prompt_tokens), outputTokens: num(u.completion_tokens) };
    }
    const choices = Array.isArray(c.choices) ? (c.choices as Json[]) : [];
    // We ask for one choice; ignore any other index a server might send.
    const choice = choices.find((x) => (x.index ?? 0) === 0);
    if (!choice) return out;
    const delta = (choice.delta ?? choice.message ?? {}) as Json;
    if (typeof delta.content === "string" && delta.content !== "") out.push({ type: "text", delta: delta.content });
    if (Array.isArray(delta.tool_calls)) {
      for (const [pos, raw] of (delta.tool_calls as Json[]).entries()) this.addCallDelta(typeof raw.index === "number" ? raw.index : pos, raw);
    }
    const fc = delta.function_call as Json | undefined;
    if (fc && typeof fc === "object") this.addCallDelta(0, { function: fc });
    if (choice.finish_reason !== undefined && choice.finish_reason !== null) {
      this.finish = choice.finish_reason;
      out.push(...this.flushCalls());
    }
    return out;
  }

  private addCallDelta(index: number, raw: Json): void {
    let call = this.calls.get(index);
    if (!call) {
      call = { id: "", name: "", arguments: "" };
      this.calls.set(index, call);
    }
    if (typeof raw.id === "string" && raw.id !== "") call.id = raw.id;
    const fn = (raw.function ?? {}) as Json;
    if (typeof fn.name === "string" && fn.name !== "") call.name = call.name && call.name !== fn.name ? call.name + fn.name : fn.name;
    if (typeof fn.arguments === "string") call.arguments += fn.arguments;
    else if (fn.arguments && typeof fn.arguments === "object") call.arguments += JSON.stringify(fn.arguments); // some servers send objects
  }

  /** The assembled tool calls, once (in index order). */
  flushCalls(): StreamEvent[] {
    if (this.callsEmitted) return [];
    this.callsEmitted = true;
    const out: StreamEvent[] = [];
    for (const [index, c] of [...this.calls.entries()].sort((a, b) => a[0] - b[0])) {
      const call: ToolCall = { id: c.id || `call_${index}`, name: c.name, arguments: c.arguments === "" ? "{}" : c.arguments };
      out.push({ type: "tool_call", call });
      this.anyCalls = true;
    }
    return out;
  }

  get sawFinish(): boolean {
    return this.finish !== undefined;
  }

  /** The closing events: any tool calls not yet emitted, then the finish. */
  end(): StreamEvent[] {
    const out = this.flushCalls();
    let reason = mapOpenAIFinish(this.finish);
    // Some servers (Ollama, older vLLM) answer tool calls with finish_reason "stop".
    if (this.anyCalls && reason === "stop") reason = "tool_calls";
    const fin: StreamEvent = this.usage ? { type: "finish", reason, usage: this.usage } : { type: "finish", reason };
    out.push(fin);
    return out;
  }
}

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

// ---------------------------------------------------------------------------------------------
// The provider

export function createOpenAICompletionsProvider(cfg: ProviderConfig, deps: ProviderDeps = {}): Provider {
  const errors = new ErrorFactory(cfg.id, cfg.apiKey);
  const fetchImpl = deps.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));

  const headers = (accept: string): Record<string, string> => {
    const h: Record<string, string> = { "content-type": "application/json", accept };
    if (cfg.apiKey) h.authorization = `Bearer ${cfg.apiKey}`;
    for (const [k, v] of Object.entries(cfg.headers ?? {})) h[k.toLowerCase()] = v;
    return h;
  };

  const httpError = (res: Response, text: string): ProviderError => errors.http(res.status, res.statusText, text, res.headers, openAIErrorInfo);

  /** An `{error: …}` object inside the stream (vLLM, LiteLLM, OpenRouter do this). */
  const streamError = (obj: Json): ProviderError => {
    const info = openAIErrorInfo(obj);
    const e = obj.error as Json | undefined;
    const code = typeof e?.code === "number" ? e.code : typeof e?.status === "number" ? e.status : undefined;
    const detail = `stream error: ${info.message ?? "unknown error"}`;
    if (code !== undefined && code >= 400) {
      return errors.make(
        code === 503 || code === 529 ? "overloaded" : code === 429 ? "rate_limit" : code >= 500 ? "upstream" : "bad_request",
        detail,
        { status: code, code: info.code, transient: code === 429 || code >= 500 },
      );
    }
    const t = `${info.code ?? ""}`;
    if (/rate_limit/i.test(t)) return errors.make("rate_limit", detail, { code: info.code, transient: true });
    if (/overload/i.test(t)) return errors.make("overloaded", detail, { code: info.code, transient: true });
    return errors.make("upstream", detail, { code: info.code, transient: true });
  };

  const parseChunk = (ev: SseEvent): Json => parseEventJson(ev, errors, "chunk");

  async function* attempt(req: CompletionRequest, body: string): AsyncGenerator<StreamEvent> {
    const { url, origin } = endpoint(cfg.baseUrl, "/chat/completions");
    const a = new Attempt(errors, cfg.timeoutMs, req.signal);
    try {
      const res = await a.send(fetchImpl, url, { method: "POST", headers: headers("text/event-stream"), body }, origin);
      observeResponse(deps, cfg.id, req.model, res);
      if (!res.ok) throw httpError(res, await a.errorText(res));
      const asm = new OpenAIStreamAssembler();

      if (isJsonResponse(res)) {
        // A server that ignored stream:true and answered with one chat.completion object.
        const text = await a.text(res);
        let obj: Json;
        try {
          obj = JSON.parse(text) as Json;
        } catch {
          throw errors.make("upstream", `malformed response: ${text.slice(0, 200)}`);
        }
        if (obj.error) throw streamError(obj);
        for (const ev of asm.chunk(obj)) yield ev;
        for (const ev of asm.end()) yield ev;
        return;
      }

      let done = false;
      for await (const ev of a.events(res)) {
        const data = ev.data.trim();
        if (data === "") continue;
        if (data === "[DONE]") {
          done = true;
          break;
        }
        const obj = parseChunk(ev);
        if (obj.error) throw streamError(obj);
        for (const out of asm.chunk(obj)) yield out;
      }
      if (!done && !asm.sawFinish) throw errors.make("upstream", "stream ended before the completion finished", { transient: true });
      for (const ev of asm.end()) yield ev;
    } finally {
      a.dispose();
    }
  }

  return {
    id: cfg.id,
    api: "openai-completions",

    stream(req: CompletionRequest): AsyncIterable<StreamEvent> {
      const body = encodeOpenAIBody(req);
      return withRetries(cfg, deps, errors, req.signal, () => attempt(req, body));
    },

    async embed(req: { model: string; input: string[]; dimensions?: number; signal?: AbortSignal }): Promise<number[][]> {
      if (req.input.length === 0) return [];
      const { url, origin } = endpoint(cfg.baseUrl, "/embeddings");
      const payload: Json = { model: req.model, input: req.input };
      if (req.dimensions !== undefined) payload.dimensions = req.dimensions;
      const body = JSON.stringify(payload);
      return retryOnce(cfg, deps, errors, req.signal, async () => {
        const a = new Attempt(errors, cfg.timeoutMs, req.signal);
        try {
          const res = await a.send(fetchImpl, url, { method: "POST", headers: headers("application/json"), body }, origin);
          if (!res.ok) throw httpError(res, await a.errorText(res));
          return parseEmbeddings(await a.text(res), req.input.length, errors);
        } finally {
          a.dispose();
        }
      });
    },
  };
}

function parseEmbeddings(text: string, count: number, errors: ErrorFactory): number[][] {
  let obj: Json;
  try {
    obj = JSON.parse(text) as Json;
  } catch {
    throw errors.make("upstream", `malformed embeddings response: ${text.slice(0, 200)}`);
  }
  const data = Array.isArray(obj.data) ? (obj.data as Json[]) : undefined;
  if (!data) throw errors.make("upstream", "embeddings response without data");
  const out: (number[] | undefined)[] = new Array(count).fill(undefined);
  for (const [pos, item] of data.entries()) {
    const index = typeof item.index === "number" ? item.index : pos;
    const vec = decodeEmbedding(item.embedding);
    if (index < 0 || index >= count || !vec) throw errors.make("upstream", `malformed embedding at index ${index}`);
    out[index] = vec;
  }
  const missing = out.findIndex((v) => v === undefined);
  if (missing !== -1) throw errors.make("upstream", `embeddings response is missing index ${missing} (${data.length} of ${count} vectors)`);
  return out as number[][];
}

/** An embedding as a number array, or as base64 little-endian float32 (encoding_format "base64"). */
function decodeEmbedding(v: unknown): number[] | undefined {
  if (Array.isArray(v) && v.every((x) => typeof x === "number")) return v as number[];
  if (typeof v === "string") {
    const bytes = Buffer.from(v, "base64");
    if (bytes.length % 4 !== 0) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
  }
  return undefined;
}

/**
 * Sampling and tool options of the chat request, checked in the published gateway's own words and
 * mapped onto the provider-neutral SamplingOptions / ToolDefinition / ToolChoice.
 */
import type { SamplingOptions, ToolChoice, ToolDefinition } from "../../agents/providers/types.ts";
import type { ChatCompletionRequest } from "./chat-schema.ts";

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const RANGES: [key: "temperature" | "top_p" | "frequency_penalty" | "presence_penalty", min: number, max: number, words: string][] = [
  ["temperature", 0, 2, "between 0 and 2"],
  ["top_p", 0, 1, "between 0 and 1"],
  ["frequency_penalty", -2, 2, "between -2.0 and 2.0"],
  ["presence_penalty", -2, 2, "between -2.0 and 2.0"],
];

const RESPONSE_FORMAT_TYPES = ["text", "json_object", "json_schema"];

export function chatSampling(req: ChatCompletionRequest): Checked<SamplingOptions> {
  for (const [key, min, max, words] of RANGES) {
    const v = req[key];
    if (v === undefined || v === null) continue;
    if (!Number.isFinite(v)) return { ok: false, message: `\`${key}\` must be a finite number.` };
    if (v < min || v > max) return { ok: false, message: `\`${key}\` must be ${words}.` };
  }
  if (req.seed != null && !Number.isInteger(req.seed)) return { ok: false, message: "`seed` must be an integer." };
  const stop = req.stop == null ? undefined : typeof req.stop === "string" ? [req.stop] : req.stop;
  if (stop && stop.length > 4) return { ok: false, message: "Invalid stop: stop supports at most 4 sequences" };
  const format = req.response_format;
  if (format !== undefined && format !== null) {
    const type = typeof format === "object" && !Array.isArray(format) ? (format as { type?: unknown }).type : undefined;
    if (typeof type !== "string" || !RESPONSE_FORMAT_TYPES.includes(type)) {
      return { ok: false, message: "Invalid response_format: response_format.type must be text, json_object, or json_schema" };
    }
  }

  const out: SamplingOptions = {};
  if (req.temperature != null) out.temperature = req.temperature;
  if (req.top_p != null) out.topP = req.top_p;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) out.maxTokens = maxTokens;
  if (stop?.length) out.stop = stop;
  if (req.seed != null) out.seed = req.seed;
  if (req.frequency_penalty != null) out.frequencyPenalty = req.frequency_penalty;
  if (req.presence_penalty != null) out.presencePenalty = req.presence_penalty;
  if (format != null) out.responseFormat = format as Record<string, unknown>;
  return { ok: true, value: out };
}

const toolError = (detail: string): { ok: false; message: string } => ({ ok: false, message: `Invalid tools/tool_choice: ${detail}` });

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export interface ClientTools {
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
}

/** OpenAI `tools` ({type:"function",function:{…}}) and `tool_choice` → the runtime's shapes. */
export function chatTools(rawTools: unknown[] | undefined, rawChoice: unknown): Checked<ClientTools> {
  const tools: ToolDefinition[] = [];
  for (const raw of rawTools ?? []) {
    const fn = isRecord(raw) && isRecord(raw.function) ? raw.function : undefined;
    if (!fn || typeof fn.name !== "string" || fn.name.trim() === "") return toolError("tool.function.name is required");
    const def: ToolDefinition = { name: fn.name };
    if (typeof fn.description === "string") def.description = fn.description;
    if (isRecord(fn.parameters)) def.parameters = fn.parameters;
    tools.push(def);
  }
  const out: ClientTools = {};
  if (tools.length) out.tools = tools;
  if (rawChoice === undefined || rawChoice === null) return { ok: true, value: out };
  if (rawChoice === "auto" || rawChoice === "none" || rawChoice === "required") {
    out.toolChoice = rawChoice;
    return { ok: true, value: out };
  }
  if (!isRecord(rawChoice)) return toolError("tool_choice must be auto, none, required, or a function");
  if (rawChoice.type === "allowed_tools") return toolError("tool_choice allowed_tools is not supported");
  const fn = isRecord(rawChoice.function) ? rawChoice.function : undefined;
  const name = typeof fn?.name === "string" ? fn.name : typeof rawChoice.name === "string" ? rawChoice.name : undefined;
  if (rawChoice.type !== "function" || !name) return toolError("tool_choice must be auto, none, required, or a function");
  if (!tools.some((t) => t.name === name)) return toolError(`tool_choice requested unknown tool: ${name}`);
  out.toolChoice = { name };
  return { ok: true, value: out };
}

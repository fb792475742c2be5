/**
 * Runs one tool call of the model inside a turn. Whatever happens (unknown name, arguments that
 * are not JSON or miss a required field, a throw, a hang, a huge result) becomes a result the
 * model reads and can react to; only the run's own abort propagates.
 */
import type { ToolCall } from "../providers/types.ts";
import type { AgentTool, ToolContext, ToolResult } from "./types.ts";
import { ToolInputError } from "./types.ts";

/** Tools without their own deadline (exec and web_fetch keep theirs) are cut off after this. */
export const DEFAULT_TOOL_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_RESULT_CHARS = 100_000;

export interface ToolOutcome {
  result: ToolResult;
  isError: boolean;
  /** The short error message, for events. */
  error?: string;
  args: Record<string, unknown>;
}

export function errorEnvelope(tool: string, message: string): ToolResult {
  return { content: [{ type: "text", text: JSON.stringify({ status: "error", tool, error: message }, null, 2) }], details: { status: "error", tool, error: message }, isError: true };
}

/** Arguments as the model sent them: a JSON object, or an error the model can fix. */
export function parseArguments(raw: string): { args: Record<string, unknown> } | { error: string } {
  if (raw.trim() === "") return { args: {} };
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return { error: `arguments are not valid JSON: ${raw.length > 200 ? `${raw.slice(0, 200)}…` : raw}` };
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) return { error: "arguments must be a JSON object" };
  return { args: v as Record<string, unknown> };
}

const JSON_TYPES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  integer: (v) => typeof v === "number" && Number.isInteger(v),
  number: (v) => typeof v === "number" && Number.isFinite(v),
  boolean: (v) => typeof v === "boolean",
  array: Array.isArray,
  object: (v) => v !== null && typeof v === "object" && !Array.isArray(v),
};

/**
 * The first-level checks of the tool's JSON schema (required keys, types, enums, unknown keys);
 * tools still validate what they read, this gives the model one clear message for the common slips.
 */
export function validateArguments(tool: AgentTool, args: Record<string, unknown>): string | undefined {
  const schema = tool.parameters as { properties?: Record<string, { type?: string | string[]; enum?: unknown[] }>; required?: string[]; additionalProperties?: boolean };
  const props = schema.properties ?? {};
  const missing = (schema.required ?? []).filter((k) => args[k] === undefined || args[k] === null);
  if (missing.length) return `missing required argument${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`;
  for (const [key, value] of Object.entries(args)) {
    const p = props[key];
    if (!p) {
      if (schema.additionalProperties === false) return `unknown argument: ${key}`;
      continue;
    }
    if (value === null || value === undefined) continue;
    const types = p.type === undefined ? [] : Array.isArray(p.type) ? p.type : [p.type];
    if (types.length && !types.some((t) => JSON_TYPES[t]?.(value) ?? true)) return `${key} must be ${types.join(" or ")}`;
    if (p.enum && !p.enum.includes(value)) return `${key} must be one of ${p.enum.map((e) => JSON.stringify(e)).join(", ")}`;
  }
  return undefined;
}

/** Keeps the head and says how much was cut: the model sees that it did not get everything. */
export function capResult(result: ToolResult, maxChars: number): ToolResult {
  const total = result.content.reduce((n, c) => n + c.text.length, 0);
  if (total <= maxChars) return result;
  const text = result.content.map((c) => c.text).join("\n");
  const cut = `${text.slice(0, maxChars)}\n\n[tool result truncated: ${text.length - maxChars} more characters not shown]`;
  return { ...result, content: [{ type: "text", text: cut }] };
}

export async function invokeTool(
  tool: AgentTool | undefined,
  call: ToolCall,
  ctx: ToolContext,
  opts: { maxResultChars: number },
): Promise<ToolOutcome> {
  if (!tool) {
    return { result: { content: [{ type: "text", text: `Tool ${call.name} not found` }], details: {}, isError: true }, isError: true, error: `Tool ${call.name} not found`, args: {} };
  }
  const parsed = parseArguments(call.arguments);
  if ("error" in parsed) return failed(call.name, parsed.error, {});
  const { args } = parsed;
  const invalid = validateArguments(tool, args);
  if (invalid) return failed(call.name, `Validation failed for tool "${call.name}": ${invalid}`, args);
  const timeoutMs = tool.timeoutMs === undefined ? DEFAULT_TOOL_TIMEOUT_MS : tool.timeoutMs;
  const own = new AbortController();
  const onRunAbort = () => own.abort(ctx.signal?.reason);
  ctx.signal?.addEventListener("abort", onRunAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const run = tool.execute(args, { ...ctx, signal: own.signal });
    const deadline = timeoutMs === null ? undefined : new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        own.abort(new Error("tool timed out"));
        reject(new ToolTimeout(timeoutMs));
      }, timeoutMs);
    });
    const aborted = new Promise<never>((_, reject) => {
      if (own.signal.aborted) reject(own.signal.reason);
      own.signal.addEventListener("abort", () => reject(own.signal.reason), { once: true });
    });
    aborted.catch(() => {});
    const result = await Promise.race(deadline ? [run, deadline, aborted] : [run, aborted]);
    const capped = capResult(result, opts.maxResultChars);
    return { result: capped, isError: !!capped.isError, args };
  } catch (err) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    if (err instanceof ToolTimeout) return failed(call.name, `tool timed out after ${Math.round(err.ms / 1000)} seconds`, args);
    const message = err instanceof ToolInputError || err instanceof Error ? err.message : String(err);
    return failed(call.name, message || "tool failed", args);
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener("abort", onRunAbort);
  }
}

class ToolTimeout extends Error {
  constructor(readonly ms: number) {
    super("tool timed out");
  }
}

function failed(tool: string, message: string, args: Record<string, unknown>): ToolOutcome {
  return { result: errorEnvelope(tool, message), isError: true, error: message, args };
}

/**
 * Tools the gateway can run on an operator's behalf (POST /tools/invoke today, agent tool calls
 * later). Domain code: a tool sees the AgentService and its session store, never HTTP.
 */
import type { AgentService } from "../types.ts";

export interface ToolContext {
  /** Sessions are read through `agents.sessions`. */
  agents: AgentService;
  /** The agent the call runs as, and its session (default: the agent's main session). */
  agentId: string;
  sessionKey: string;
  toolCallId: string;
  signal?: AbortSignal;
}

export interface ToolResult {
  content: { type: "text"; text: string }[];
  details: Record<string, unknown>;
}

export interface AgentTool {
  name: string;
  description: string;
  /** JSON Schema of `args`. */
  parameters: Record<string, unknown>;
  execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult>;
}

/** The caller's arguments are wrong; the message is safe to show them. */
export class ToolInputError extends Error {}

/** Tools answer with their details as pretty JSON text too, for model-facing transcripts. */
export function jsonResult(details: Record<string, unknown>): ToolResult {
  return { content: [{ type: "text", text: JSON.stringify(details, null, 2) }], details };
}

/**
 * The built-in tools, and which of them may be invoked directly over HTTP. Dangerous tools are
 * refused on that path no matter what; the operator can widen or narrow the list in config.
 */
import { agentsList, sessionsHistory, sessionsList, sessionsSend, sessionStatus } from "./session-tools.ts";
import { automationsTool } from "./automations.ts";
import { execTool } from "./exec/index.ts";
import { fsTools } from "./fs/index.ts";
import { messageTool } from "./message-tool.ts";
import { nodesTool } from "./nodes-tool.ts";
import { webFetchTool } from "./web-fetch.ts";
import type { AgentTool } from "./types.ts";

export type { AgentTool, ToolContext, ToolResult } from "./types.ts";
export { jsonResult, ToolInputError } from "./types.ts";

export interface ToolRegistry {
  get(name: string): AgentTool | undefined;
  list(): AgentTool[];
}

/** Every built-in tool, in the order the model is shown them. */
export function builtinTools(): AgentTool[] {
  return [
    ...fsTools, execTool, webFetchTool, agentsList, sessionsList, sessionsHistory, sessionsSend, sessionStatus,
    messageTool, nodesTool, automationsTool,
  ];
}

export function createToolRegistry(tools: readonly AgentTool[] = builtinTools()): ToolRegistry {
  const byName = new Map(tools.map((t) => [t.name, t]));
  return { get: (name) => byName.get(name), list: () => [...byName.values()] };
}

/**
 * Refused over POST /tools/invoke by default: they execute code, touch the host's files, or reach
 * other sessions and devices (the published gateway answers 404 for the same set).
 */
export const HTTP_DENIED_TOOLS: readonly string[] = [
  "exec",
  "process",
  "read",
  "write",
  "edit",
  "ls",
  "automations",
  "spawn",
  "shell",
  "fs_write",
  "fs_delete",
  "fs_move",
  "apply_patch",
  "sessions_spawn",
  "sessions_send",
  "cron",
  "gateway",
  "nodes",
];

export interface HttpToolPolicy {
  allow?: readonly string[];
  deny?: readonly string[];
}

/** `deny` always adds; `allow` lifts the default list only for an owner/admin caller. */
export function httpToolAllowed(name: string, policy: HttpToolPolicy | undefined, callerIsAdmin: boolean): boolean {
  if (policy?.deny?.includes(name)) return false;
  if (!HTTP_DENIED_TOOLS.includes(name)) return true;
  return callerIsAdmin && !!policy?.allow?.includes(name);
}

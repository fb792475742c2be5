/**
 * Tools the gateway runs for an agent's model (the tool loop) and for operators (POST /tools/invoke).
 * Domain code: a tool sees the AgentService, its session store and the narrow services below,
 * never HTTP or sockets. Services a gateway does not have (no channels, no nodes) are absent.
 */
import type { OpenClawConfig } from "../../config/schema.ts";
import type { AgentService } from "../types.ts";

export interface ToolContext {
  /** Sessions are read through `agents.sessions`. */
  agents: AgentService;
  /** The agent the call runs as, and its session (default: the agent's main session). */
  agentId: string;
  sessionKey: string;
  toolCallId: string;
  /** The run this call belongs to (absent for a direct operator call). */
  runId?: string;
  /** Aborted when the run is aborted or times out: a tool stops its work and rejects. */
  signal?: AbortSignal;
  /** The agent's workspace (absolute): relative paths of file tools and exec's cwd resolve here. */
  workspaceDir?: string;
  /** The config snapshot the turn started with. */
  config?: OpenClawConfig;
  /** Gateway capabilities; each is absent when the gateway has none (no channel, no node). */
  services?: ToolServices;
  /** Progress while the tool runs (streamed to clients; never sent to the model). */
  onProgress?: (p: ToolProgress) => void;
}

export type ToolProgress =
  /** A partial result (the `tool` stream's update phase). */
  | { kind: "partial"; content: ToolResult["content"]; details?: Record<string, unknown> }
  /** exec output as it arrives (the `command_output` stream). */
  | { kind: "output"; output: string }
  /** An exec approval was requested and the call now waits for an operator. */
  | { kind: "waiting-approval"; approvalId: string }
  | { kind: "approval-resolved"; approvalId: string; decision: ExecDecision | null };

export interface ToolResult {
  content: { type: "text"; text: string }[];
  details: Record<string, unknown>;
  /** The model sees the text either way; events mark the call failed. */
  isError?: boolean;
}

export interface AgentTool {
  name: string;
  description: string;
  /** JSON Schema of `args`. */
  parameters: Record<string, unknown>;
  /** Short human title for the `item` events ("Read notes/x.txt"); defaults to the tool name. */
  title?(args: Record<string, unknown>): string;
  /** True for tools that run shell commands (events' `commandBearing`). */
  commandBearing?: boolean;
  /** The loop's deadline for one call (default 120 s); null for tools that keep their own (exec). */
  timeoutMs?: number | null;
  execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult>;
}

/** The caller's arguments are wrong; the message is safe to show them. */
export class ToolInputError extends Error {}

/** Tools answer with their details as pretty JSON text too, for model-facing transcripts. */
export function jsonResult(details: Record<string, unknown>): ToolResult {
  return { content: [{ type: "text", text: JSON.stringify(details, null, 2) }], details };
}

export function textResult(text: string, details: Record<string, unknown> = {}, isError = false): ToolResult {
  return isError ? { content: [{ type: "text", text }], details, isError } : { content: [{ type: "text", text }], details };
}

// ---------------------------------------------------------------------------------------------
// Gateway services a tool may use. The gateway implements them; tests pass fakes.

export interface ToolServices {
  channels?: ChannelToolService;
  nodes?: NodeToolService;
  approvals?: ExecApprovalService;
  cron?: CronToolService;
}

/** The channel layer as the `message` tool needs it (same semantics as the send/poll/message.action RPCs). */
export interface ChannelToolService {
  configuredChannels(): string[];
  send(req: { channel?: string; accountId?: string; to: string; message?: string; mediaUrl?: string; replyTo?: string; threadId?: string; idempotencyKey: string }): Promise<{ channel: string; chatId: string; messageId: string }>;
  poll(req: { channel?: string; accountId?: string; to: string; question: string; options: string[]; maxSelections?: number; idempotencyKey: string }): Promise<{ channel: string; chatId: string; messageId: string }>;
  react(req: { channel?: string; accountId?: string; to: string; messageId: string; emoji: string }): Promise<{ ok: true }>;
}

/** Paired nodes as the `nodes` and `exec host=node` tools need them. */
export interface NodeToolService {
  /** node.list entries (connected and paired). */
  list(): Record<string, unknown>[];
  /** node.describe payload; throws ToolInputError for an unknown node. */
  describe(node: string): Record<string, unknown>;
  /** Resolves a node by id, name or prefix to its id; throws ToolInputError when none/ambiguous. */
  resolve(node: string): string;
  /** node.invoke; resolves with the node's answer, rejects with an Error whose message the model may see. */
  invoke(req: { nodeId: string; command: string; params?: unknown; timeoutMs?: number; signal?: AbortSignal }): Promise<{ ok: boolean; payload?: unknown; payloadJSON?: string | null; error?: { code?: string; message?: string } }>;
}

export type ExecDecision = "allow-once" | "allow-always" | "deny";
export type ExecSecurity = "deny" | "allowlist" | "full";
export type ExecAsk = "off" | "on-miss" | "always";

export interface ExecPolicy {
  security: ExecSecurity;
  ask: ExecAsk;
  askFallback: ExecSecurity;
}

/** What the exec tool asks an operator to approve (exec.approval.requested's `request`). */
export interface ExecApprovalInput {
  command: string;
  commandArgv?: string[];
  cwd?: string;
  host: "gateway" | "node";
  nodeId?: string | null;
  systemRunPlan?: Record<string, unknown> | null;
  resolvedPath?: string | null;
  security: ExecSecurity;
  ask: ExecAsk;
  agentId: string;
  sessionKey: string;
  runId?: string;
  toolCallId?: string;
  allowedDecisions: ExecDecision[];
  timeoutMs?: number;
}

/** Exec approvals: the host document (policy + allowlist) and the operator round trip. */
export interface ExecApprovalService {
  /** The effective policy: the stricter of what config requests and the host document says. */
  effectivePolicy(agentId: string, requested: { security: ExecSecurity; ask: ExecAsk }): ExecPolicy;
  /** Whether the agent's allowlist covers this command (argv[0] resolved to resolvedPath). */
  allowlisted(agentId: string, argv: string[], resolvedPath: string | null): boolean;
  /**
   * Asks the approval clients. Resolves with the decision, or null at once when no approval client
   * is connected ("no-approval-route") and at expiry. Aborting the signal closes the record as deny.
   */
  request(input: ExecApprovalInput, opts: { signal?: AbortSignal; onPending?: (approvalId: string) => void }): Promise<{ id: string; decision: ExecDecision | null; reason?: string }>;
  /** allow-always: remember the command in the agent's allowlist. */
  rememberAllowAlways(agentId: string, argv: string[], resolvedPath: string | null, command: string): void;
}

/** The automations/cron tool's view of the scheduler. */
export interface CronToolService {
  handle(action: string, args: Record<string, unknown>, ctx: { agentId: string; sessionKey: string }): Promise<Record<string, unknown>>;
}

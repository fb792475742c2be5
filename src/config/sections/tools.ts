/**
 * `tools.*` (and the same policy keys under `agents.defaults.tools` / `agents.entries.<id>.tools`):
 * which gateway tools an agent's model may call, and how `exec` is guarded. Key names follow the
 * published gateway so a config written for it loads here unchanged.
 */
import { z } from "zod";

export const TOOL_PROFILES = ["minimal", "coding", "messaging", "full"] as const;
export const EXEC_MODES = ["deny", "allowlist", "ask", "auto", "full"] as const;
export const EXEC_SECURITY = ["deny", "allowlist", "full"] as const;
export const EXEC_ASK = ["off", "on-miss", "always"] as const;

const BOTH_ALLOW_MESSAGE = "tools cannot set both allow and alsoAllow in the same scope (use allow for an exact list, alsoAllow to add to a profile)";

/** The fields every policy scope shares (global, per provider, per agent). */
function policyFields() {
  return {
    profile: z.enum(TOOL_PROFILES).optional().describe("Base tool set: minimal, coding, messaging or full (default full)"),
    allow: z.array(z.string()).optional().describe('Only these tools (names, "group:<name>" or * globs; case-insensitive)'),
    alsoAllow: z.array(z.string()).optional().describe("Tools added on top of the profile"),
    deny: z.array(z.string()).optional().describe("Tools never offered; deny wins over allow"),
  };
}

function noAllowAndAlsoAllow(v: { allow?: unknown; alsoAllow?: unknown }, ctx: z.RefinementCtx): void {
  if (v.allow !== undefined && v.alsoAllow !== undefined) ctx.addIssue({ code: "custom", message: BOTH_ALLOW_MESSAGE, path: ["alsoAllow"] });
}

function execFields() {
  return {
    mode: z.enum(EXEC_MODES).optional().describe("exec policy: deny, allowlist, ask (allowlist + ask on a miss), auto, full (default full)"),
    security: z.enum(EXEC_SECURITY).optional().describe("Legacy: deny, allowlist or full (read when mode is unset)"),
    ask: z.enum(EXEC_ASK).optional().describe("Legacy: off, on-miss or always (read when mode is unset)"),
    timeoutSeconds: z.number().min(0).optional().describe("Default exec deadline in seconds (default 1800; 0 = none)"),
    yieldMs: z.number().int().min(0).optional().describe("Accepted for compatibility: exec output is returned when the command ends"),
    node: z.string().optional().describe("Node (id or name) that exec host=node uses when several are paired"),
    host: z.enum(["auto", "sandbox", "gateway", "node"]).optional().describe("Where exec runs when the call does not say (default gateway)"),
    approvalRunningNoticeMs: z.number().int().min(0).optional().describe("Accepted for compatibility; no running notice is sent"),
    applyPatch: z
      .object({ workspaceOnly: z.boolean().optional().describe("Confine apply_patch to the workspace (default true)") })
      .strict()
      .optional()
      .describe("apply_patch settings"),
  };
}

function build() {
  const ExecSchema = z.object(execFields()).strict().describe("The exec tool: policy, deadline, node choice");
  const AgentToolsSchema = z
    .object({ ...policyFields(), exec: z.object({ mode: execFields().mode, security: execFields().security, ask: execFields().ask }).strict().optional().describe("Per-agent exec policy") })
    .strict()
    .superRefine(noAllowAndAlsoAllow)
    .describe("Tool policy of this agent; it can only narrow the global one");
  const ProviderToolsSchema = z.object(policyFields()).strict().superRefine(noAllowAndAlsoAllow);
  const ToolsSchema = z
    .object({
      ...policyFields(),
      byProvider: z.record(z.string(), ProviderToolsSchema).optional().describe('Policy per model provider id (or "provider/model")'),
      toolSearch: z.union([z.boolean(), z.string()]).optional().describe("Deferred tool search; this gateway always sends the allowed schemas directly"),
      fs: z
        .object({ workspaceOnly: z.boolean().optional().describe("Confine read/write/edit/ls to the agent's workspace (default false)") })
        .strict()
        .optional()
        .describe("File tools"),
      exec: ExecSchema.optional(),
      web: z
        .object({
          fetch: z
            .object({
              enabled: z.boolean().optional().describe("Offer web_fetch (default true)"),
              maxChars: z.number().int().min(100).optional().describe("Longest text handed to the model (default 50000)"),
              maxResponseBytes: z.number().int().min(1024).optional().describe("Largest body read (default 2 MiB)"),
              timeoutSeconds: z.number().positive().optional().describe("Deadline of one fetch (default 30)"),
              allowPrivateNetwork: z.boolean().optional().describe("Allow loopback/private/link-local targets (default false)"),
            })
            .strict()
            .optional()
            .describe("web_fetch settings"),
        })
        .strict()
        .optional()
        .describe("Web tools"),
      loopDetection: z
        .object({
          enabled: z.boolean().optional().describe("Stop a run that repeats the same tool call (default false)"),
          warningThreshold: z.number().int().min(2).optional().describe("Identical calls in a row before a warning is appended (default 10)"),
          criticalThreshold: z.number().int().min(3).optional().describe("Identical calls in a row that end the run (default 20)"),
        })
        .strict()
        .optional()
        .describe("Tool loop detection"),
      maxRounds: z.number().int().min(1).optional().describe("Most tool rounds in one turn (default: no cap; the run timeout ends it)"),
      maxResultChars: z.number().int().min(1000).optional().describe("Longest tool result handed back to the model (default 100000)"),
    })
    .strict()
    .superRefine(noAllowAndAlsoAllow)
    .describe("Gateway tools the agents' models may call");
  const CronSchema = z
    .object({
      enabled: z.boolean().optional().describe("Run scheduled jobs (default true)"),
      maxConcurrentRuns: z.number().int().min(1).optional().describe("Jobs running at once (default 1)"),
    })
    .strict()
    .describe("Scheduled agent jobs (the automations/cron tool)");
  return { tools: ToolsSchema, agentTools: AgentToolsSchema, cron: CronSchema };
}

let built: ReturnType<typeof build> | undefined;
/** Built on first use (z.lazy in the root schema): a config without tools never constructs it. */
export function toolsSchemas(): ReturnType<typeof build> {
  return (built ??= build());
}

export type ToolsConfig = z.infer<ReturnType<typeof build>["tools"]>;
export type AgentToolsConfig = z.infer<ReturnType<typeof build>["agentTools"]>;
export type CronConfig = z.infer<ReturnType<typeof build>["cron"]>;
export type ToolProfile = (typeof TOOL_PROFILES)[number];
export type ExecMode = (typeof EXEC_MODES)[number];
export type ExecSecurity = (typeof EXEC_SECURITY)[number];
export type ExecAsk = (typeof EXEC_ASK)[number];

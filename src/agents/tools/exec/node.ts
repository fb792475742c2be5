/**
 * `exec host=node`: the node prepares a plan (the exact argv and cwd it would run, running
 * nothing), the plan goes through the same policy and approval as a gateway command, then the
 * node runs exactly that plan through node.invoke `system.run`.
 */
import { pickNode } from "../node-target.ts";
import { ToolInputError, type ExecAsk, type ExecSecurity, type NodeToolService, type ToolContext, type ToolResult } from "../types.ts";
import { analyzeCommand } from "./analyze.ts";
import { runResult } from "./format.ts";
import { execGate } from "./policy.ts";

const PREPARE_TIMEOUT_MS = 15_000;
/** What node.invoke waits beyond the command's own deadline (the node reports a timeout itself). */
const INVOKE_SLACK_MS = 10_000;
const NO_DEADLINE_MS = 2 ** 31 - 1;

export interface NodeExecRequest {
  command: string;
  node?: string;
  workdir?: string;
  env?: Record<string, string>;
  timeoutSeconds: number;
  askArg?: ExecAsk;
}

const NO_NODE =
  "exec host=node requires a paired node (none available). Start one with `openclaw node run` on the machine that should run " +
  "commands, approve it with `openclaw nodes approve <requestId>`, or use host=gateway.";

function chooseNode(nodes: NodeToolService | undefined, query: string | undefined): { nodes: NodeToolService; nodeId: string } {
  if (!nodes) throw new ToolInputError(NO_NODE);
  const pick = pickNode(nodes, query, "system.run");
  if ("none" in pick) throw new ToolInputError(NO_NODE);
  if ("several" in pick) {
    throw new ToolInputError(`exec host=node: several nodes can run commands (${pick.several.join(", ")}); pass node=<id or name>, or set tools.exec.node.`);
  }
  return { nodes, nodeId: pick.nodeId };
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

const SECURITY = ["deny", "allowlist", "full"];
const ASK = ["off", "on-miss", "always"];

async function invokeOrFail(
  nodes: NodeToolService, nodeId: string, command: string, params: unknown, timeoutMs: number, signal: AbortSignal | undefined,
): Promise<Record<string, unknown>> {
  let answer: Awaited<ReturnType<NodeToolService["invoke"]>>;
  try {
    answer = await nodes.invoke({ nodeId, command, params, timeoutMs, ...(signal ? { signal } : {}) });
  } catch (err) {
    if (signal?.aborted) throw new Error("Aborted");
    throw new ToolInputError(`exec host=node: ${command} on node ${nodeId} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (signal?.aborted) throw new Error("Aborted");
  if (!answer.ok) {
    const e = answer.error;
    throw new ToolInputError(`exec host=node: ${command} on node ${nodeId} failed: ${e?.code ? `${e.code}: ` : ""}${e?.message ?? "unknown error"}`);
  }
  return record(answer.payload);
}

export async function execOnNode(ctx: ToolContext, req: NodeExecRequest): Promise<ToolResult> {
  const { nodes, nodeId } = chooseNode(ctx.services?.nodes, req.node);
  const argv = ["/bin/sh", "-lc", req.command];
  const base = {
    rawCommand: req.command, ...(req.workdir ? { cwd: req.workdir } : {}), ...(req.env ? { env: req.env } : {}),
    agentId: ctx.agentId, sessionKey: ctx.sessionKey,
  };
  const prepared = await invokeOrFail(nodes, nodeId, "system.run.prepare", { command: argv, ...base }, PREPARE_TIMEOUT_MS, ctx.signal);
  const plan = record(prepared.plan);
  if (!Array.isArray(plan.argv) || plan.argv.length === 0 || !plan.argv.every((a) => typeof a === "string")) {
    throw new ToolInputError(`exec host=node: node ${nodeId} answered system.run.prepare without a plan`);
  }
  const planArgv = plan.argv as string[];
  const cwd = typeof plan.cwd === "string" ? plan.cwd : (req.workdir ?? "");
  const nodePolicy = record(prepared.execPolicy);
  const hostPolicy: { security?: ExecSecurity; ask?: ExecAsk } = {};
  if (SECURITY.includes(String(nodePolicy.security))) hostPolicy.security = nodePolicy.security as ExecSecurity;
  if (ASK.includes(String(nodePolicy.ask))) hostPolicy.ask = nodePolicy.ask as ExecAsk;

  const gate = await execGate(ctx, {
    command: req.command, analysis: analyzeCommand(req.command), host: "node", cwd, nodeId, systemRunPlan: plan,
    // The binaries live on the node; only its own allowlist could resolve them.
    resolvePath: () => null, hostPolicy, ...(req.askArg ? { askArg: req.askArg } : {}),
  });
  if (!gate.run) return gate.result;

  const timeoutMs = req.timeoutSeconds > 0 ? Math.round(req.timeoutSeconds * 1000) : 0;
  const started = Date.now();
  const ran = await invokeOrFail(nodes, nodeId, "system.run", {
    command: planArgv, ...base, cwd: plan.cwd, systemRunPlan: plan, ...(timeoutMs > 0 ? { timeoutMs } : {}),
    approved: true, ...(gate.decision ? { approvalDecision: gate.decision } : {}),
  }, timeoutMs > 0 ? Math.min(timeoutMs + INVOKE_SLACK_MS, NO_DEADLINE_MS) : NO_DEADLINE_MS, ctx.signal);

  if (typeof ran.error === "string" && ran.error !== "") throw new ToolInputError(`exec host=node: ${ran.error}`);
  const stdout = typeof ran.stdout === "string" ? ran.stdout : "";
  const stderr = typeof ran.stderr === "string" ? ran.stderr : "";
  const output = stdout && stderr ? `${stdout.replace(/\n?$/, "\n")}${stderr}` : stdout || stderr;
  if (output !== "") ctx.onProgress?.({ kind: "output", output });
  return runResult(
    {
      output, exitCode: typeof ran.exitCode === "number" ? ran.exitCode : null, exitSignal: null, timedOut: ran.timedOut === true,
      timeoutSeconds: req.timeoutSeconds, droppedChars: 0, durationMs: Date.now() - started, cwd,
    },
    `Node: ${nodeId}\n\n`,
    { host: "node", nodeId, ...(ran.truncated === true ? { truncated: true } : {}), ...(gate.approvalId ? { approvalId: gate.approvalId } : {}) },
  );
}

/**
 * `exec`: one shell command on the gateway host (cwd = the agent's workspace) or on a paired node,
 * after the exec policy and, when it says so, an operator's approval. Output streams as it
 * arrives; the model gets it when the command ends.
 */
import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { optionalString, requiredString } from "../args.ts";
import { DEFAULT_MAX_RESULT_CHARS } from "../invoke.ts";
import { ToolInputError, type AgentTool, type ExecAsk, type ToolContext, type ToolResult } from "../types.ts";
import { analyzeCommand } from "./analyze.ts";
import { envArg, gatewayExecEnv } from "./env.ts";
import { runResult } from "./format.ts";
import { execOnNode } from "./node.ts";
import { execGate } from "./policy.ts";
import { MAX_OUTPUT_CHARS, runShell } from "./run.ts";

export const DEFAULT_EXEC_TIMEOUT_SECONDS = 1800;
const TITLE_MAX = 120;
/** Room left under the loop's result cap for the truncation note and the exit-code line. */
const RESULT_HEADROOM = 1_000;
const HOSTS = ["auto", "sandbox", "gateway", "node"] as const;
const ASKS = ["off", "on-miss", "always"] as const;

function optionalBool(args: Record<string, unknown>, key: string): boolean | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw new ToolInputError(`${key} must be true or false`);
  return v;
}

function optionalEnum<T extends string>(args: Record<string, unknown>, key: string, values: readonly T[]): T | undefined {
  const v = optionalString(args, key);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw new ToolInputError(`${key} must be one of ${values.join(", ")}`);
  return v as T;
}

function optionalSeconds(args: Record<string, unknown>, key: string): number | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new ToolInputError(`${key} must be a number >= 0`);
  return v;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** argv[0] as the binary it would run, in the command's own PATH and cwd. */
function resolveBinary(argv0: string, path: string | undefined, cwd: string): string | null {
  if (argv0.includes("/")) {
    const full = isAbsolute(argv0) ? argv0 : resolve(cwd, argv0);
    try {
      return statSync(full).isFile() ? full : null;
    } catch {
      return null;
    }
  }
  return Bun.which(argv0, { PATH: path ?? "", cwd });
}

function directory(path: string, what: string): string {
  try {
    if (statSync(path).isDirectory()) return path;
  } catch {
    // Reported below.
  }
  throw new ToolInputError(`${what} is not a directory: ${path}`);
}

async function execOnGateway(
  ctx: ToolContext, req: { command: string; workdir?: string; env?: Record<string, string>; timeoutSeconds: number; askArg?: ExecAsk },
): Promise<ToolResult> {
  const workspace = ctx.workspaceDir ?? process.cwd();
  const cwd = req.workdir ? directory(resolve(workspace, req.workdir), "workdir") : directory(workspace, "the workspace");
  const env = gatewayExecEnv(process.env, req.env);
  const gate = await execGate(ctx, {
    command: req.command, analysis: analyzeCommand(req.command), host: "gateway", cwd,
    resolvePath: (argv0) => resolveBinary(argv0, env.PATH, cwd), ...(req.askArg ? { askArg: req.askArg } : {}),
  });
  if (!gate.run) return gate.result;
  if (ctx.signal?.aborted) throw new Error("Aborted");
  // The loop keeps the head of an over-long result; the tail of a command's output matters more,
  // so the output is cut to fit before the loop would cut it.
  const resultCap = ctx.config?.tools?.maxResultChars ?? DEFAULT_MAX_RESULT_CHARS;
  const outcome = await runShell({
    command: req.command, cwd, env, timeoutMs: Math.round(req.timeoutSeconds * 1000),
    maxOutputChars: Math.max(RESULT_HEADROOM, Math.min(MAX_OUTPUT_CHARS, resultCap - RESULT_HEADROOM)),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.onProgress ? { onOutput: (output: string) => ctx.onProgress!({ kind: "output", output }) } : {}),
  });
  if (outcome.aborted) throw new Error("Aborted");
  if (outcome.spawnError) throw new ToolInputError(`exec: ${outcome.spawnError}`);
  return runResult({ ...outcome, timeoutSeconds: req.timeoutSeconds, cwd }, "", gate.approvalId ? { approvalId: gate.approvalId } : {});
}

export const execTool: AgentTool = {
  name: "exec",
  description:
    "Run a shell command (sh -lc) and return its combined stdout/stderr. Runs in the agent workspace on the gateway host " +
    "unless workdir or host=node says otherwise. A non-zero exit code is reported after the output; timeoutSeconds " +
    "(default 1800, 0 = none) kills the command and its children. The exec policy may require an operator's approval first.",
  parameters: {
    type: "object",
    properties: {
      command: { type: "string", description: "Shell command to run" },
      title: { type: "string", description: "Short label for the command (display only)" },
      workdir: { type: "string", description: "Working directory (relative paths resolve against the workspace)" },
      env: { type: "object", additionalProperties: { type: "string" }, description: "Extra environment variables" },
      yieldMs: { type: "integer", minimum: 0, description: "Accepted for compatibility; output is returned when the command ends" },
      background: { type: "boolean", description: "Accepted for compatibility; the command runs to completion" },
      timeoutSeconds: { type: "number", minimum: 0, description: "Kill the command after this many seconds (0 = no limit)" },
      pty: { type: "boolean", description: "Accepted for compatibility; commands run without a terminal" },
      elevated: { type: "boolean", description: "Accepted for compatibility; there is no sandbox to leave" },
      host: { type: "string", enum: [...HOSTS], description: "Where to run: gateway (default), node, or auto" },
      ask: { type: "string", enum: [...ASKS], description: "Ask an operator more often than the policy would (never less)" },
      node: { type: "string", description: "host=node: the node's id, name or id prefix" },
    },
    required: ["command"],
    additionalProperties: false,
  },
  commandBearing: true,
  // Its own deadline (timeoutSeconds) and the approval wait (up to 30 min) are not the loop's to cut.
  timeoutMs: null,
  title(args) {
    return typeof args.command === "string" && args.command.trim() !== "" ? clip(args.command.trim(), TITLE_MAX) : "exec";
  },
  async execute(args, ctx) {
    const command = requiredString(args, "command");
    optionalString(args, "title");
    const workdir = optionalString(args, "workdir");
    const env = envArg(args.env);
    for (const key of ["background", "pty", "elevated"]) optionalBool(args, key);
    optionalSeconds(args, "yieldMs");
    const timeoutSeconds = optionalSeconds(args, "timeoutSeconds") ?? ctx.config?.tools?.exec?.timeoutSeconds ?? DEFAULT_EXEC_TIMEOUT_SECONDS;
    const askArg = optionalEnum(args, "ask", ASKS);
    const node = optionalString(args, "node");
    // auto: wherever config sends commands by default (the gateway when it says nothing, or auto too).
    const asked = optionalEnum(args, "host", HOSTS) ?? "auto";
    const host = asked === "auto" ? (ctx.config?.tools?.exec?.host ?? "gateway") : asked;
    const req = { command, timeoutSeconds, ...(workdir ? { workdir } : {}), ...(env ? { env } : {}), ...(askArg ? { askArg } : {}) };
    if (host === "sandbox") throw new ToolInputError("exec host=sandbox is not available: this gateway has no sandbox (use host=gateway or host=node)");
    if (host === "node") {
      const nodeQuery = node ?? ctx.config?.tools?.exec?.node;
      return execOnNode(ctx, { ...req, ...(nodeQuery ? { node: nodeQuery } : {}) });
    }
    return execOnGateway(ctx, req);
  },
};

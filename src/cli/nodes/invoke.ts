/** `nodes invoke`: one command on one node through node.invoke, printed as the gateway answers it. */
import { parseIntArg, parseJsonObjectArg, timeoutArg, verb } from "../args.ts";
import type { CliContext } from "../context.ts";
import { CliError, UsageError } from "../errors.ts";
import { ADMIN, asCli, findNode, nodesCall, WRITE } from "./call.ts";
import { common, nodeArg } from "./verb.ts";

/** Shell execution has its own path (the exec tool, with approvals); this verb must not bypass it. */
export const RESERVED_COMMANDS: ReadonlySet<string> = new Set(["system.run", "system.run.prepare"]);

/** The gateway refuses these without operator.admin: they read files or reach a browser. */
export const ADMIN_COMMANDS: ReadonlySet<string> = new Set(["browser.proxy", "browser.proxy.upload.v1", "fs.listDir", "terminal.upload"]);

export const DEFAULT_INVOKE_TIMEOUT_MS = 15_000;
/** Room after the node's deadline, so the gateway's TIMEOUT answer arrives before we give up. */
const TRANSPORT_GRACE_MS = 10_000;

const invokeArgs = {
  ...common,
  ...timeoutArg(30_000),
  ...nodeArg,
  command: { type: "string", required: true, description: "The node command, e.g. system.which" },
  params: { type: "string", description: "Command params as a JSON object", default: "{}", valueHint: "json" },
  "invoke-timeout": { type: "string", description: "How long the node may take", default: String(DEFAULT_INVOKE_TIMEOUT_MS), valueHint: "ms" },
  "idempotency-key": { type: "string", description: "Idempotency key (a fresh uuid unless given)", valueHint: "key" },
} as const;

export interface InvokePlan {
  command: string;
  params: Record<string, unknown>;
  invokeTimeoutMs: number;
  transportTimeoutMs: number;
  idempotencyKey: string;
  scopes: string[];
}

/** Everything checkable without the gateway, checked before any connection is made. */
export function planInvoke(a: { command: string; params?: string; invokeTimeout?: string; timeout?: string; idempotencyKey?: string }): InvokePlan {
  const command = a.command.trim();
  if (!command) throw new UsageError("--command needs a value, e.g. --command system.which");
  if (RESERVED_COMMANDS.has(command)) {
    throw new CliError(`command "${command}" is reserved for shell execution; use the exec tool with host=node instead`);
  }
  const params = parseJsonObjectArg(a.params, "params");
  const invokeTimeoutMs = parseIntArg(a.invokeTimeout ?? String(DEFAULT_INVOKE_TIMEOUT_MS), "invoke-timeout", 1);
  const timeoutMs = parseIntArg(a.timeout ?? "30000", "timeout", 1);
  if (a.idempotencyKey === "") throw new UsageError("--idempotency-key must not be empty (leave it out for a fresh one)");
  return {
    command,
    params,
    invokeTimeoutMs,
    transportTimeoutMs: Math.max(timeoutMs, invokeTimeoutMs + TRANSPORT_GRACE_MS),
    idempotencyKey: a.idempotencyKey ?? crypto.randomUUID(),
    scopes: ADMIN_COMMANDS.has(command) ? [WRITE, ADMIN] : [WRITE],
  };
}

export function invokeCommand(ctx: CliContext) {
  return verb("invoke", "Run a command on a node (not system.run: use the exec tool with host=node)", invokeArgs, async (a) => {
    const plan = planInvoke({ ...a, invokeTimeout: a["invoke-timeout"], idempotencyKey: a["idempotency-key"] });
    const { nodeId } = await findNode(ctx, a, a.node);
    const res = await nodesCall(ctx, a, "node.invoke", {
      nodeId, command: plan.command, params: plan.params, idempotencyKey: plan.idempotencyKey, timeoutMs: plan.invokeTimeoutMs,
    }, asCli(...plan.scopes), { timeoutMs: plan.transportTimeoutMs });
    // The whole answer, human or --json: nodeId and command say which node answered what.
    ctx.io.json(res);
  });
}

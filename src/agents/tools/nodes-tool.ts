/**
 * `nodes`: the paired nodes as the model may use them — list and describe them, find binaries,
 * notify, and invoke node commands. Shell execution is exec's (host=node), so its policy and
 * approvals cannot be bypassed here; pairing decisions stay with the operator.
 */
import { optionalInt, optionalString, requiredString } from "./args.ts";
import { pickNode } from "./node-target.ts";
import { jsonResult, ToolInputError, type AgentTool, type NodeToolService, type ToolContext } from "./types.ts";

const ACTIONS = ["status", "describe", "pending", "approve", "reject", "notify", "which", "invoke"] as const;
type Action = (typeof ACTIONS)[number];
const RESERVED = new Set(["system.run", "system.run.prepare"]);
const MAX_INVOKE_TIMEOUT_MS = 10 * 60_000;

function service(ctx: ToolContext): NodeToolService {
  const nodes = ctx.services?.nodes;
  if (!nodes) throw new ToolInputError("nodes are not available on this gateway");
  return nodes;
}

function target(nodes: NodeToolService, action: Action, query: string | undefined, command: string): string {
  const pick = pickNode(nodes, query, command);
  if ("nodeId" in pick) return pick.nodeId;
  if ("none" in pick) {
    throw new ToolInputError(`nodes action=${action}: no connected node offers ${command}. Pair one with \`openclaw node run\` and approve it with \`openclaw nodes approve <requestId>\`.`);
  }
  throw new ToolInputError(`nodes action=${action}: several nodes offer ${command} (${pick.several.join(", ")}); pass node=<id or name>`);
}

async function invoke(nodes: NodeToolService, action: Action, req: Parameters<NodeToolService["invoke"]>[0]): Promise<Record<string, unknown>> {
  let r: Awaited<ReturnType<NodeToolService["invoke"]>>;
  try {
    r = await nodes.invoke(req);
  } catch (err) {
    if (req.signal?.aborted) throw new Error("Aborted");
    throw new ToolInputError(`nodes action=${action}: ${req.command} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!r.ok) throw new ToolInputError(`nodes action=${action}: ${req.command} failed: ${r.error?.code ? `${r.error.code}: ` : ""}${r.error?.message ?? "unknown error"}`);
  return { ok: true, nodeId: req.nodeId, command: req.command, payload: r.payload ?? null, payloadJSON: r.payloadJSON ?? null };
}

function stringList(args: Record<string, unknown>, key: string): string[] {
  const v = args[key];
  if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === "string" && s.trim() !== "")) {
    throw new ToolInputError(`${key} must be a non-empty array of names`);
  }
  return v.map((s: string) => s.trim());
}

function parseParams(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json);
  } catch (err) {
    throw new ToolInputError(`invokeParamsJson is not valid JSON: ${(err as Error).message}`);
  }
}

export const nodesTool: AgentTool = {
  name: "nodes",
  description:
    "Paired nodes (other machines running `openclaw node run`): status lists them, describe shows one, which finds binaries " +
    "on a node, notify shows a desktop notification, invoke runs a node command (not system.run: use exec with host=node).",
  parameters: {
    type: "object",
    properties: {
      action: { type: "string", enum: [...ACTIONS] },
      node: { type: "string", description: "Node id, name or id prefix" },
      requestId: { type: "string" },
      invokeCommand: { type: "string", description: "invoke: the node command, e.g. system.which" },
      invokeParamsJson: { type: "string", description: "invoke: the command's params as a JSON string" },
      invokeTimeoutMs: { type: "integer", minimum: 1 },
      bins: { type: "array", items: { type: "string" }, description: "which: binary names to look up" },
      title: { type: "string", description: "notify: title" },
      body: { type: "string", description: "notify: text" },
    },
    required: ["action"],
    additionalProperties: false,
  },
  // node.invoke has its own deadline (invokeTimeoutMs, default 30 s).
  timeoutMs: null,
  title(args) {
    return typeof args.action === "string" ? `nodes ${args.action}${typeof args.node === "string" ? ` ${args.node}` : ""}` : "nodes";
  },
  async execute(args, ctx) {
    const action = requiredString(args, "action") as Action;
    if (!ACTIONS.includes(action)) throw new ToolInputError(`Unknown action: ${action} (supported: ${ACTIONS.join(", ")})`);
    const query = optionalString(args, "node");
    if (action === "pending" || action === "approve" || action === "reject") {
      throw new ToolInputError(
        `nodes action=${action} is not available to agents: pairing a node is the operator's decision. ` +
        "Ask the operator to run `openclaw nodes pending`, then `openclaw nodes approve <requestId>` or `openclaw nodes reject <requestId>`.",
      );
    }
    const nodes = service(ctx);
    const signal = ctx.signal ? { signal: ctx.signal } : {};
    switch (action) {
      case "status":
        return jsonResult({ ts: Date.now(), nodes: nodes.list() });
      case "describe": {
        if (!query) throw new ToolInputError("node required");
        return jsonResult(nodes.describe(nodes.resolve(query)));
      }
      case "which": {
        const bins = stringList(args, "bins");
        const nodeId = target(nodes, action, query, "system.which");
        const r = await invoke(nodes, action, { nodeId, command: "system.which", params: { bins }, ...signal });
        const found = (r.payload as { bins?: unknown } | null)?.bins;
        return jsonResult({ nodeId, bins: found && typeof found === "object" ? found : {} });
      }
      case "notify": {
        const title = optionalString(args, "title");
        const body = optionalString(args, "body");
        if (!title && !body) throw new ToolInputError("title or body required");
        const nodeId = target(nodes, action, query, "system.notify");
        return jsonResult(await invoke(nodes, action, { nodeId, command: "system.notify", params: { ...(title ? { title } : {}), ...(body ? { body } : {}) }, ...signal }));
      }
      case "invoke": {
        const command = requiredString(args, "invokeCommand");
        if (RESERVED.has(command)) {
          throw new ToolInputError(`nodes action=invoke: invokeCommand "${command}" is reserved for shell execution; use exec with host=node instead`);
        }
        const params = parseParams(optionalString(args, "invokeParamsJson"));
        const timeoutMs = optionalInt(args, "invokeTimeoutMs", 1, MAX_INVOKE_TIMEOUT_MS);
        const nodeId = target(nodes, action, query, command);
        return jsonResult(await invoke(nodes, action, { nodeId, command, ...(params !== undefined ? { params } : {}), ...(timeoutMs ? { timeoutMs } : {}), ...signal }));
      }
    }
  },
};

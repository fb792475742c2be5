/**
 * `openclaw nodes status|list|pending|describe|approve|reject|remove|rename|invoke`: nodes and
 * their command surfaces on a running gateway, with the published CLI's verbs, texts and --json.
 */
import { defineCommand } from "citty";
import type { CliContext } from "../context.ts";
import { invokeCommand } from "./invoke.ts";
import { approveCommand, rejectCommand, removeCommand, renameCommand } from "./pairing.ts";
import { describeCommand, listCommand, pendingCommand, statusCommand } from "./views.ts";

export function createNodesCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "nodes", description: "Nodes on a running gateway: status, surface approval, rename, remove, invoke" },
    subCommands: {
      status: () => statusCommand(ctx),
      list: () => listCommand(ctx),
      pending: () => pendingCommand(ctx),
      describe: () => describeCommand(ctx),
      approve: () => approveCommand(ctx),
      reject: () => rejectCommand(ctx),
      remove: () => removeCommand(ctx),
      rename: () => renameCommand(ctx),
      invoke: () => invokeCommand(ctx),
    },
  });
}

/**
 * `openclaw approvals` (alias `exec-approvals`): pending exec approvals on a running gateway and
 * the gateway host's approvals document (policy and allowlists).
 */
import { defineCommand } from "citty";
import type { CliContext } from "../context.ts";
import { allowlistAddCommand, allowlistRemoveCommand, getCommand, setCommand } from "./document.ts";
import { approveCommand, denyCommand, pendingCommand, resolveCommand } from "./pending.ts";

export function createApprovalsCommand(ctx: CliContext, name = "approvals") {
  return defineCommand({
    meta: { name, description: "Exec approvals on a running gateway: pending prompts, decisions, policy and allowlists" },
    subCommands: {
      pending: () => pendingCommand(ctx, "pending"),
      list: () => pendingCommand(ctx, "list"),
      resolve: () => resolveCommand(ctx),
      approve: () => approveCommand(ctx),
      deny: () => denyCommand(ctx),
      get: () => getCommand(ctx),
      set: () => setCommand(ctx),
      allowlist: () =>
        defineCommand({
          meta: { name: "allowlist", description: "Edit an agent's allowlist (get, change, set with the hash read)" },
          subCommands: { add: () => allowlistAddCommand(ctx), remove: () => allowlistRemoveCommand(ctx) },
        }),
    },
  });
}

import { defineCommand } from "citty";
import { jsonArg, rejectUnknownFlags } from "../args.ts";
import type { CliContext } from "../context.ts";
import { createServiceManager } from "../../service/manager.ts";
import { runServiceAction } from "./service-action.ts";

const args = { ...jsonArg } as const;

/** `openclaw gateway restart`: restart the installed service through its manager. */
export function createGatewayRestartCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "restart", description: "Restart the gateway service" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      await runServiceAction(ctx, "restart", !!a.json, async (sc) => {
        const manager = await createServiceManager(sc);
        return { ...(await manager.restart()), manager };
      });
    },
  });
}

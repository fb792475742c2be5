import { defineCommand } from "citty";
import { jsonArg, rejectUnknownFlags } from "../args.ts";
import type { CliContext } from "../context.ts";
import { createServiceManager } from "../../service/manager.ts";
import { runServiceAction } from "./service-action.ts";

const args = { ...jsonArg } as const;

/** `openclaw gateway start`: start the installed service (and re-arm it after `stop --disable`). */
export function createGatewayStartCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "start", description: "Start the installed gateway service" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      await runServiceAction(ctx, "start", !!a.json, async (sc) => {
        const manager = await createServiceManager(sc);
        return { ...(await manager.start()), manager };
      });
    },
  });
}

import { defineCommand } from "citty";
import { jsonArg, rejectUnknownFlags } from "../args.ts";
import type { CliContext } from "../context.ts";
import { createServiceManager } from "../../service/manager.ts";
import { runServiceAction } from "./service-action.ts";

const args = {
  disable: { type: "boolean", description: "Also keep it from starting at boot/login until the next `gateway start`" },
  ...jsonArg,
} as const;

/** `openclaw gateway stop`: stop the service; stopping one that is not installed is a no-op. */
export function createGatewayStopCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "stop", description: "Stop the gateway service" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      await runServiceAction(ctx, "stop", !!a.json, async (sc) => {
        const manager = await createServiceManager(sc);
        return { ...(await manager.stop({ disable: !!a.disable })), manager };
      });
    },
  });
}

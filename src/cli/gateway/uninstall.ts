import { defineCommand } from "citty";
import { jsonArg, rejectUnknownFlags } from "../args.ts";
import type { CliContext } from "../context.ts";
import { envFilePath } from "../../service/identity.ts";
import { createServiceManager } from "../../service/manager.ts";
import { runServiceAction } from "./service-action.ts";
import { existsSync } from "node:fs";

const args = { ...jsonArg } as const;

/** `openclaw gateway uninstall`: stop the service and remove its definition; the secrets file stays. */
export function createGatewayUninstallCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "uninstall", description: "Stop the gateway service and remove it" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      await runServiceAction(ctx, "uninstall", !!a.json, async (sc) => {
        const manager = await createServiceManager(sc);
        const outcome = await manager.uninstall();
        const envFile = envFilePath(sc.paths);
        const kept = outcome.result === "uninstalled" && existsSync(envFile)
          ? [`Kept the secrets file ${envFile}; delete it if you no longer need its token.`]
          : [];
        return { ...outcome, hints: [...outcome.hints, ...kept], manager };
      });
    },
  });
}

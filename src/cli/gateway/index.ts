import { defineCommand } from "citty";
import type { CliContext } from "../context.ts";

/** `openclaw gateway <verb>`; main.ts turns a bare `openclaw gateway [flags]` into `gateway run`. */
export function createGatewayCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "gateway", description: "Run, inspect and call the gateway" },
    subCommands: {
      run: () => import("./run.ts").then((m) => m.default(ctx)),
      call: () => import("./call.ts").then((m) => m.createGatewayCallCommand(ctx)),
      health: () => import("./health.ts").then((m) => m.createGatewayHealthCommand(ctx)),
    },
  });
}

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
      status: () => import("./status.ts").then((m) => m.createGatewayStatusCommand(ctx)),
      install: () => import("./install.ts").then((m) => m.createGatewayInstallCommand(ctx)),
      uninstall: () => import("./uninstall.ts").then((m) => m.createGatewayUninstallCommand(ctx)),
      start: () => import("./start.ts").then((m) => m.createGatewayStartCommand(ctx)),
      stop: () => import("./stop.ts").then((m) => m.createGatewayStopCommand(ctx)),
      restart: () => import("./restart.ts").then((m) => m.createGatewayRestartCommand(ctx)),
      probe: () => import("./probe.ts").then((m) => m.createGatewayProbeCommand(ctx)),
      discover: () => import("./discover.ts").then((m) => m.createGatewayDiscoverCommand(ctx)),
    },
  });
}

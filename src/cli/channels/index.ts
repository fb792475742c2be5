/** `openclaw channels status|start|stop|login|logout`: chat channel accounts on a running gateway. */
import { defineCommand } from "citty";
import type { CliContext } from "../context.ts";

export function createChannelsCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "channels", description: "Chat channel accounts (Telegram, WhatsApp): status, start, stop, login, logout" },
    subCommands: {
      status: () => import("./status.ts").then((m) => m.statusCommand(ctx)),
      start: () => import("./lifecycle.ts").then((m) => m.startCommand(ctx)),
      stop: () => import("./lifecycle.ts").then((m) => m.stopCommand(ctx)),
      login: () => import("./login.ts").then((m) => m.loginCommand(ctx)),
      logout: () => import("./login.ts").then((m) => m.logoutCommand(ctx)),
    },
  });
}

/**
 * `openclaw channels status|start|stop`: chat channel accounts on a running gateway. (login/logout
 * for WhatsApp live with the WhatsApp adapter's RPCs.)
 */
import { defineCommand } from "citty";
import type { CliContext } from "../context.ts";

export function createChannelsCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "channels", description: "Chat channel accounts (Telegram, WhatsApp): status, start, stop" },
    subCommands: {
      status: () => import("./status.ts").then((m) => m.statusCommand(ctx)),
      start: () => import("./lifecycle.ts").then((m) => m.startCommand(ctx)),
      stop: () => import("./lifecycle.ts").then((m) => m.stopCommand(ctx)),
    },
  });
}

import { defineCommand } from "citty";
import { jsonArg, parseIntArg, rejectUnknownFlags } from "../args.ts";
import type { CliContext } from "../context.ts";
import { runInstall } from "../../service/install.ts";
import { runServiceAction } from "./service-action.ts";

const args = {
  port: { type: "string", description: "Port the service runs the gateway on (default: OPENCLAW_GATEWAY_PORT, gateway.port, else the profile's port)" },
  force: { type: "boolean", description: "Rewrite the service definition and restart it even if it is installed" },
  system: { type: "boolean", description: "Linux: install a systemd system unit in /etc/systemd/system (needs root) instead of a user unit" },
  "dry-run": { type: "boolean", description: "Print the files it would write (# file:) and the commands it would run (# run:); change nothing" },
  "allow-unconfigured": { type: "boolean", description: "Let the service start without a config file (gateway.mode=local assumed)" },
  ...jsonArg,
} as const;

/** `openclaw gateway install`: a systemd unit, LaunchAgent or Scheduled Task that keeps the gateway running. */
export function createGatewayInstallCommand(ctx: CliContext) {
  return defineCommand({
    meta: { name: "install", description: "Install the gateway as an OS service (systemd, launchd, Task Scheduler)" },
    args,
    async run({ args: a, rawArgs }) {
      rejectUnknownFlags(rawArgs, args);
      const port = a.port === undefined ? undefined : parseIntArg(a.port, "port", 1, 65535);
      await runServiceAction(ctx, "install", !!a.json, (sc) =>
        runInstall(sc, {
          scope: a.system ? "system" : "user",
          port,
          force: !!a.force,
          dryRun: !!a["dry-run"],
          allowUnconfigured: !!a["allow-unconfigured"],
        }),
      );
    },
  });
}

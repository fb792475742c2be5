/**
 * `gateway install` as a flow shared with `doctor --fix`: refuse conflicting managers, no-op when
 * installed (unless forced), build the plan, then either describe it (dry run) or write the files
 * and activate the service.
 */
import { existsSync } from "node:fs";
import { definitionPathFor, findSystemUnit, readInstalledDefinition } from "./definitions.ts";
import { writeServiceFiles } from "./files.ts";
import { ServiceError, kindOf, type ServiceContext, type ServiceScope } from "./identity.ts";
import { createServiceManager } from "./manager.ts";
import type { ActionOutcome, ServiceManager } from "./manager-core.ts";
import { buildInstallPlan, type InstallPlan } from "./plan.ts";

export interface InstallOptions {
  scope: ServiceScope;
  port?: number;
  force: boolean;
  dryRun: boolean;
  allowUnconfigured: boolean;
}

export interface InstallOutcome extends ActionOutcome {
  manager: ServiceManager;
  plan?: InstallPlan;
}

export const DUPLICATE_MANAGER_HINT =
  "Refusing to create or activate a user systemd unit with the same name because duplicate managers can restart-loop the gateway.";

/** A user unit must not shadow a system unit of the same profile (and the other way round). */
export function checkScopeConflict(sc: ServiceContext, scope: ServiceScope): void {
  if (kindOf(sc.platform) !== "systemd") return;
  if (scope === "user") {
    const system = findSystemUnit(sc);
    if (system) {
      throw new ServiceError(`System systemd unit ${system} already owns this gateway unit name.`, [
        DUPLICATE_MANAGER_HINT,
        "Manage it with: sudo systemctl <start|stop|restart> " + system.split("/").pop(),
        "Or reinstall it as root with: sudo openclaw gateway install --system --force",
      ]);
    }
  } else {
    const user = definitionPathFor(sc, "systemd", "user");
    if (existsSync(user)) {
      throw new ServiceError(`A user systemd unit ${user} already runs this gateway profile.`, [
        "Remove it first with: openclaw gateway uninstall",
      ]);
    }
  }
}

/** Refusals that no --force overrides. */
function checkInstallAllowed(sc: ServiceContext, scope: ServiceScope): void {
  const systemd = kindOf(sc.platform) === "systemd";
  if (scope === "system" && !systemd) throw new ServiceError("--system is only supported on Linux (systemd).");
  if (systemd && scope === "user" && sc.uid === 0 && sc.env.SUDO_USER?.trim()) {
    throw new ServiceError("Refusing a sudo-to-root systemd user-service install: it would land in root's user manager.", [
      "Run it as your user without sudo: openclaw gateway install",
      "Or install a system unit: sudo openclaw gateway install --system",
    ]);
  }
  checkScopeConflict(sc, scope);
}

export async function runInstall(sc: ServiceContext, opts: InstallOptions): Promise<InstallOutcome> {
  checkInstallAllowed(sc, opts.scope);
  const manager = await createServiceManager(sc, opts.scope);
  const installed = manager.isInstalled();
  if (installed && !opts.force) {
    return {
      ok: true, result: "already-installed", manager, commands: [], warnings: [],
      message: `Gateway service already installed: ${manager.definitionPath}`,
      hints: ["Reinstall with: openclaw gateway install --force"],
    };
  }
  const existing = installed ? readInstalledDefinition(manager.definitionPath, manager.kind) : undefined;
  const plan = buildInstallPlan(sc, {
    scope: opts.scope, port: opts.port, installedPort: existing?.port,
    allowUnconfigured: opts.allowUnconfigured, dryRun: opts.dryRun,
  });
  const hints = plan.envFile.generatedToken
    ? [`No gateway token was configured: generated one into ${plan.envFile.path} (mode 0600). Clients need it as OPENCLAW_GATEWAY_TOKEN or gateway.auth.token.`]
    : [];
  if (opts.dryRun) {
    return {
      ok: true, result: "dry-run", manager, plan, commands: manager.installCommands(installed), warnings: plan.warnings, hints: [],
      message: `Dry run: nothing was written or run.`,
    };
  }
  const undo = writeServiceFiles(plan.files);
  const outcome = await manager.activate(installed);
  if (!outcome.ok) {
    undo();
    return { ...outcome, manager, plan, warnings: [...plan.warnings, ...outcome.warnings, "Rolled back: the service files are as they were before."] };
  }
  return {
    ...outcome, manager, plan,
    warnings: [...plan.warnings, ...outcome.warnings],
    hints: [...hints, ...outcome.hints, "Check it with: openclaw gateway status"],
  };
}

/**
 * Picks the ServiceManager for this machine: systemd, launchd or Task Scheduler, each loaded on
 * first use. The interface and the shared helpers live in manager-core.ts, which the platform
 * modules import, so imports point one way: manager.ts → platform modules → manager-core.ts.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { findSystemUnit } from "./definitions.ts";
import { kindOf, systemdUnitName, userUnitDir, type ServiceContext, type ServiceScope } from "./identity.ts";
import type { ServiceManager } from "./manager-core.ts";

/**
 * The systemd scope for an action that does not say: the user unit if there is one, else a system
 * unit with our name, else user.
 */
export function defaultScope(sc: ServiceContext): ServiceScope {
  if (kindOf(sc.platform) !== "systemd") return "user";
  if (existsSync(join(userUnitDir(sc), systemdUnitName(sc.paths)))) return "user";
  return findSystemUnit(sc) ? "system" : "user";
}

export async function createServiceManager(sc: ServiceContext, scope: ServiceScope = defaultScope(sc)): Promise<ServiceManager> {
  switch (kindOf(sc.platform)) {
    case "systemd":
      return new (await import("./systemd.ts")).SystemdManager(sc, scope);
    case "launchd":
      return new (await import("./launchd.ts")).LaunchdManager(sc);
    case "schtasks":
      return new (await import("./schtasks.ts")).SchtasksManager(sc);
  }
}

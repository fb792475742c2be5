/**
 * Linux: a systemd user unit (`systemctl --user`) by default, a system unit with --system.
 *   install   daemon-reload → enable --now <unit>        (rewrite: daemon-reload → enable → restart)
 *   start     reset-failed → enable --now                 (undoes `stop --disable`)
 *   stop      stop            (--disable: disable --now)
 *   restart   reset-failed → restart
 *   uninstall disable --now → remove the unit → daemon-reload
 *   runtime   is-enabled, show --property …
 */
import { existsSync, rmSync } from "node:fs";
import { definitionPathFor, findSystemUnit } from "./definitions.ts";
import type { ExecResult } from "./exec.ts";
import { firstLine, NOT_FOUND } from "./exec.ts";
import { systemdUnitName, type ServiceContext, type ServiceScope } from "./identity.ts";
import { CommandLog, notInstalled, type ActionOutcome, type RuntimeStatus, type ServiceManager } from "./manager-core.ts";

const SHOW_PROPERTIES = "Id,LoadState,ActiveState,SubState,Result,NRestarts,MainPID,ExecMainStatus,ExecMainCode";

const UNAVAILABLE = /Failed to connect to bus|No medium found|System has not been booted with systemd|not been booted/i;

export function systemdUnavailableHints(r: ExecResult): string[] {
  if (r.code !== NOT_FOUND && !UNAVAILABLE.test(`${r.stderr}\n${r.stdout}`)) return [];
  return [
    "systemd user services are unavailable here; run the gateway under your own supervisor or in the foreground: openclaw gateway run",
    "If you're in a container, run the gateway in the foreground instead of installing a service.",
  ];
}

export class SystemdManager implements ServiceManager {
  readonly kind = "systemd";
  readonly label = "systemd";
  readonly loadedText = "enabled";
  readonly notLoadedText = "disabled";
  readonly name: string;
  readonly definitionPath: string;

  constructor(private readonly sc: ServiceContext, readonly scope: ServiceScope) {
    this.name = systemdUnitName(sc.paths);
    this.definitionPath = scope === "system" ? findSystemUnit(sc) ?? definitionPathFor(sc, "systemd", "system") : definitionPathFor(sc, "systemd", "user");
  }

  private ctl(...args: string[]): string[] {
    return this.scope === "user" ? ["systemctl", "--user", ...args] : ["systemctl", ...args];
  }

  isInstalled(): boolean {
    return existsSync(this.definitionPath);
  }

  installCommands(rewrite: boolean): string[][] {
    return rewrite
      ? [this.ctl("daemon-reload"), this.ctl("enable", this.name), this.ctl("restart", this.name)]
      : [this.ctl("daemon-reload"), this.ctl("enable", "--now", this.name)];
  }

  private async sequence(log: CommandLog, commands: string[][]): Promise<ActionOutcome | undefined> {
    for (const argv of commands) {
      const r = await log.run(argv);
      if (r.code !== 0) return log.failure(argv, r, systemdUnavailableHints(r));
    }
    return undefined;
  }

  async activate(rewrite: boolean): Promise<ActionOutcome> {
    const log = new CommandLog(this.sc.exec);
    const failed = await this.sequence(log, this.installCommands(rewrite));
    if (failed) return failed;
    const hints = this.scope === "user" ? await lingerHints(this.sc, log) : [];
    const where = this.scope === "user" ? "systemd service" : "systemd system service";
    return log.outcome("installed", `Installed ${where}: ${this.definitionPath}`, { hints });
  }

  async uninstall(): Promise<ActionOutcome> {
    if (!this.isInstalled()) return { ...notInstalled(this, "uninstall"), message: `Systemd service not found at ${this.definitionPath}` };
    const log = new CommandLog(this.sc.exec);
    const warnings: string[] = [];
    const disable = this.ctl("disable", "--now", this.name);
    const r = await log.run(disable);
    if (r.code !== 0) warnings.push(`${disable.join(" ")}: ${firstLine(r)}`);
    rmSync(this.definitionPath, { force: true });
    const reload = this.ctl("daemon-reload");
    const rr = await log.run(reload);
    if (rr.code !== 0) warnings.push(`${reload.join(" ")}: ${firstLine(rr)}`);
    return log.outcome("uninstalled", `Removed systemd service: ${this.definitionPath}`, { warnings });
  }

  async start(): Promise<ActionOutcome> {
    if (!this.isInstalled()) return notInstalled(this, "start");
    const log = new CommandLog(this.sc.exec);
    await log.run(this.ctl("reset-failed", this.name));
    const failed = await this.sequence(log, [this.ctl("enable", "--now", this.name)]);
    return failed ?? log.outcome("started", `Started systemd service: ${this.name}`);
  }

  async stop(opts: { disable: boolean }): Promise<ActionOutcome> {
    if (!this.isInstalled()) return notInstalled(this, "stop");
    const log = new CommandLog(this.sc.exec);
    const argv = opts.disable ? this.ctl("disable", "--now", this.name) : this.ctl("stop", this.name);
    const failed = await this.sequence(log, [argv]);
    if (failed) return failed;
    const message = opts.disable ? `Stopped and disabled systemd service: ${this.name}` : `Stopped systemd service: ${this.name}`;
    return log.outcome("stopped", message, opts.disable ? { hints: ["Start (and re-enable) it with: openclaw gateway start"] } : {});
  }

  async restart(): Promise<ActionOutcome> {
    if (!this.isInstalled()) return notInstalled(this, "restart");
    const log = new CommandLog(this.sc.exec);
    await log.run(this.ctl("reset-failed", this.name));
    const failed = await this.sequence(log, [this.ctl("restart", this.name)]);
    return failed ?? log.outcome("restarted", `Restarted systemd service: ${this.name}`);
  }

  async runtime(): Promise<RuntimeStatus> {
    const log = new CommandLog(this.sc.exec);
    const enabled = await log.run(this.ctl("is-enabled", this.name));
    const show = await log.run(this.ctl("show", this.name, "--no-pager", `--property=${SHOW_PROPERTIES}`));
    if (show.code !== 0) return { status: "unknown", loaded: null, detail: firstLine(show), commands: log.commands };
    const props = parseProperties(show.stdout);
    const active = props.ActiveState ?? "";
    const status = active === "active" || active === "reloading" || active === "activating" ? "running"
      : active === "inactive" || active === "failed" || active === "deactivating" ? "stopped" : "unknown";
    const out: RuntimeStatus = { status, loaded: enabled.stdout.trim().startsWith("enabled"), state: active, commands: log.commands };
    if (props.SubState) out.subState = props.SubState;
    const pid = Number(props.MainPID);
    if (Number.isInteger(pid) && pid > 0) out.pid = pid;
    const exit = Number(props.ExecMainStatus);
    if (props.ExecMainStatus !== undefined && props.ExecMainStatus !== "" && Number.isInteger(exit)) out.lastExitStatus = exit;
    if (props.Result && props.Result !== "success") out.detail = `result ${props.Result}`;
    return out;
  }
}

function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** `loginctl show-user <user> -p Linger`: without lingering a user service stops at logout. */
export async function lingerHints(sc: ServiceContext, log: CommandLog): Promise<string[]> {
  const r = await log.run(["loginctl", "show-user", sc.user, "-p", "Linger"]);
  // Only a definite "no" counts: without logind (containers) nothing can be said.
  if (!/Linger=no/.test(r.stdout) && !/not logged in or lingering/i.test(r.stderr)) return [];
  return [`Lingering is off for ${sc.user}: the user service stops at logout. Enable it with: sudo loginctl enable-linger ${sc.user}`];
}

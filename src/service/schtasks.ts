/**
 * Windows: a Scheduled Task that runs `<stateDir>\gateway.cmd` at logon; when Task Scheduler
 * refuses (no rights), a per-user Startup-folder item that starts the same script.
 *   install   (rewrite: /End) → /Create /F /TN <name> /XML <xml> → /Run /TN <name>
 *   start     /Change /TN <name> /ENABLE → /Run /TN <name>   (Startup item: launch it)
 *   stop      /End /TN <name>   (--disable: then /Change /TN <name> /DISABLE)
 *   restart   /End → /Run
 *   uninstall /End → /Delete /F /TN <name> → remove script, XML and Startup item
 *   runtime   /Query /TN <name> /FO LIST /V
 */
import { existsSync, rmSync } from "node:fs";
import { definitionPathFor } from "./definitions.ts";
import type { ExecResult } from "./exec.ts";
import { firstLine, TIMED_OUT } from "./exec.ts";
import { writeServiceFiles } from "./files.ts";
import { startupItemPath, taskScriptPath, taskXmlPath, windowsTaskName, type ServiceContext } from "./identity.ts";
import { CommandLog, notInstalled, type ActionOutcome, type RuntimeStatus, type ServiceManager } from "./manager-core.ts";
import { windowsArg } from "./render.ts";
import { renderTemplate } from "./templates.ts";

/** When creating the task is refused, the Startup folder is the fallback. */
function denied(r: ExecResult): boolean {
  const text = `${r.stderr}\n${r.stdout}`;
  return r.code === TIMED_OUT || /access is denied|acceso denegado|zugriff verweigert|accès refusé/i.test(text) || (r.code === 1 && text.trim() === "");
}

function missingTask(r: ExecResult): boolean {
  return /cannot find|does not exist|no se puede encontrar|kann nicht gefunden/i.test(`${r.stderr}\n${r.stdout}`);
}

export class SchtasksManager implements ServiceManager {
  readonly kind = "schtasks";
  readonly scope = "user";
  readonly label = "Scheduled Task";
  readonly loadedText = "registered";
  readonly notLoadedText = "missing";
  readonly name: string;
  readonly definitionPath: string;

  constructor(private readonly sc: ServiceContext) {
    this.name = windowsTaskName(sc.paths);
    this.definitionPath = definitionPathFor(sc, "schtasks", "user");
  }

  private tn(...args: string[]): string[] {
    return ["schtasks", ...args, "/TN", this.name];
  }

  private launchStartupItem(): string[] {
    return ["cmd.exe", "/d", "/c", "start", "", "/min", startupItemPath(this.sc)];
  }

  isInstalled(): boolean {
    return existsSync(this.definitionPath);
  }

  installCommands(rewrite: boolean): string[][] {
    const create = ["schtasks", "/Create", "/F", "/TN", this.name, "/XML", taskXmlPath(this.sc.paths)];
    return [...(rewrite ? [this.tn("/End")] : []), create, this.tn("/Run")];
  }

  async activate(rewrite: boolean): Promise<ActionOutcome> {
    const log = new CommandLog(this.sc.exec);
    const commands = this.installCommands(rewrite);
    const [create, run] = commands.slice(-2) as [string[], string[]];
    if (rewrite) await log.run(commands[0]!); // /End of a task that is not running fails harmlessly
    const created = await log.run(create);
    if (created.code !== 0) {
      if (!denied(created)) return log.failure(create, created, elevationHints());
      return this.installStartupItem(log, firstLine(created));
    }
    rmSync(startupItemPath(this.sc), { force: true });
    const started = await log.run(run);
    if (started.code !== 0) return log.failure(run, started);
    return log.outcome("installed", `Installed Scheduled Task: ${this.name}`, { hints: [`Task script: ${this.definitionPath}`] });
  }

  private async installStartupItem(log: CommandLog, reason: string): Promise<ActionOutcome> {
    const path = startupItemPath(this.sc);
    const content = renderTemplate("startup-item.cmd", {
      description: windowsTaskName(this.sc.paths).replaceAll("%", "%%"),
      script: windowsArg(taskScriptPath(this.sc.paths)),
    });
    writeServiceFiles([{ path, content, mode: 0o644, encoding: "utf8" }]);
    const r = await log.run(this.launchStartupItem());
    const warnings = [`Scheduled Task creation was refused (${reason}); installed a Startup-folder login item instead.`];
    if (r.code !== 0) warnings.push(`Could not start it now: ${firstLine(r)}`);
    return log.outcome("installed", `Installed Windows login item: ${path}`, { warnings, hints: [`Task script: ${this.definitionPath}`] });
  }

  private usesStartupItem(): boolean {
    return existsSync(startupItemPath(this.sc));
  }

  async uninstall(): Promise<ActionOutcome> {
    if (!this.isInstalled() && !this.usesStartupItem()) return notInstalled(this, "uninstall");
    const log = new CommandLog(this.sc.exec);
    await log.run(this.tn("/End"));
    const del = ["schtasks", "/Delete", "/F", "/TN", this.name];
    const r = await log.run(del);
    if (r.code !== 0 && !missingTask(r) && !this.usesStartupItem()) return log.failure(del, r, elevationHints());
    for (const p of [startupItemPath(this.sc), taskXmlPath(this.sc.paths), this.definitionPath]) rmSync(p, { force: true });
    return log.outcome("uninstalled", `Removed Scheduled Task: ${this.name}`, { hints: [`Removed task script: ${this.definitionPath}`] });
  }

  async start(): Promise<ActionOutcome> {
    if (!this.isInstalled()) return notInstalled(this, "start");
    const log = new CommandLog(this.sc.exec);
    if (this.usesStartupItem()) {
      const r = await log.run(this.launchStartupItem());
      return r.code === 0 ? log.outcome("started", `Started Windows login item: ${startupItemPath(this.sc)}`) : log.failure(this.launchStartupItem(), r);
    }
    for (const argv of [this.tn("/Change", "/ENABLE"), this.tn("/Run")]) {
      const r = await log.run(argv);
      if (r.code !== 0) return log.failure(argv, r, elevationHints());
    }
    return log.outcome("started", `Started Scheduled Task: ${this.name}`);
  }

  async stop(opts: { disable: boolean }): Promise<ActionOutcome> {
    if (!this.isInstalled()) return notInstalled(this, "stop");
    const log = new CommandLog(this.sc.exec);
    const end = await log.run(this.tn("/End"));
    if (end.code !== 0 && !missingTask(end) && !/not running|no se está ejecutando/i.test(firstLine(end))) {
      return log.failure(this.tn("/End"), end);
    }
    if (opts.disable) {
      const d = await log.run(this.tn("/Change", "/DISABLE"));
      if (d.code !== 0) return log.failure(this.tn("/Change", "/DISABLE"), d, elevationHints());
    }
    const message = opts.disable ? `Stopped and disabled Scheduled Task: ${this.name}` : `Stopped Scheduled Task: ${this.name}`;
    return log.outcome("stopped", message);
  }

  async restart(): Promise<ActionOutcome> {
    if (!this.isInstalled()) return notInstalled(this, "restart");
    const log = new CommandLog(this.sc.exec);
    await log.run(this.tn("/End"));
    const r = await log.run(this.tn("/Run"));
    return r.code === 0 ? log.outcome("restarted", `Restarted Scheduled Task: ${this.name}`) : log.failure(this.tn("/Run"), r);
  }

  async runtime(): Promise<RuntimeStatus> {
    const log = new CommandLog(this.sc.exec);
    const r = await log.run(["schtasks", "/Query", "/TN", this.name, "/FO", "LIST", "/V"]);
    if (r.code !== 0) {
      if (missingTask(r)) {
        const detail = this.usesStartupItem() ? `Startup-folder login item: ${startupItemPath(this.sc)}` : undefined;
        return { status: "unknown", loaded: false, ...(detail ? { detail } : {}), commands: log.commands };
      }
      return { status: "unknown", loaded: null, detail: firstLine(r), commands: log.commands };
    }
    const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, "mi").exec(r.stdout)?.[1]?.trim();
    const state = field("Status");
    const out: RuntimeStatus = {
      status: state === undefined ? "unknown" : /^running$/i.test(state) ? "running" : "stopped",
      loaded: true,
      commands: log.commands,
    };
    if (state) out.state = state;
    if (/disabled/i.test(field("Scheduled Task State") ?? "")) out.detail = "task disabled";
    const last = Number(field("Last Result"));
    if (field("Last Result") !== undefined && Number.isInteger(last)) out.lastExitStatus = last;
    return out;
  }
}

function elevationHints(): string[] {
  return ["If Task Scheduler refuses, rerun from an elevated PowerShell, or run the gateway in the foreground: openclaw gateway run"];
}

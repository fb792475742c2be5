/**
 * macOS: a per-user LaunchAgent in the gui/<uid> domain.
 *   install   (rewrite: bootout <target>) → enable <target> → bootstrap gui/<uid> <plist>
 *   start     enable <target> → kickstart <target>   (not loaded: bootstrap, then kickstart)
 *   stop      (--disable: disable <target>) → bootout <target>
 *   restart   enable <target> → kickstart -k <target> (not loaded: bootstrap)
 *   uninstall bootout <target> → remove the plist
 *   runtime   print <target>
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { definitionPathFor } from "./definitions.ts";
import type { ExecResult } from "./exec.ts";
import { firstLine } from "./exec.ts";
import { launchdLabel, launchdLogPath, type ServiceContext } from "./identity.ts";
import { CommandLog, notInstalled, type ActionOutcome, type RuntimeStatus, type ServiceManager } from "./manager-core.ts";

/** launchctl's "no such service" answers (113 = ESRCH-like "Could not find service", 3 = "No such process"). */
function notLoaded(r: ExecResult): boolean {
  return r.code === 113 || r.code === 3 || /could not find service|no such process|not loaded/i.test(`${r.stderr}\n${r.stdout}`);
}

export class LaunchdManager implements ServiceManager {
  readonly kind = "launchd";
  readonly scope = "user";
  readonly label = "LaunchAgent";
  readonly loadedText = "loaded";
  readonly notLoadedText = "not loaded";
  readonly name: string;
  readonly definitionPath: string;
  private readonly domain: string;
  private readonly target: string;

  constructor(private readonly sc: ServiceContext) {
    this.name = launchdLabel(sc.paths);
    this.definitionPath = definitionPathFor(sc, "launchd", "user");
    this.domain = `gui/${sc.uid}`;
    this.target = `${this.domain}/${this.name}`;
  }

  isInstalled(): boolean {
    return existsSync(this.definitionPath);
  }

  private bootstrap(): string[] {
    return ["launchctl", "bootstrap", this.domain, this.definitionPath];
  }

  installCommands(rewrite: boolean): string[][] {
    const enable = ["launchctl", "enable", this.target];
    return rewrite ? [["launchctl", "bootout", this.target], enable, this.bootstrap()] : [enable, this.bootstrap()];
  }

  async activate(rewrite: boolean): Promise<ActionOutcome> {
    const log = new CommandLog(this.sc.exec);
    mkdirSync(dirname(launchdLogPath(this.sc)), { recursive: true });
    for (const argv of this.installCommands(rewrite)) {
      const r = await log.run(argv);
      // Booting out a job that is not loaded is fine; anything else failing is not.
      if (r.code !== 0 && !(argv[1] === "bootout" && notLoaded(r))) return log.failure(argv, r, guiHints(r));
    }
    return log.outcome("installed", `Installed LaunchAgent: ${this.definitionPath}`, { hints: [`Logs: ${launchdLogPath(this.sc)}`] });
  }

  async uninstall(): Promise<ActionOutcome> {
    if (!this.isInstalled()) return { ...notInstalled(this, "uninstall"), message: `LaunchAgent not found at ${this.definitionPath}` };
    const log = new CommandLog(this.sc.exec);
    const r = await log.run(["launchctl", "bootout", this.target]);
    if (r.code !== 0 && !notLoaded(r)) return log.failure(["launchctl", "bootout", this.target], r);
    rmSync(this.definitionPath, { force: true });
    return log.outcome("uninstalled", `Removed LaunchAgent: ${this.definitionPath}`);
  }

  private async kickstart(log: CommandLog, kill: boolean): Promise<ActionOutcome | undefined> {
    const enable = ["launchctl", "enable", this.target];
    const e = await log.run(enable);
    if (e.code !== 0) return log.failure(enable, e, guiHints(e));
    const kick = ["launchctl", "kickstart", ...(kill ? ["-k"] : []), this.target];
    const r = await log.run(kick);
    if (r.code === 0) return undefined;
    if (!notLoaded(r)) return log.failure(kick, r, guiHints(r));
    // Not loaded (booted out by `stop`): load it again; RunAtLoad starts it.
    const b = await log.run(this.bootstrap());
    if (b.code !== 0) return log.failure(this.bootstrap(), b, guiHints(b));
    return undefined;
  }

  async start(): Promise<ActionOutcome> {
    if (!this.isInstalled()) return notInstalled(this, "start");
    const log = new CommandLog(this.sc.exec);
    return (await this.kickstart(log, false)) ?? log.outcome("started", `Started LaunchAgent: ${this.target}`);
  }

  async restart(): Promise<ActionOutcome> {
    if (!this.isInstalled()) return notInstalled(this, "restart");
    const log = new CommandLog(this.sc.exec);
    return (await this.kickstart(log, true)) ?? log.outcome("restarted", `Restarted LaunchAgent: ${this.target}`);
  }

  async stop(opts: { disable: boolean }): Promise<ActionOutcome> {
    if (!this.isInstalled()) return notInstalled(this, "stop");
    const log = new CommandLog(this.sc.exec);
    const warnings: string[] = [];
    if (opts.disable) {
      const d = await log.run(["launchctl", "disable", this.target]);
      if (d.code !== 0) warnings.push(`Warning: launchctl disable failed; used bootout without persisting disable: ${firstLine(d)}`);
    }
    const argv = ["launchctl", "bootout", this.target];
    const r = await log.run(argv);
    if (r.code !== 0 && notLoaded(r)) return log.outcome("not-loaded", `LaunchAgent was not loaded: ${this.target}`, { warnings });
    if (r.code !== 0) return log.failure(argv, r, [`Try it by hand: launchctl bootout ${this.target}`]);
    const message = opts.disable ? `Stopped and disabled LaunchAgent: ${this.target}` : `Stopped LaunchAgent: ${this.target}`;
    return log.outcome("stopped", message, { warnings });
  }

  async runtime(): Promise<RuntimeStatus> {
    const log = new CommandLog(this.sc.exec);
    const r = await log.run(["launchctl", "print", this.target]);
    if (r.code !== 0) {
      if (notLoaded(r)) return { status: "stopped", loaded: false, commands: log.commands };
      return { status: "unknown", loaded: null, detail: firstLine(r), commands: log.commands };
    }
    const field = (name: string) => new RegExp(`^\\s*${name} = (.+)$`, "m").exec(r.stdout)?.[1]?.trim();
    const state = field("state");
    const out: RuntimeStatus = { status: state === "running" ? "running" : state ? "stopped" : "unknown", loaded: true, commands: log.commands };
    if (state) out.state = state;
    const pid = Number(field("pid"));
    if (Number.isInteger(pid) && pid > 0) out.pid = pid;
    const exit = Number(field("last exit code"));
    if (field("last exit code") !== undefined && Number.isInteger(exit)) out.lastExitStatus = exit;
    return out;
  }
}

function guiHints(r: ExecResult): string[] {
  if (!/gui|session|domain/i.test(`${r.stderr}\n${r.stdout}`)) return [];
  return ["LaunchAgents need a logged-in macOS GUI session; for a headless Mac run the gateway under your own LaunchDaemon."];
}

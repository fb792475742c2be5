/**
 * One interface over systemd, launchd and Task Scheduler (ServiceManager): each action returns what
 * it ran and how it went (ActionOutcome); nothing here prints. Also the helpers the platform
 * managers share to run commands and build outcomes. The platform modules (systemd.ts,
 * launchd.ts, schtasks.ts) import this and never manager.ts; manager.ts, the factory, imports them.
 */
import type { ExecResult, ServiceManagerExec } from "./exec.ts";
import { firstLine, formatArgv, NOT_FOUND } from "./exec.ts";
import type { ServiceKind, ServiceScope } from "./identity.ts";

export type ActionName = "install" | "uninstall" | "start" | "stop" | "restart";
export type ActionResultCode =
  | "installed" | "already-installed" | "dry-run" | "uninstalled" | "not-installed"
  | "started" | "stopped" | "not-loaded" | "restarted" | "failed";

export interface ActionOutcome {
  ok: boolean;
  result: ActionResultCode;
  message: string;
  error?: string;
  commands: string[][];
  warnings: string[];
  hints: string[];
}

export interface RuntimeStatus {
  /** What the supervisor says about the process, independent of whether the gateway answers. */
  status: "running" | "stopped" | "unknown";
  /** systemd: enabled; launchd: loaded; Task Scheduler: task registered. null when unknown. */
  loaded: boolean | null;
  state?: string;
  subState?: string;
  pid?: number;
  lastExitStatus?: number;
  detail?: string;
  commands: string[][];
}

export interface ServiceManager {
  readonly kind: ServiceKind;
  readonly scope: ServiceScope;
  /** Unit name, launchd label or task name. */
  readonly name: string;
  /** "systemd", "LaunchAgent", "Scheduled Task". */
  readonly label: string;
  readonly loadedText: string;
  readonly notLoadedText: string;
  readonly definitionPath: string;
  isInstalled(): boolean;
  /** The commands install runs after writing files (`rewrite`: a definition was already there). */
  installCommands(rewrite: boolean): string[][];
  activate(rewrite: boolean): Promise<ActionOutcome>;
  uninstall(): Promise<ActionOutcome>;
  start(): Promise<ActionOutcome>;
  stop(opts: { disable: boolean }): Promise<ActionOutcome>;
  restart(): Promise<ActionOutcome>;
  runtime(): Promise<RuntimeStatus>;
}

/** Runs commands for one action and keeps the list of what ran. */
export class CommandLog {
  readonly commands: string[][] = [];
  constructor(private readonly exec: ServiceManagerExec) {}

  async run(argv: string[]): Promise<ExecResult> {
    this.commands.push(argv);
    return this.exec.run(argv);
  }

  /** An outcome for a failed command, with the tool's own words. */
  failure(argv: string[], r: ExecResult, hints: string[] = []): ActionOutcome {
    const missing = r.code === NOT_FOUND ? [`${argv[0]} was not found on PATH; is this machine's service manager available?`] : [];
    return {
      ok: false, result: "failed", message: `${formatArgv(argv)} failed`,
      error: `${formatArgv(argv)} failed: ${firstLine(r)}`, commands: this.commands, warnings: [], hints: [...missing, ...hints],
    };
  }

  outcome(result: ActionResultCode, message: string, extra: Partial<ActionOutcome> = {}): ActionOutcome {
    return { ok: true, result, message, commands: this.commands, warnings: [], hints: [], ...extra };
  }
}

export function notInstalled(m: ServiceManager, action: ActionName): ActionOutcome {
  const ok = action === "stop" || action === "uninstall";
  return {
    ok, result: "not-installed", message: `Gateway service not installed (${m.label} ${m.name}; no ${m.definitionPath}).`,
    ...(ok ? {} : { error: "Gateway service not installed." }),
    commands: [], warnings: [], hints: ok ? [] : ["Install it with: openclaw gateway install", "Or run it in the foreground: openclaw gateway run"],
  };
}

/**
 * One interface over systemd, launchd and Task Scheduler. Each action returns what it ran and how
 * it went; nothing here prints. The platform modules implement it with the exact command sequences.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { findSystemUnit } from "./definitions.ts";
import type { ExecResult, ServiceManagerExec } from "./exec.ts";
import { firstLine, formatArgv, NOT_FOUND } from "./exec.ts";
import { kindOf, systemdUnitName, userUnitDir, type ServiceContext, type ServiceKind, type ServiceScope } from "./identity.ts";
import type { ServiceFile } from "./plan.ts";

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

/**
 * Writes the files and returns an undo: each file back to its previous bytes and mode, or removed
 * if it did not exist, so a failed activation leaves the machine as it was.
 */
export function writeServiceFiles(files: readonly ServiceFile[]): () => void {
  const previous = files.map((f) => {
    try {
      return { path: f.path, data: readFileSync(f.path), mode: statSync(f.path).mode & 0o777 };
    } catch {
      return { path: f.path, data: null, mode: 0 };
    }
  });
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true, mode: f.secret ? 0o700 : 0o755 });
    const data = f.encoding === "utf16le" ? Buffer.from(`\uFEFF${f.content}`, "utf16le") : f.content;
    writeFileSync(f.path, data, { mode: f.mode });
    // The mode given to writeFileSync only applies to a new file.
    chmodSync(f.path, f.mode);
  }
  return () => {
    for (const p of previous) {
      if (p.data === null) rmSync(p.path, { force: true });
      else {
        writeFileSync(p.path, p.data);
        chmodSync(p.path, p.mode);
      }
    }
  };
}

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

/**
 * Definition files per manager: where they live, how they are rendered from the templates, and how
 * an installed one is read back (command, environment, env file) for status and drift checks.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  launchAgentsDir, launchdLabel, launchdLogPath, serviceDescription, systemdUnitName, systemUnitDirs,
  taskScriptPath, taskXmlPath, userUnitDir, windowsTaskName,
  type ServiceContext, type ServiceKind, type ServiceScope,
} from "./identity.ts";
import type { ServiceFile } from "./files.ts";
import {
  cmdArg, cmdSetLine, parseSystemdExec, splitCmdLine, splitSystemdWords, systemdEnvironmentLine, systemdExecArg,
  systemdValue, windowsArg, xmlEscape, xmlUnescape,
} from "./render.ts";
import { renderTemplate } from "./templates.ts";

export interface RenderInput {
  kind: ServiceKind;
  scope: ServiceScope;
  programArguments: string[];
  environment: Array<[string, string]>;
  envFile: string;
}

export function definitionPathFor(sc: ServiceContext, kind: ServiceKind, scope: ServiceScope): string {
  if (kind === "systemd") {
    return join(scope === "system" ? systemUnitDirs(sc)[0]! : userUnitDir(sc), systemdUnitName(sc.paths));
  }
  if (kind === "launchd") return join(launchAgentsDir(sc), `${launchdLabel(sc.paths)}.plist`);
  return taskScriptPath(sc.paths);
}

/** The system unit with our name, wherever systemd would find one. */
export function findSystemUnit(sc: ServiceContext): string | undefined {
  const name = systemdUnitName(sc.paths);
  return systemUnitDirs(sc).map((d) => join(d, name)).find((p) => existsSync(p));
}

function cmdExe(sc: ServiceContext): string {
  const root = sc.env.SystemRoot?.trim() || sc.env.windir?.trim() || "C:\\Windows";
  return `${root}\\System32\\cmd.exe`;
}

function windowsUserId(sc: ServiceContext): string {
  const user = sc.env.USERNAME?.trim() || sc.user;
  const domain = sc.env.USERDOMAIN?.trim();
  return domain && domain.toUpperCase() !== "WORKGROUP" ? `${domain}\\${user}` : user;
}

function renderSystemd(sc: ServiceContext, input: RenderInput): string {
  const vars: Record<string, string> = {
    description: systemdValue(serviceDescription(sc.paths)),
    execStart: input.programArguments.map(systemdExecArg).join(" "),
    envFile: systemdValue(input.envFile),
    environment: input.environment.map(([k, v]) => systemdEnvironmentLine(k, v)).join("\n"),
  };
  if (input.scope === "user") return renderTemplate("systemd-user.service", vars);
  return renderTemplate("systemd-system.service", {
    ...vars,
    user: systemdValue(sc.env.SUDO_USER?.trim() || sc.user),
    workingDirectory: systemdValue(sc.paths.stateDir),
  });
}

function renderPlist(sc: ServiceContext, input: RenderInput): string {
  return renderTemplate("launchd.plist", {
    label: xmlEscape(launchdLabel(sc.paths)),
    description: xmlEscape(serviceDescription(sc.paths)),
    programArguments: input.programArguments.map((a) => `<string>${xmlEscape(a)}</string>`).join("\n"),
    environment: input.environment.map(([k, v]) => `<key>${xmlEscape(k)}</key>\n<string>${xmlEscape(v)}</string>`).join("\n"),
    workingDirectory: xmlEscape(sc.paths.stateDir),
    logPath: xmlEscape(launchdLogPath(sc)),
  });
}

function renderTaskScript(sc: ServiceContext, input: RenderInput): string {
  return renderTemplate("gateway.cmd", {
    description: serviceDescription(sc.paths).replaceAll("%", "%%"),
    environment: [...input.environment, ["OPENCLAW_WINDOWS_TASK_NAME", windowsTaskName(sc.paths)]]
      .map(([k, v]) => cmdSetLine(k!, v!))
      .join("\n"),
    command: input.programArguments.map((a, i) => (i === 0 ? `"${a.replaceAll("%", "%%")}"` : cmdArg(a))).join(" "),
  });
}

function renderTaskXml(sc: ServiceContext): string {
  const user = `<UserId>${xmlEscape(windowsUserId(sc))}</UserId>`;
  return renderTemplate("schtasks.xml", {
    description: xmlEscape(serviceDescription(sc.paths)),
    triggerPrincipal: user,
    principal: user,
    command: xmlEscape(cmdExe(sc)),
    arguments: xmlEscape(`/d /c ${windowsArg(taskScriptPath(sc.paths))}`),
    workingDirectory: xmlEscape(sc.paths.stateDir),
  });
}

export function renderDefinition(sc: ServiceContext, input: RenderInput): { definitionPath: string; files: ServiceFile[] } {
  const definitionPath = definitionPathFor(sc, input.kind, input.scope);
  const file = (path: string, content: string, encoding: ServiceFile["encoding"] = "utf8"): ServiceFile => ({ path, content, mode: 0o644, encoding });
  if (input.kind === "systemd") return { definitionPath, files: [file(definitionPath, renderSystemd(sc, input))] };
  if (input.kind === "launchd") return { definitionPath, files: [file(definitionPath, renderPlist(sc, input))] };
  return {
    definitionPath,
    files: [file(definitionPath, renderTaskScript(sc, input)), file(taskXmlPath(sc.paths), renderTaskXml(sc), "utf16le")],
  };
}

// ------------------------------------------------------------------ reading back

export interface InstalledDefinition {
  path: string;
  content: string;
  programArguments: string[];
  environment: Record<string, string>;
  envFile?: string;
  port?: number;
  allowUnconfigured: boolean;
}

function parseSystemdUnit(content: string): Pick<InstalledDefinition, "programArguments" | "environment" | "envFile"> {
  const out: Pick<InstalledDefinition, "programArguments" | "environment" | "envFile"> = { programArguments: [], environment: {} };
  for (const raw of content.split(/\r?\n/)) {
    const line = raw.trim();
    const eq = line.indexOf("=");
    if (eq === -1 || line.startsWith("#") || line.startsWith(";")) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === "ExecStart") out.programArguments = parseSystemdExec(value.replace(/^[-@:+!]+/, ""));
    else if (key === "EnvironmentFile") out.envFile = value.replace(/^-/, "").replaceAll("%%", "%");
    else if (key === "Environment") {
      for (const word of splitSystemdWords(value)) {
        const i = word.indexOf("=");
        if (i > 0) out.environment[word.slice(0, i)] = word.slice(i + 1).replaceAll("%%", "%");
      }
    }
  }
  return out;
}

function plistSection(content: string, key: string, tag: "array" | "dict"): string {
  const m = new RegExp(`<key>${key}</key>\\s*<${tag}>([\\s\\S]*?)</${tag}>`).exec(content);
  return m?.[1] ?? "";
}

function parsePlist(content: string): Pick<InstalledDefinition, "programArguments" | "environment" | "envFile"> {
  const programArguments = [...plistSection(content, "ProgramArguments", "array").matchAll(/<string>([\s\S]*?)<\/string>/g)].map((m) => xmlUnescape(m[1]!));
  const environment: Record<string, string> = {};
  for (const m of plistSection(content, "EnvironmentVariables", "dict").matchAll(/<key>([\s\S]*?)<\/key>\s*<string>([\s\S]*?)<\/string>/g)) {
    environment[xmlUnescape(m[1]!)] = xmlUnescape(m[2]!);
  }
  return { programArguments, environment, envFile: environment.OPENCLAW_ENV_FILE };
}

function parseTaskScript(content: string): Pick<InstalledDefinition, "programArguments" | "environment" | "envFile"> {
  const environment: Record<string, string> = {};
  let command = "";
  for (const raw of content.split(/\r?\n/)) {
    const line = raw.trim();
    const set = /^set "([^=]+)=(.*)"$/i.exec(line);
    if (set) environment[set[1]!] = set[2]!.replaceAll("%%", "%");
    else if (line !== "" && !/^(@echo|rem\b)/i.test(line)) command = line;
  }
  const programArguments = splitCmdLine(command.replace(/\s*<\s*NUL$/i, ""));
  return { programArguments, environment, envFile: environment.OPENCLAW_ENV_FILE };
}

export function readInstalledDefinition(path: string, kind: ServiceKind): InstalledDefinition | undefined {
  let content: string;
  try {
    content = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const parsed = kind === "systemd" ? parseSystemdUnit(content) : kind === "launchd" ? parsePlist(content) : parseTaskScript(content);
  const i = parsed.programArguments.indexOf("--port");
  const port = i === -1 ? undefined : Number(parsed.programArguments[i + 1]);
  return {
    path, content, ...parsed,
    port: port !== undefined && Number.isInteger(port) ? port : undefined,
    allowUnconfigured: parsed.programArguments.includes("--allow-unconfigured"),
  };
}

/**
 * `gateway status --deep`: other gateway-like services on this machine (best effort). A definition
 * counts when it mentions openclaw/clawdbot/moltbot together with "gateway" and is neither the
 * current service nor another OpenClaw profile's service (those are first-class, not strays).
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { firstLine } from "./exec.ts";
import {
  launchAgentsDir, launchdLabel, systemdUnitName, systemUnitDirs, userUnitDir, windowsTaskName,
  type ServiceContext, type ServicePlatform, type ServiceScope,
} from "./identity.ts";

export interface ExtraService {
  platform: ServicePlatform;
  /** Unit file name, launchd label or task name. */
  label: string;
  scope: ServiceScope;
  /** Definition file, when there is one. */
  path: string | null;
  detail: string;
  /** clawdbot/moltbot-era names. */
  legacy: boolean;
  hints: string[];
}

const MENTIONS = /openclaw|clawdbot|moltbot/i;
const LEGACY = /clawdbot|moltbot|^bot\.molt\.|^com\.openclaw\./i;
const MARKER = /OPENCLAW_SERVICE_MARKER[=<"\s/>a-z]*openclaw/i;

function gatewayLike(text: string): boolean {
  return MENTIONS.test(text) && /gateway/i.test(text);
}

function filesIn(dir: string, ext: string): Array<{ path: string; content: string }> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(ext)).sort();
  } catch {
    return [];
  }
  const out: Array<{ path: string; content: string }> = [];
  for (const name of names) {
    try {
      out.push({ path: join(dir, name), content: readFileSync(join(dir, name), "utf8") });
    } catch {
      // unreadable (permissions, dangling link): not ours to judge
    }
  }
  return out;
}

function scanSystemd(sc: ServiceContext, ours: Set<string>): ExtraService[] {
  const own = systemdUnitName(sc.paths);
  const dirs: Array<[string, ServiceScope]> = [[userUnitDir(sc), "user"], ...systemUnitDirs(sc).map((d) => [d, "system"] as [string, ServiceScope])];
  const out: ExtraService[] = [];
  for (const [dir, scope] of dirs) {
    for (const f of filesIn(dir, ".service")) {
      const name = basename(f.path);
      if (ours.has(f.path) || !gatewayLike(f.content)) continue;
      if (name !== own && /^openclaw-gateway(-[A-Za-z0-9_-]+)?\.service$/.test(name) && MARKER.test(f.content)) continue;
      const ctl = scope === "user" ? "systemctl --user" : "sudo systemctl";
      out.push({
        platform: "linux", label: name, scope, path: f.path, detail: `unit: ${f.path}`, legacy: LEGACY.test(name),
        hints: [`Inspect: ${ctl} cat -- ${name}`, `Clean up: ${ctl} disable --now ${name} && ${scope === "user" ? "" : "sudo "}rm ${f.path}`],
      });
    }
  }
  return out;
}

function scanLaunchd(sc: ServiceContext, ours: Set<string>): ExtraService[] {
  const own = launchdLabel(sc.paths);
  const root = sc.root || "/";
  const dirs: Array<[string, ServiceScope, string]> = [
    [launchAgentsDir(sc), "user", "gui/$UID"],
    [join(root, "Library/LaunchAgents"), "system", "gui/$UID"],
    [join(root, "Library/LaunchDaemons"), "system", "system"],
  ];
  const out: ExtraService[] = [];
  for (const [dir, scope, domain] of dirs) {
    for (const f of filesIn(dir, ".plist")) {
      if (ours.has(f.path) || !gatewayLike(f.content)) continue;
      const label = /<key>Label<\/key>\s*<string>([^<]*)<\/string>/.exec(f.content)?.[1] ?? basename(f.path, ".plist");
      if (label !== own && /^ai\.openclaw\.[A-Za-z0-9_-]+$/.test(label) && MARKER.test(f.content)) continue;
      const sudo = domain === "system" || scope === "system" ? "sudo " : "";
      out.push({
        platform: "darwin", label, scope, path: f.path, detail: `plist: ${f.path}`, legacy: LEGACY.test(label),
        hints: [`Clean up: ${sudo}launchctl bootout ${domain}/${label} && ${sudo}rm ${f.path}`],
      });
    }
  }
  return out;
}

async function scanSchtasks(sc: ServiceContext): Promise<{ extras: ExtraService[]; error?: string }> {
  const r = await sc.exec.run(["schtasks", "/Query", "/FO", "LIST", "/V"]);
  if (r.code !== 0) return { extras: [], error: `schtasks /Query failed: ${firstLine(r)}` };
  const own = windowsTaskName(sc.paths);
  const seen = new Set<string>();
  const out: ExtraService[] = [];
  for (const block of r.stdout.split(/\r?\n\s*\r?\n/)) {
    const field = (k: string) => new RegExp(`^${k}:\\s*(.*)$`, "mi").exec(block)?.[1]?.trim() ?? "";
    const name = field("TaskName").replace(/^\\/, "");
    const run = field("Task To Run");
    if (!name || seen.has(name) || !MENTIONS.test(`${name} ${run}`)) continue;
    seen.add(name);
    if (name === own || /^OpenClaw Gateway( \([A-Za-z0-9_-]+\))?$/.test(name)) continue;
    out.push({
      platform: "win32", label: name, scope: "user", path: null, detail: `task to run: ${run}`, legacy: LEGACY.test(`${name} ${run}`),
      hints: [`Clean up: schtasks /Delete /TN "${name}" /F`],
    });
  }
  return { extras: out };
}

export async function scanExtraServices(sc: ServiceContext, ours: string[]): Promise<{ extras: ExtraService[]; error?: string }> {
  const own = new Set(ours);
  if (sc.platform === "linux") return { extras: scanSystemd(sc, own) };
  if (sc.platform === "darwin") return { extras: scanLaunchd(sc, own) };
  return scanSchtasks(sc);
}

export const SINGLE_GATEWAY_RECOMMENDATION =
  "Recommendation: run a single gateway per machine for most setups. One gateway supports multiple agents and channels; use isolated profiles (--profile) with their own ports only for redundancy or a rescue bot.";

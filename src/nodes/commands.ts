/**
 * Which node commands the gateway lets through: the platform allowlist (what a node of that
 * platform may offer at all), commands that are dangerous by default and need an explicit opt-in,
 * `gateway.nodes.commands.allow/deny`, the scopes an approver needs for a command surface, and the
 * scope and refusals of `node.invoke`. Pure functions over the config; no sockets, no storage.
 */
import type { OpenClawConfig } from "../config/schema.ts";

/** What a desktop or headless node host may run (the linux node host's runtime set). */
const DESKTOP = [
  "system.run", "system.run.prepare", "system.which", "system.execApprovals.get", "system.execApprovals.set", "system.notify",
  "fs.listDir", "terminal.upload", "browser.proxy", "browser.proxy.upload.v1", "mcp.tools.call.v1", "agent.cli.claude.run.v1",
  "screen.snapshot", "desktop.stream", "computer.act",
];
/** Commands local model plugins add on every platform. */
const PLUGIN_DEFAULTS = ["ollama.chat", "ollama.models"];
/** Device-side capabilities that stay off until `gateway.nodes.commands.allow` names them. */
const DANGEROUS = ["camera.snap", "camera.clip", "screen.record", "contacts.add", "calendar.add", "reminders.add", "health.summary"];
const DANGEROUS_PREFIXES = ["sms."];

const PLATFORM_DEFAULTS: Readonly<Record<string, readonly string[]>> = {
  linux: DESKTOP,
  darwin: DESKTOP,
  macos: DESKTOP,
  windows: DESKTOP,
  win32: DESKTOP,
};

/** Commands whose surface needs operator.admin to approve. */
const ADMIN_SURFACE = new Set([
  "system.run", "system.run.prepare", "system.which", "browser.proxy", "browser.proxy.upload.v1", "fs.listDir",
  "system.execApprovals.get", "system.execApprovals.set",
]);
/** Commands whose node.invoke needs operator.admin (operator.write is enough for the rest). */
const ADMIN_INVOKE = new Set(["browser.proxy", "browser.proxy.upload.v1", "fs.listDir", "terminal.upload"]);

/** "Linux x86_64", "darwin 24.1" → "linux", "darwin". */
export function platformKey(platform: string | undefined): string {
  return (platform ?? "").trim().toLowerCase().split(/[\s/]+/)[0] ?? "";
}

function isDangerous(command: string): boolean {
  return DANGEROUS.includes(command) || DANGEROUS_PREFIXES.some((p) => command.startsWith(p));
}

function lists(config: OpenClawConfig): { allow: string[]; deny: string[] } {
  const c = config.gateway?.nodes?.commands;
  return { allow: c?.allow ?? [], deny: c?.deny ?? [] };
}

/** Why `command` may not run on a node of `platform`, or undefined when it may. */
export function allowlistRefusal(platform: string | undefined, command: string, config: OpenClawConfig): { message: string; reason: string } | undefined {
  const { allow, deny } = lists(config);
  const key = platformKey(platform);
  if (deny.includes(command)) return { message: `node command not allowed: "${command}" is denied by gateway.nodes.commands.deny`, reason: "command denied" };
  if (allow.includes(command)) return undefined;
  if (isDangerous(command)) return { message: `node command not allowed: "${command}" requires explicit gateway.nodes.commands.allow opt-in`, reason: "command not allowlisted" };
  const defaults = PLATFORM_DEFAULTS[key] ?? DESKTOP;
  if (defaults.includes(command) || PLUGIN_DEFAULTS.includes(command)) return undefined;
  return { message: `node command not allowed: "${command}" is not in the allowlist for platform "${key || "unknown"}"`, reason: "command not allowlisted" };
}

/** A node's declared commands split into what the gateway would let through and what it withholds (sorted). */
export function filterDeclared(platform: string | undefined, commands: readonly string[], config: OpenClawConfig): { allowed: string[]; withheld: string[] } {
  const allowed: string[] = [];
  const withheld: string[] = [];
  for (const c of [...new Set(commands)].sort()) (allowlistRefusal(platform, c, config) ? withheld : allowed).push(c);
  return { allowed, withheld };
}

/**
 * The scopes an operator needs to approve a command surface. Admin covers write, so a surface
 * that needs admin lists only pairing and admin (as the published gateway does).
 */
export function requiredApproveScopes(commands: readonly string[]): string[] {
  if (commands.length === 0) return ["operator.pairing"];
  return ["operator.pairing", commands.some((c) => ADMIN_SURFACE.has(c)) ? "operator.admin" : "operator.write"];
}

/** The scope `node.invoke` of this command needs. */
export function invokeScope(command: string): "operator.write" | "operator.admin" {
  return ADMIN_INVOKE.has(command) ? "operator.admin" : "operator.write";
}

/** Commands node.invoke never forwards, whatever the node declares; the message says why. */
export function invokeNeverAllowed(command: string): string | undefined {
  if (command.startsWith("system.execApprovals.")) return "node.invoke does not allow system.execApprovals.*; use exec.approvals.node.*";
  if (command.startsWith("worker.")) return `node.invoke does not allow ${command}: worker controls are private to the gateway`;
  if (command === "agent.cli.claude.run.v1") return `node.invoke does not allow ${command}`;
  return undefined;
}

/**
 * The lines of `openclaw channels status`, in the published CLI's words (spec channels §5): one
 * line per account, `Warnings:` after, and the config-only summary when no gateway answers.
 */
import { timeAgo } from "../nodes/text.ts";
import type { ConfigAccount } from "./config-only.ts";

export type Snapshot = Record<string, unknown>;

export interface StatusIssue {
  channel: string;
  accountId: string;
  kind: string;
  message: string;
  fix?: string;
}

/** The parts of `channels.status` the human view reads. */
export interface ChannelsStatus {
  channelOrder?: string[];
  channelLabels?: Record<string, string>;
  channelAccounts?: Record<string, Snapshot[]>;
  statusIssues?: StatusIssue[];
  warnings?: string[];
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);

/** `token:***` when a token is in use (never more of it), `token:missing` when none is. */
function tokenPart(source: unknown): string | undefined {
  if (typeof source !== "string") return undefined;
  return source === "none" ? "token:missing" : "token:***";
}

/**
 * `enabled, configured, running, connected, transport:just now, mode:polling, bot:@name, token:***, works`.
 * `works`/`probe failed` come from a probe, so only with --probe; `bot:` from the probe or from the
 * bot identity the account already reports (the published CLI shows it then too).
 */
export function accountLine(label: string, s: Snapshot, now: number): string {
  const parts: string[] = [s.enabled === false ? "disabled" : "enabled", s.configured ? "configured" : "not configured"];
  if (typeof s.linked === "boolean") parts.push(s.linked ? "linked" : "not linked");
  const error = text(s.lastError);
  if (error) parts.push(`error:${error}`);
  parts.push(s.running ? "running" : "stopped", s.connected ? "connected" : "disconnected");
  for (const [key, name] of [["lastInboundAt", "in"], ["lastOutboundAt", "out"], ["lastTransportActivityAt", "transport"]] as const) {
    const at = num(s[key]);
    if (at !== undefined) parts.push(`${name}:${timeAgo(at, now)}`);
  }
  const mode = text(s.mode);
  if (mode) parts.push(`mode:${mode}`);
  const probe = s.probe as { ok?: unknown; bot?: { username?: unknown } } | undefined;
  const bot = text(probe?.bot?.username) ?? text((s.bot as { username?: unknown } | undefined)?.username) ?? text(s.botUsername);
  if (bot) parts.push(`bot:@${bot}`);
  const token = tokenPart(s.tokenSource);
  if (token) parts.push(token);
  const health = text(s.healthState);
  if (health) parts.push(`health:${health}`);
  if (probe && typeof probe === "object") parts.push(probe.ok === true ? "works" : "probe failed");
  return `- ${label} ${String(s.accountId ?? "default")}: ${parts.join(", ")}`;
}

/** Everything after `Gateway reachable.`. */
export function statusLines(status: ChannelsStatus, now: number): string[] {
  const lines: string[] = [];
  for (const id of status.channelOrder ?? []) {
    const label = status.channelLabels?.[id] ?? id;
    for (const s of status.channelAccounts?.[id] ?? []) lines.push(accountLine(label, s, now));
  }
  if (lines.length === 0) lines.push("No chat channels configured (add channels.telegram or channels.whatsapp to the config).");
  const issues = status.statusIssues ?? [];
  const warnings = status.warnings ?? [];
  if (issues.length > 0 || warnings.length > 0) {
    lines.push("Warnings:");
    for (const i of issues) lines.push(`- ${i.channel} ${i.accountId}: ${i.message}${i.fix ? ` (${i.fix})` : ""}`);
    for (const w of warnings) lines.push(`- ${w}`);
    if (issues.length > 0) lines.push("- Run: openclaw doctor");
  }
  return lines;
}

/** `- Telegram default: enabled, configured, mode:polling, token:***` from the config file alone. */
export function configAccountLine(label: string, a: ConfigAccount): string {
  const parts = [a.enabled ? "enabled" : "disabled", a.configured ? "configured" : "not configured"];
  if (a.linked !== undefined) parts.push(a.linked ? "linked" : "not linked");
  if (a.mode) parts.push(`mode:${a.mode}`);
  const token = tokenPart(a.tokenSource);
  if (token) parts.push(token);
  return `- ${label} ${a.accountId}: ${parts.join(", ")}`;
}

export function configOnlyLines(input: {
  configPath: string;
  mode: string | undefined;
  channels: Array<{ label: string; accounts: ConfigAccount[] }>;
}): string[] {
  // The blank line after Mode is the published CLI's.
  const lines = ["Gateway not reachable; showing config-only status.", `Config: ${input.configPath}`, `Mode: ${input.mode ?? "unset"}`, ""];
  for (const c of input.channels) for (const a of c.accounts) lines.push(configAccountLine(c.label, a));
  if (input.channels.length === 0) lines.push("No chat channels configured.");
  return lines;
}

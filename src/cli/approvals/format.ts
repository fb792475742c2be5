/** How approvals read in a terminal: the pending table, the host document, resolve outcomes. */
import { table } from "../nodes/text.ts";
import type { ApprovalView, DocumentSnapshot, PendingRecord } from "./call.ts";

const SUMMARY_MAX = 96;

export interface PendingEntry {
  id: string;
  kind: "exec" | "plugin" | "system-agent";
  agentId: string | null;
  sessionKey: string | null;
  createdAtMs: number;
  expiresAtMs: number;
  summary: string;
}

/** A list entry as `pending --json` prints it; records without an id or times are skipped. */
export function pendingEntry(r: PendingRecord, kind: PendingEntry["kind"]): PendingEntry | null {
  if (typeof r?.id !== "string" || !r.id || !Number.isFinite(r.createdAtMs) || !Number.isFinite(r.expiresAtMs) || !r.request) return null;
  const prose = [r.request.title, r.request.description].filter((s): s is string => typeof s === "string" && s !== "").join(": ");
  const command = typeof r.request.command === "string" && r.request.command ? r.request.command : null;
  return {
    id: r.id, kind, agentId: r.request.agentId || null, sessionKey: r.request.sessionKey || null,
    createdAtMs: r.createdAtMs, expiresAtMs: r.expiresAtMs, summary: command ?? (prose || "(no summary)"),
  };
}

/** "45s", "12m", "3h", "2d": short enough for a table column. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h}h` : `${Math.round(h / 24)}d`;
}

/** Control and format characters would move the cursor or hide text: shown escaped instead. */
export function visible(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
}

const shorten = (s: string) => (s.length <= SUMMARY_MAX ? s : `${s.slice(0, SUMMARY_MAX - 3)}...`);

export function pendingLines(entries: PendingEntry[], now: number): string[] {
  if (entries.length === 0) return ["No pending approvals."];
  const rows = entries.map((e) => [
    e.id, e.kind, visible([e.agentId, e.sessionKey].filter(Boolean).join(" / ") || "-"),
    `${shortDuration(now - e.createdAtMs)} ago`, shortDuration(e.expiresAtMs - now), shorten(visible(e.summary)),
  ]);
  const lines = [`Pending approvals (${entries.length})`, ...table(["ID", "Kind", "Agent / Session", "Requested", "Expires in", "Command / Summary"], rows)];
  const cut = entries.filter((e) => visible(e.summary).length > SUMMARY_MAX);
  if (cut.length > 0) lines.push("", "Full text:", ...cut.map((e) => `${e.id}: ${visible(e.summary)}`));
  lines.push("", "Resolve with: openclaw approvals resolve <id> allow-once|allow-always|deny");
  return lines;
}

export function resolverLabel(a: ApprovalView): string {
  if (!a.resolver) return "an unknown resolver";
  return a.resolver.id ? `${a.resolver.kind}:${visible(a.resolver.id)}` : a.resolver.kind;
}

/** Why a settled approval has no decision to report. */
export function noDecisionText(a: ApprovalView): string {
  if (a.status === "expired") return `Approval ${a.id} expired before it was decided.`;
  if (a.status === "cancelled") return `Approval ${a.id} was closed (${a.reason ?? "cancelled"}) before it was decided.`;
  return `Approval ${a.id} ended without a decision.`;
}

const dash = (v: unknown) => (v === undefined || v === null || v === "" ? "-" : String(v));

export function documentLines(s: DocumentSnapshot): string[] {
  const d = s.resolvedDefaults;
  const lines = [
    `Exec approvals (gateway): ${s.path}${s.exists ? "" : " (not written yet)"}`,
    `Hash: ${s.hash}`,
    `Defaults: security=${d.security} ask=${d.ask} askFallback=${d.askFallback} autoAllowSkills=${d.autoAllowSkills}`,
  ];
  const agents = Object.entries(s.file.agents ?? {});
  const policies = agents.filter(([, p]) => p.security || p.ask || p.askFallback || p.autoAllowSkills !== undefined);
  if (policies.length > 0) {
    lines.push("", "Agent policy:", ...table(["Agent", "Security", "Ask", "Ask fallback", "Auto-allow skills"],
      policies.map(([id, p]) => [id, dash(p.security), dash(p.ask), dash(p.askFallback), dash(p.autoAllowSkills)])));
  }
  const rules = agents.flatMap(([id, p]) => (p.allowlist ?? []).map((e) => [
    id, visible(e.pattern), e.argPattern === undefined ? "(any)" : visible(e.argPattern), dash(e.source),
    typeof e.lastUsedAt === "number" ? new Date(e.lastUsedAt).toISOString() : "-",
  ]));
  if (rules.length === 0) lines.push("", "Allowlist: empty");
  else lines.push("", "Allowlist:", ...table(["Agent", "Pattern", "Arguments", "Source", "Last used"], rules));
  return lines;
}

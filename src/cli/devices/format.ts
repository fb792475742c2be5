/** The human form of `devices list`: a table each for pending and paired devices, then the full ids. */
import type { CliContext } from "../context.ts";

export interface DeviceList {
  pending: Array<{ requestId: string; deviceId: string; displayName?: string; platform?: string; role: string; ts: number }>;
  paired: Array<{ deviceId: string; displayName?: string; platform?: string; roles: string[]; approvedVia: string; connected: boolean; lastSeenAtMs?: number }>;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
}

function ago(ms: number | undefined, now: number): string {
  if (ms === undefined) return "never";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

const short = (id: string) => `${id.slice(0, 12)}…`;

export function printDeviceList(ctx: CliContext, list: DeviceList, now = Date.now()): void {
  ctx.io.out(`Pending: ${list.pending.length} · Paired: ${list.paired.length}`);
  if (list.pending.length > 0) {
    ctx.io.out("");
    ctx.io.out("Pending");
    const rows = list.pending.map((r) => [r.requestId, short(r.deviceId), r.displayName ?? "", r.platform ?? "", r.role, ago(r.ts, now)]);
    for (const line of table([["Request", "Device", "Name", "Platform", "Role", "Asked"], ...rows])) ctx.io.out(line);
  }
  if (list.paired.length > 0) {
    ctx.io.out("");
    ctx.io.out("Paired");
    const rows = list.paired.map((d) => [short(d.deviceId), d.displayName ?? "", d.platform ?? "", d.roles.join(",") || "-", d.approvedVia, d.connected ? "connected" : `seen ${ago(d.lastSeenAtMs, now)}`]);
    for (const line of table([["Device", "Name", "Platform", "Roles", "Approved", "Status"], ...rows])) ctx.io.out(line);
  }
  const ids = [...list.pending.map((r) => r.deviceId), ...list.paired.map((d) => d.deviceId)];
  if (ids.length > 0) {
    ctx.io.out("");
    ctx.io.out("Full device IDs");
    for (const id of new Set(ids)) ctx.io.out(`  ${id}`);
  }
}

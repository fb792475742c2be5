/**
 * Small renderers shared by the nodes views. Ages, sizes and version labels read like the
 * published CLI's, so an operator who knows one output can read the other.
 */
import type { HostStats } from "./types.ts";

/** Plain aligned columns (no box drawing): lines stay greppable and never wrap mid-cell. */
export function table(headers: string[], rows: string[][]): string[] {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
}

/** "just now" under a minute, then minutes, hours (under two days) and days. */
export function timeAgo(atMs: number | undefined, now: number): string {
  if (atMs === undefined || !Number.isFinite(atMs)) return "unknown";
  const minutes = Math.round(Math.max(0, now - atMs) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours}h ago` : `${Math.round(hours / 24)}d ago`;
}

const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** Binary steps with the familiar labels; one decimal only while the number is small. */
export function bytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit > 0 && value < 10 ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** `load 2.7/2 · mem 1008 MB/24 GB · disk 72 GB free`, aged when the node is offline. */
export function hostStatsSummary(stats: HostStats | undefined, connected: boolean, now: number): string | undefined {
  if (!stats || typeof stats.memoryTotalBytes !== "number" || typeof stats.memoryFreeBytes !== "number") return undefined;
  const total = bytes(stats.memoryTotalBytes);
  const used = bytes(stats.memoryTotalBytes - stats.memoryFreeBytes);
  const unit = total.slice(total.lastIndexOf(" "));
  const parts = [
    Array.isArray(stats.loadAverage) && typeof stats.loadAverage[0] === "number" ? `load ${stats.loadAverage[0].toFixed(1)}/${stats.cpuCount}` : undefined,
    `mem ${used.endsWith(unit) ? used.slice(0, -unit.length) : used}/${total}`,
    typeof stats.diskAvailableBytes === "number" ? `disk ${bytes(stats.diskAvailableBytes)} free` : undefined,
  ].filter(Boolean);
  const summary = parts.join(" · ");
  // Offline nodes keep their last snapshot; say how old it is so nobody trusts it as live.
  return connected ? summary : `${summary} (last known ${timeAgo(stats.updatedAtMs, now)})`;
}

/** Desktop hosts report the core version; anything else is an app reporting its UI version. */
export function versionLabel(version: string | undefined, platform: string | undefined): string | undefined {
  const v = version?.trim();
  if (!v) return undefined;
  const kind = ["darwin", "linux", "win32", "windows"].includes((platform ?? "").toLowerCase()) ? "core" : "ui";
  return `${kind} ${/^\d/.test(v) ? `v${v}` : v}`;
}

/** A long PATH as its first two entries, an ellipsis and the last one. */
export function shortPath(pathEnv: string | undefined, platform: string | undefined): string | undefined {
  const raw = pathEnv?.trim();
  if (!raw) return undefined;
  const sep = /^win/i.test(platform ?? "") ? ";" : ":";
  const parts = raw.split(sep).filter(Boolean);
  return parts.length <= 3 ? raw : [...parts.slice(0, 2), "…", parts.at(-1)!].join(sep);
}

/** An approve hint is pasted into a new shell: remind which connection flags it still needs. */
export function connectionReminder(a: { url?: string; token?: string; password?: string }): string | undefined {
  const flags = (["url", "token", "password"] as const).filter((f) => (a[f] ?? "").trim() !== "").map((f) => `--${f}`);
  if (flags.length === 0) return undefined;
  return `Reuse the same connection option${flags.length === 1 ? "" : "s"} when rerunning: ${flags.join(", ")}.`;
}

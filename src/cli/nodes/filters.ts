/** `--connected` / `--last-connected <duration>` of `nodes status` and `nodes list`. */
import { UsageError } from "../errors.ts";
import type { NodeEntry } from "./types.ts";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `15m`, `24h`, `7d`, or composites like `1h30m`; a bare number is milliseconds. */
export function parseDuration(raw: string, flag: string): number {
  const text = raw.trim().toLowerCase();
  const bad = () => new UsageError(`Invalid --${flag}: ${JSON.stringify(raw)} (use a duration such as 30m, 24h or 7d)`);
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text));
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) throw bad();
  const ms = parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit!]!, 0);
  if (!Number.isSafeInteger(Math.round(ms))) throw bad();
  return Math.round(ms);
}

export interface ConnectionFilter {
  connectedOnly: boolean;
  withinMs?: number;
}

export function connectionFilter(a: { connected?: boolean; lastConnected?: string }): ConnectionFilter {
  return {
    connectedOnly: a.connected === true,
    ...(a.lastConnected !== undefined ? { withinMs: parseDuration(a.lastConnected, "last-connected") } : {}),
  };
}

export const isFiltering = (f: ConnectionFilter) => f.connectedOnly || f.withinMs !== undefined;

/** A node with no recorded connect never counts as recent. */
export function matchesFilter(n: Partial<NodeEntry>, f: ConnectionFilter, now: number): boolean {
  if (f.connectedOnly && n.connected !== true) return false;
  if (f.withinMs === undefined) return true;
  const last = n.lastConnectedAtMs ?? n.connectedAtMs;
  return typeof last === "number" && now - last <= f.withinMs;
}

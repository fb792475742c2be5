/**
 * `channels.status`: a snapshot of every configured account, optional live probes (at most 5 at a
 * time, each within the budget), and the issues an operator should act on.
 */
import type { ChannelManager } from "./manager.ts";
import type { ChannelId, ProbeResult } from "./types.ts";
import { ChannelInputError } from "./types.ts";

/** A probe budget is clamped to this range, whatever the caller asks. */
const MIN_TIMEOUT_MS = 1_000;
const MAX_TIMEOUT_MS = 30_000;
const PROBE_CONCURRENCY = 5;
const MAX_ISSUES = 50;

export interface StatusIssue {
  channel: string;
  accountId: string;
  kind: "intent" | "permissions" | "config" | "auth" | "runtime";
  message: string;
  fix?: string;
}

async function limited<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

function issuesOf(channel: string, s: Record<string, unknown>): StatusIssue[] {
  const accountId = String(s.accountId);
  if (s.enabled === false) return [];
  if (!s.configured) {
    return [{ channel, accountId, kind: "config", message: `Not configured: ${String(s.stateReason ?? "missing settings")}.`, fix: channel === "whatsapp" ? "run openclaw channels login --channel whatsapp" : `set channels.${channel}.botToken (or ${channel === "telegram" ? "TELEGRAM_BOT_TOKEN" : "its token"})` }];
  }
  if (s.terminalDisconnect) return [{ channel, accountId, kind: "runtime", message: String(s.lastError ?? "terminal disconnect"), fix: "resolve the reported channel error, then restart the channel" }];
  if (!s.running && !s.restartPending) return [{ channel, accountId, kind: "runtime", message: "Channel is enabled and configured, but its runtime is not running.", fix: "restart the channel or gateway" }];
  return [];
}

export async function channelsStatus(manager: ChannelManager, opts: { probe?: boolean; timeoutMs?: number; channel?: string }): Promise<Record<string, unknown>> {
  const all = manager.channels();
  if (opts.channel !== undefined && !all.includes(opts.channel as ChannelId)) throw new ChannelInputError(`unknown channel: ${opts.channel}`);
  const ids = opts.channel ? [opts.channel as ChannelId] : all;
  const timeoutMs = Math.min(MAX_TIMEOUT_MS, Math.max(MIN_TIMEOUT_MS, opts.timeoutMs ?? (opts.probe ? MAX_TIMEOUT_MS : 10_000)));
  const out = {
    ts: Date.now(), channelOrder: ids as string[], channelLabels: {} as Record<string, string>, channelDetailLabels: {} as Record<string, string>,
    channelSystemImages: {} as Record<string, string>, channelMeta: [] as Array<Record<string, string>>, channels: {} as Record<string, Record<string, unknown>>,
    channelAccounts: {} as Record<string, Array<Record<string, unknown>>>, channelDefaultAccountId: {} as Record<string, string>,
    statusIssues: [] as StatusIssue[], warnings: [] as string[],
  };
  const probes: Array<() => Promise<void>> = [];
  for (const id of ids) {
    const adapter = await manager.adapter(id);
    out.channelLabels[id] = adapter.label;
    out.channelDetailLabels[id] = adapter.detailLabel;
    out.channelSystemImages[id] = adapter.systemImage;
    out.channelMeta.push({ id, label: adapter.label, detailLabel: adapter.detailLabel, systemImage: adapter.systemImage });
    const accounts = manager.accounts(id);
    const snapshots = accounts.map((a) => ({ ...manager.snapshot(id, a.accountId)! }) as Record<string, unknown>);
    out.channelAccounts[id] = snapshots;
    const defaultId = accounts.some((a) => a.accountId === "default") ? "default" : accounts[0]?.accountId ?? "default";
    out.channelDefaultAccountId[id] = defaultId;
    for (const s of snapshots) out.statusIssues.push(...issuesOf(id, s));
    if (opts.probe && adapter.probe) {
      accounts.forEach((a, i) => {
        if (!a.configured) return;
        probes.push(async () => {
          const started = Date.now();
          let result: ProbeResult;
          try {
            result = await Promise.race([
              adapter.probe!(a, timeoutMs),
              Bun.sleep(timeoutMs).then((): ProbeResult => ({ ok: false, timedOut: true, error: `probe timed out after ${timeoutMs}ms`, elapsedMs: timeoutMs })),
            ]);
          } catch (err) {
            result = { ok: false, error: (err as Error).message, elapsedMs: Date.now() - started };
          }
          if (result.timedOut) out.warnings.push(`${id}:${a.accountId} probe timed out after ${timeoutMs}ms`);
          snapshots[i]!.probe = result;
          snapshots[i]!.lastProbeAt = Date.now();
        });
      });
    }
  }
  await limited(probes, PROBE_CONCURRENCY, (p) => p());
  for (const id of ids) {
    const def = out.channelAccounts[id]!.find((s) => s.accountId === out.channelDefaultAccountId[id]) ?? out.channelAccounts[id]![0] ?? {};
    const summary: Record<string, unknown> = {
      configured: def.configured ?? false, running: def.running ?? false, lastStartAt: def.lastStartAt ?? null, lastStopAt: def.lastStopAt ?? null,
      lastError: def.lastError ?? null,
    };
    for (const k of ["tokenSource", "mode", "lastProbeAt", "probe", "connected", "linked"]) if (def[k] !== undefined) summary[k] = def[k];
    out.channels[id] = summary;
  }
  out.statusIssues = out.statusIssues.slice(0, MAX_ISSUES);
  const result: Record<string, unknown> = { ...out };
  if (out.warnings.length === 0) delete result.warnings;
  else result.warnings = out.warnings.slice(0, MAX_ISSUES);
  return result;
}

/**
 * The agent, session and heartbeat parts of the `health` and `status` payloads, in the shapes the
 * published CLI reads (`openclaw health` prints a line per agent's session store; `openclaw status`
 * builds its Agents and Sessions rows from `sessions.byAgent` and names agents from `cliProjection`).
 */
import type { AgentService } from "../agents/types.ts";
import { StorageError } from "../agents/sessions.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import type { Health } from "../protocol/index.ts";

/** This gateway runs no heartbeat turns, so every agent reports them off rather than a default it would not keep. */
export const HEARTBEAT_OFF = { enabled: false, every: "disabled", everyMs: null, target: "owner", ackMaxChars: 300 } as const;

export interface SessionRow {
  key: string;
  updatedAt: number;
  age: number;
}

export interface AgentSessions {
  path: string;
  count: number;
  recent: SessionRow[];
  error?: string;
}

/** One agent's sessions; a failing store is an `error` here so health and status keep answering. */
export function agentSessions(agents: AgentService, agentId: string | undefined, limit: number, now = Date.now()): AgentSessions {
  const store = agents.sessions;
  try {
    const { sessions, total } = store.listSessions({ ...(agentId ? { agentId } : {}), limit });
    const out: AgentSessions = {
      path: store.path,
      count: total,
      recent: sessions.map((s) => ({ key: s.key, updatedAt: s.updatedAt, age: now - s.updatedAt })),
    };
    // Reads may work while writes fail (a full disk): the last write's failure still counts.
    if (store.fault) out.error = store.fault.publicMessage;
    return out;
  } catch (err) {
    if (!(err instanceof StorageError)) throw err;
    return { path: store.path, count: 0, recent: [], error: err.publicMessage };
  }
}

/** health's `agents[]`: each with its heartbeat settings and its own session summary. */
export function healthAgents(agents: AgentService): Health["agents"] {
  return agents.listAgents().map((a) => ({
    agentId: a.id,
    isDefault: a.isDefault,
    ...(a.name ? { name: a.name } : {}),
    ...(a.model ? { model: a.model } : {}),
    heartbeat: { ...HEARTBEAT_OFF, everyMs: null },
    sessions: agentSessions(agents, a.id, 5),
  }));
}

export interface StatusParts {
  heartbeat: { defaultAgentId: string; agents: Array<{ agentId: string; enabled: boolean; every: string; everyMs: null; waitingForRoute: boolean }> };
  tasks: Record<string, unknown>;
  taskAudit: Record<string, unknown>;
  sessions: {
    paths: string[];
    count: number;
    defaults: { model: string | null; contextTokens: number | null };
    recent: SessionRow[];
    byAgent: Array<{ agentId: string; path: string; count: number; recent: SessionRow[] }>;
  };
  cliProjection?: {
    agents: { defaultId: string; ownership: "sole" | "explicit"; selectionRequired: false; rows: Array<{ id: string; name?: string }> };
    updateChannel: string | null;
    memoryPlugin: { enabled: boolean; slot: string | null; reason?: string };
  };
}

/** No background task registry exists here: the counters are real zeros, in the published shape. */
function emptyTasks(): Pick<StatusParts, "tasks" | "taskAudit"> {
  return {
    tasks: {
      total: 0, active: 0, terminal: 0, failures: 0,
      byStatus: { queued: 0, running: 0, succeeded: 0, failed: 0, timed_out: 0, cancelled: 0, lost: 0 },
      byRuntime: { subagent: 0, acp: 0, cli: 0, cron: 0 },
    },
    taskAudit: {
      total: 0, warnings: 0, errors: 0,
      byCode: { stale_queued: 0, stale_running: 0, lost: 0, delivery_failed: 0, missing_cleanup: 0, inconsistent_timestamps: 0 },
    },
  };
}

/**
 * `status`'s agent/session/heartbeat parts. Read-only callers get counts only: paths become
 * "[redacted]" and no session keys are listed, as on the published gateway.
 */
export function statusParts(agents: AgentService, config: OpenClawConfig, opts: { sensitive: boolean; cliProjection: boolean }): StatusParts {
  const list = agents.listAgents();
  const defaultAgentId = agents.defaultAgentId();
  const now = Date.now();
  const byAgent = list.map((a) => {
    const s = agentSessions(agents, a.id, opts.sensitive ? 10 : 0, now);
    return { agentId: a.id, path: opts.sensitive ? s.path : "[redacted]", count: s.count, recent: opts.sensitive ? s.recent : [] };
  });
  const all = opts.sensitive ? agentSessions(agents, undefined, 10, now) : undefined;
  const primary = list.find((a) => a.id === defaultAgentId)?.model ?? null;
  const parts: StatusParts = {
    heartbeat: {
      defaultAgentId,
      agents: list.map((a) => ({ agentId: a.id, enabled: false, every: "disabled", everyMs: null, waitingForRoute: false })),
    },
    ...emptyTasks(),
    sessions: {
      paths: opts.sensitive ? [agents.sessions.path] : [],
      count: byAgent.reduce((n, a) => n + a.count, 0),
      defaults: { model: opts.sensitive ? primary : null, contextTokens: null },
      recent: all?.recent ?? [],
      byAgent,
    },
  };
  if (opts.cliProjection) {
    const pluginsOff = config.plugins?.enabled === false;
    parts.cliProjection = {
      agents: {
        defaultId: defaultAgentId,
        ownership: list.length === 1 ? "sole" : "explicit",
        selectionRequired: false,
        rows: list.map((a) => ({ id: a.id, ...(a.name ? { name: a.name } : {}) })),
      },
      updateChannel: null,
      // No memory plugin runs here; say so instead of naming the published default slot.
      memoryPlugin: pluginsOff ? { enabled: false, slot: null, reason: "plugins disabled" } : { enabled: false, slot: null, reason: "no memory plugin in this gateway" },
    };
  }
  return parts;
}

/** One line per configured channel, as `channelSummary` lists them (plain text, no colour codes). */
export function channelSummaryLines(snapshot: { channels: Record<string, unknown>; channelOrder: string[]; channelLabels: Record<string, string> } | undefined): string[] {
  if (!snapshot) return [];
  return snapshot.channelOrder.map((id) => {
    const s = (snapshot.channels[id] ?? {}) as { configured?: boolean; running?: boolean; linked?: boolean; lastError?: string | null };
    const label = snapshot.channelLabels[id] ?? id;
    const state = s.lastError ? `error (${s.lastError})` : s.running ? "running" : s.configured === false ? "not configured" : "configured";
    return `${label}: ${state}${s.linked === false ? " · not linked" : ""}`;
  });
}

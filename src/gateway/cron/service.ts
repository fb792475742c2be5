/**
 * The scheduler as callers see it: the automations tool's actions (CronToolService) and the
 * operator methods behind cron.*. A tool call acts for its agent: it sees and changes that
 * agent's jobs only; operator calls see all of them.
 */
import { ToolInputError, type CronToolService } from "../../agents/tools/types.ts";
import { mainSessionKey, agentIdOfSessionKey, type AgentService } from "../../agents/types.ts";
import { CronScheduler, systemClock, type CronClock, type CronSettings } from "./scheduler.ts";
import { ScheduleClock } from "./schedule.ts";
import type { CronStore } from "./store.ts";
import type { CronJob, CronRun, CronSessionTarget } from "./types.ts";
import { defaultName, MIN_EVERY_MS, normalizePayload, normalizeSchedule, parseJobInput, parseJobPatch, type JobInput } from "./validate.ts";

export const CRON_ACTIONS = ["status", "list", "get", "add", "update", "remove", "run", "runs", "next_check", "wake"] as const;
export type CronAction = (typeof CRON_ACTIONS)[number];

export interface CronServiceOptions {
  store: CronStore;
  agents: () => AgentService;
  settings: () => CronSettings;
  clock?: CronClock;
  /** Shortest `every` interval (default one minute; tests lower it). */
  minEveryMs?: number;
  /** `wake`: a system event for the agent's main session, and a turn now when mode is "now". */
  wake?: (w: { agentId: string; sessionKey: string; text: string; mode: "now" | "next-heartbeat" }) => void;
  log?: { info(m: string): void; warn(m: string): void; error(m: string): void };
}

export interface CronStatus {
  enabled: boolean;
  triggersEnabled: boolean;
  storePath: string;
  storage: "sqlite";
  sqlitePath: string;
  jobs: number;
  nextWakeAtMs: number | null;
}

/** Who is asking: an agent (its own jobs only) or an operator (undefined: every job). */
type Caller = { agentId: string; sessionKey: string } | undefined;

export class NotFoundError extends ToolInputError {}

export class CronService implements CronToolService {
  readonly scheduler: CronScheduler;
  private readonly clock: CronClock;
  private readonly schedule = new ScheduleClock();

  constructor(private readonly o: CronServiceOptions) {
    this.clock = o.clock ?? systemClock;
    this.scheduler = new CronScheduler({
      store: o.store, settings: o.settings, clock: this.clock, schedule: this.schedule, log: o.log,
      runTurn: (input) => o.agents().runTurn(input),
    });
  }

  get path(): string {
    return this.o.store.path;
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): void {
    this.scheduler.stop();
  }

  async handle(action: string, args: Record<string, unknown>, ctx: { agentId: string; sessionKey: string }): Promise<Record<string, unknown>> {
    const jobId = () => {
      const v = args.jobId ?? args.id;
      if (typeof v !== "string" || v.trim() === "") throw new ToolInputError(`jobId required for action "${action}"`);
      return v.trim();
    };
    switch (action as CronAction) {
      case "status":
        return { ...this.status() };
      case "list":
        return { jobs: this.list({ agentId: ctx.agentId, includeDisabled: args.includeDisabled !== false }) };
      case "get":
        return { job: this.get(jobId(), ctx) };
      case "add":
        return { job: this.add(args.job ?? args.patch, ctx) };
      case "update":
        return { job: this.update(jobId(), args.patch ?? args.job, ctx) };
      case "remove":
        this.remove(jobId(), ctx);
        return { ok: true, removed: true, jobId: jobId() };
      case "run": {
        const mode = args.runMode ?? args.mode ?? "force";
        if (mode !== "force" && mode !== "due") throw new ToolInputError('runMode must be "force" or "due"');
        const r = this.run(jobId(), mode, ctx);
        return { ok: true, jobId: jobId(), ran: r.ran, ...(r.ran ? { queued: r.queued } : { reason: r.reason }) };
      }
      case "runs": {
        const limit = args.limit === undefined ? 20 : args.limit;
        if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) throw new ToolInputError("limit must be an integer >= 1");
        return { jobId: jobId(), runs: this.runs(jobId(), Math.min(limit, 200), ctx) };
      }
      case "next_check":
        return this.nextCheck(ctx);
      case "wake":
        return this.wake(args, ctx);
      default:
        throw new ToolInputError(`unknown action "${action}" (one of ${CRON_ACTIONS.join(", ")})`);
    }
  }

  status(): CronStatus {
    const enabled = this.o.settings().enabled;
    return {
      enabled, triggersEnabled: enabled, storePath: this.path, storage: "sqlite", sqlitePath: this.path,
      jobs: this.o.store.count(), nextWakeAtMs: this.scheduler.nextWakeAtMs(),
    };
  }

  list(filter: { agentId?: string; includeDisabled?: boolean } = {}): CronJob[] {
    return this.o.store.list().filter((j) => (!filter.agentId || j.agentId === filter.agentId) && (filter.includeDisabled !== false || j.enabled));
  }

  get(id: string, caller?: Caller): CronJob {
    const job = this.o.store.get(id);
    if (!job || (caller && job.agentId !== caller.agentId)) throw new NotFoundError(`no cron job with id "${id}"`);
    return job;
  }

  add(raw: unknown, caller?: Caller): CronJob {
    const input = parseJobInput(raw);
    const agentId = this.agentFor(input.agentId, caller);
    const now = this.clock.now();
    const id = crypto.randomUUID();
    const schedule = normalizeSchedule(input.schedule, { now, minEveryMs: this.minEveryMs, clock: this.schedule, createdAtMs: now });
    const payload = normalizePayload(input.payload);
    const target = this.sessionFor(input, agentId, id);
    const enabled = input.enabled ?? true;
    const job: CronJob = {
      id, name: input.name ?? defaultName(payload), agentId, ...target, schedule, payload, enabled,
      createdAtMs: now, updatedAtMs: now, nextRunAtMs: enabled ? this.schedule.next(schedule, now, now) : null,
      lastRunAtMs: null, lastStatus: null, lastError: null,
    };
    if (input.description !== undefined) job.description = input.description;
    this.o.store.put(job);
    this.scheduler.changed();
    return this.o.store.get(id) ?? job;
  }

  update(id: string, raw: unknown, caller?: Caller): CronJob {
    const job = this.get(id, caller);
    const patch = parseJobPatch(raw);
    if (patch.agentId !== undefined && patch.agentId !== job.agentId) throw new ToolInputError("patch.agentId: a job cannot move to another agent; remove it and add a new one");
    const now = this.clock.now();
    const next: CronJob = { ...job, updatedAtMs: now };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.description !== undefined) next.description = patch.description;
    if (patch.payload) next.payload = normalizePayload(patch.payload);
    if (patch.sessionTarget !== undefined || patch.sessionKey !== undefined) Object.assign(next, this.sessionFor(patch, job.agentId, job.id));
    if (patch.enabled !== undefined) next.enabled = patch.enabled;
    if (patch.schedule) next.schedule = normalizeSchedule(patch.schedule, { now, minEveryMs: this.minEveryMs, clock: this.schedule, createdAtMs: job.createdAtMs });
    // A new schedule, or a job switched back on, is timed from now; otherwise its slot is kept.
    if (patch.schedule || (patch.enabled === true && !job.enabled)) {
      next.nextRunAtMs = next.enabled ? this.schedule.next(next.schedule, now, patch.schedule ? now : job.createdAtMs) : null;
    }
    if (patch.enabled === false) next.nextRunAtMs = null;
    this.o.store.put(next);
    this.scheduler.changed();
    return this.o.store.get(id) ?? next;
  }

  remove(id: string, caller?: Caller): boolean {
    const job = this.o.store.get(id);
    if (!job || (caller && job.agentId !== caller.agentId)) {
      if (caller) throw new NotFoundError(`no cron job with id "${id}"`);
      return false;
    }
    const removed = this.o.store.remove(id);
    this.scheduler.changed();
    return removed;
  }

  /**
   * Starts a run now ("force"), or only when the job is due ("due"). Does not wait for the turn:
   * a job aimed at the caller's own session would wait behind the caller's turn.
   */
  run(id: string, mode: "force" | "due", caller?: Caller): { ran: true; queued: boolean; done: Promise<CronRun | undefined> } | { ran: false; reason: string } {
    const job = this.get(id, caller);
    if (!this.o.settings().enabled) throw new ToolInputError("cron is disabled (cron.enabled: false)");
    if (this.scheduler.isRunning(id)) return { ran: false, reason: "already-running" };
    if (mode === "due" && !(job.enabled && job.nextRunAtMs !== null && job.nextRunAtMs <= this.clock.now())) return { ran: false, reason: "not-due" };
    const r = this.scheduler.runNow(id);
    return { ran: true, ...r };
  }

  runs(id: string, limit: number, caller?: Caller): CronRun[] {
    this.get(id, caller);
    return this.o.store.runs(id, limit);
  }

  private nextCheck(caller: Caller): Record<string, unknown> {
    const upcoming = this.list({ agentId: caller?.agentId, includeDisabled: false })
      .filter((j) => j.nextRunAtMs !== null)
      .sort((a, b) => a.nextRunAtMs! - b.nextRunAtMs!)[0];
    return {
      now: this.clock.now(),
      enabled: this.o.settings().enabled,
      nextWakeAtMs: this.scheduler.nextWakeAtMs(),
      nextJob: upcoming ? { id: upcoming.id, name: upcoming.name, nextRunAtMs: upcoming.nextRunAtMs } : null,
    };
  }

  private wake(args: Record<string, unknown>, caller: { agentId: string; sessionKey: string }): Record<string, unknown> {
    const text = typeof args.text === "string" ? args.text.trim() : "";
    if (!text) throw new ToolInputError('text required for action "wake"');
    const mode = args.mode ?? "now";
    if (mode !== "now" && mode !== "next-heartbeat") throw new ToolInputError('mode must be "now" or "next-heartbeat"');
    if (!this.o.wake) throw new ToolInputError("wake is not available on this gateway");
    this.o.wake({ agentId: caller.agentId, sessionKey: mainSessionKey(caller.agentId), text, mode });
    this.scheduler.changed();
    return { ok: true, mode };
  }

  private get minEveryMs(): number {
    return this.o.minEveryMs ?? MIN_EVERY_MS;
  }

  private agentFor(requested: string | undefined, caller: Caller): string {
    const agents = this.o.agents();
    const agentId = requested ?? caller?.agentId ?? agents.defaultAgentId();
    if (caller && agentId !== caller.agentId) throw new ToolInputError(`job.agentId: an agent schedules jobs for itself only (caller "${caller.agentId}", asked "${agentId}")`);
    if (!agents.getAgent(agentId)) throw new ToolInputError(`job.agentId: unknown agent "${agentId}"`);
    return agentId;
  }

  private sessionFor(input: Pick<JobInput, "sessionTarget" | "sessionKey">, agentId: string, jobId: string): { sessionTarget: CronSessionTarget; sessionKey: string } {
    if (input.sessionKey) {
      const key = input.sessionKey.startsWith("agent:") ? input.sessionKey : `agent:${agentId}:${input.sessionKey}`;
      if (agentIdOfSessionKey(key) !== agentId) throw new ToolInputError(`job.sessionKey: "${input.sessionKey}" is not a session of agent "${agentId}"`);
      return { sessionTarget: "session", sessionKey: key };
    }
    if (input.sessionTarget === "isolated") return { sessionTarget: "isolated", sessionKey: `agent:${agentId}:cron:${jobId}` };
    return { sessionTarget: "main", sessionKey: mainSessionKey(agentId) };
  }
}

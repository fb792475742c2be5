/**
 * Runs due jobs through the agent service. One timer, armed for the earliest nextRunAtMs (capped
 * at the longest setTimeout and re-armed), no polling.
 *
 * Crash safety: a job's nextRunAtMs only moves past a slot once that slot's run has ended, and the
 * run's idempotency key is cron:<jobId>:<slot>. A gateway that stops mid-run therefore finds the
 * slot still due at start and asks for it again with the same key; the agent service answers with
 * the recorded outcome instead of running the turn twice. Slots missed while the gateway was down
 * collapse into that one run: the next slot is computed from the time the run ends.
 */
import type { AgentService } from "../../agents/types.ts";
import { ScheduleClock } from "./schedule.ts";
import type { CronStore } from "./store.ts";
import type { CronJob, CronRun } from "./types.ts";

/** setTimeout's longest delay; a later wake-up is reached by re-arming. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface CronClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: CronClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending job must not keep a process alive that has nothing else to do (tests, CLI).
    (t as { unref?: () => void }).unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface CronSettings {
  enabled: boolean;
  maxConcurrentRuns: number;
}

export interface SchedulerOptions {
  store: CronStore;
  runTurn: AgentService["runTurn"];
  settings: () => CronSettings;
  clock?: CronClock;
  schedule?: ScheduleClock;
  log?: { info(m: string): void; warn(m: string): void; error(m: string): void };
}

interface Pending {
  scheduledAtMs: number;
  manual: boolean;
  done: Array<(run: CronRun | undefined) => void>;
}

export class CronScheduler {
  private readonly clock: CronClock;
  readonly schedule: ScheduleClock;
  private timer: unknown;
  private wakeAt: number | null = null;
  private started = false;
  private readonly running = new Map<string, AbortController>();
  /** Manual runs waiting for a free slot. */
  private readonly forced = new Map<string, Pending>();

  constructor(private readonly o: SchedulerOptions) {
    this.clock = o.clock ?? systemClock;
    this.schedule = o.schedule ?? new ScheduleClock();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const stale = this.o.store.interruptStale(this.clock.now());
    if (stale > 0) this.o.log?.warn(`cron: ${stale} run(s) were in progress when the gateway last stopped; their slots are asked for again with the same idempotency key`);
    this.tick();
  }

  /** Stops the timer and aborts runs in flight (their slots stay due for the next start). */
  stop(): void {
    this.started = false;
    this.disarm();
    for (const c of this.running.values()) c.abort(new Error("gateway stopping"));
    this.running.clear();
    for (const p of this.forced.values()) for (const d of p.done) d(undefined);
    this.forced.clear();
  }

  /** Jobs or settings changed: start what is due, re-arm for the rest. */
  changed(): void {
    if (this.started) this.tick();
  }

  /** When the timer fires next (null: nothing scheduled, or cron disabled). */
  nextWakeAtMs(): number | null {
    return this.wakeAt;
  }

  isRunning(jobId: string): boolean {
    return this.running.has(jobId);
  }

  /**
   * Runs a job now (queued behind maxConcurrentRuns). Resolves when that run has ended with its
   * record, or with undefined when the gateway stopped first.
   */
  runNow(jobId: string): { queued: boolean; done: Promise<CronRun | undefined> } {
    const existing = this.forced.get(jobId);
    const done = new Promise<CronRun | undefined>((resolve) => {
      if (existing) existing.done.push(resolve);
      else this.forced.set(jobId, { scheduledAtMs: this.clock.now(), manual: true, done: [resolve] });
    });
    this.tick();
    return { queued: this.forced.has(jobId), done };
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeAt = null;
  }

  private tick(): void {
    this.disarm();
    if (!this.started) return;
    const settings = this.o.settings();
    if (!settings.enabled) return;
    const now = this.clock.now();
    const jobs = this.o.store.list();
    const byId = new Map(jobs.map((j) => [j.id, j]));
    const due: Array<{ job: CronJob; pending: Pending }> = [];
    for (const [id, p] of this.forced) {
      const job = byId.get(id);
      if (!job) {
        this.forced.delete(id);
        for (const d of p.done) d(undefined);
      } else if (!this.running.has(id)) {
        // Asked for while its slot is due: that is the slot's run, not an extra one.
        if (job.enabled && job.nextRunAtMs !== null && job.nextRunAtMs <= now) Object.assign(p, { scheduledAtMs: job.nextRunAtMs, manual: false });
        due.push({ job, pending: p });
      }
    }
    const scheduled = jobs
      .filter((j) => j.enabled && j.nextRunAtMs !== null && j.nextRunAtMs <= now && !this.running.has(j.id) && !this.forced.has(j.id))
      .sort((a, b) => a.nextRunAtMs! - b.nextRunAtMs!);
    for (const job of scheduled) due.push({ job, pending: { scheduledAtMs: job.nextRunAtMs!, manual: false, done: [] } });
    for (const { job, pending } of due) {
      if (this.running.size >= settings.maxConcurrentRuns) break;
      this.forced.delete(job.id);
      void this.run(job, pending);
    }
    // Due jobs left waiting start when a run ends; the timer is for the ones not yet due.
    let next: number | null = null;
    for (const j of jobs) {
      if (!j.enabled || j.nextRunAtMs === null || j.nextRunAtMs <= now || this.running.has(j.id)) continue;
      if (next === null || j.nextRunAtMs < next) next = j.nextRunAtMs;
    }
    if (next === null) return;
    this.wakeAt = next;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.tick();
    }, Math.min(Math.max(0, next - now), MAX_TIMER_MS));
  }

  private message(job: CronJob): string {
    return job.payload.kind === "agentTurn" ? job.payload.message : `System event: ${job.payload.text}`;
  }

  private async run(job: CronJob, p: Pending): Promise<void> {
    const { store } = this.o;
    const controller = new AbortController();
    this.running.set(job.id, controller);
    const runId = `cron:${job.id}:${p.scheduledAtMs}`;
    const startedAtMs = this.clock.now();
    let rowId: number | undefined;
    let status: "ok" | "error" = "ok";
    let error: string | null = null;
    try {
      rowId = store.startRun({ jobId: job.id, scheduledAtMs: p.scheduledAtMs, startedAtMs, runId, manual: p.manual });
      await this.o.runTurn({
        agentId: job.agentId, sessionKey: job.sessionKey, message: this.message(job), idempotencyKey: runId,
        channel: "cron", agentTools: true, signal: controller.signal,
      });
    } catch (err) {
      status = "error";
      error = (err as Error)?.message ?? String(err);
    }
    // Stopped meanwhile: the store may be closed, and the slot must stay due for the next start.
    if (this.running.get(job.id) !== controller) {
      for (const d of p.done) d(undefined);
      return;
    }
    this.running.delete(job.id);
    let record: CronRun | undefined;
    try {
      record = this.finish(job.id, p, rowId, startedAtMs, status, error);
    } catch (err) {
      this.o.log?.error(`cron: could not record the run of job ${job.id}: ${(err as Error).message}`);
    }
    if (status === "error") this.o.log?.warn(`cron: job ${job.id} (${job.name}) failed: ${error}`);
    for (const d of p.done) d(record);
    this.tick();
  }

  private finish(jobId: string, p: Pending, rowId: number | undefined, startedAtMs: number, status: "ok" | "error", error: string | null): CronRun | undefined {
    const { store } = this.o;
    const now = this.clock.now();
    if (rowId !== undefined) store.endRun(rowId, jobId, { endedAtMs: now, status, error });
    // Re-read: the job may have been edited or removed while it ran.
    const job = store.get(jobId);
    if (job) {
      const updated: CronJob = { ...job, lastRunAtMs: startedAtMs, lastStatus: status, lastError: error };
      if (job.schedule.kind === "at") {
        updated.enabled = false;
        updated.nextRunAtMs = null;
      } else if (!p.manual && job.nextRunAtMs === p.scheduledAtMs) {
        // Every slot missed meanwhile is covered by this run: the next one is after now.
        updated.nextRunAtMs = this.schedule.next(job.schedule, Math.max(now, p.scheduledAtMs), job.createdAtMs);
      }
      store.put(updated);
    }
    return rowId === undefined ? undefined : store.runs(jobId, 1)[0];
  }
}

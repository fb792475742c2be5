/**
 * Cron jobs and their run history in bun:sqlite (<state>/state/cron.sqlite). One statement or one
 * transaction per change, every commit fsync'd (openPrivateDatabase), so a job added is a job kept.
 */
import type { Database, Statement } from "bun:sqlite";
import { OpenOnFirstUse, openPrivateDatabase } from "../../store-file.ts";
import type { CronJob, CronRun, CronRunStatus } from "./types.ts";

const SCHEMA_VERSION = 1;
/** Run rows kept per job; older ones are dropped as new ones end. */
const RUNS_KEPT = 200;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  agent_id TEXT NOT NULL,
  session_target TEXT NOT NULL,
  session_key TEXT NOT NULL,
  schedule TEXT NOT NULL,
  payload TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  next_run_at INTEGER,
  last_run_at INTEGER,
  last_status TEXT,
  last_error TEXT
);
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  status TEXT NOT NULL,
  run_id TEXT NOT NULL,
  error TEXT,
  manual INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_by_job ON runs(job_id, id);
`;

interface JobRow {
  id: string; name: string; description: string | null; agent_id: string; session_target: string; session_key: string;
  schedule: string; payload: string; enabled: number; created_at: number; updated_at: number;
  next_run_at: number | null; last_run_at: number | null; last_status: string | null; last_error: string | null;
}

interface RunRow {
  id: number; job_id: string; scheduled_at: number; started_at: number; ended_at: number | null;
  status: string; run_id: string; error: string | null; manual: number;
}

function toJob(r: JobRow): CronJob {
  const job: CronJob = {
    id: r.id, name: r.name, agentId: r.agent_id, sessionTarget: r.session_target as CronJob["sessionTarget"], sessionKey: r.session_key,
    schedule: JSON.parse(r.schedule), payload: JSON.parse(r.payload), enabled: r.enabled === 1,
    createdAtMs: r.created_at, updatedAtMs: r.updated_at, nextRunAtMs: r.next_run_at, lastRunAtMs: r.last_run_at,
    lastStatus: r.last_status as CronJob["lastStatus"], lastError: r.last_error,
  };
  if (r.description !== null) job.description = r.description;
  return job;
}

function toRun(r: RunRow): CronRun {
  return {
    id: r.id, jobId: r.job_id, scheduledAtMs: r.scheduled_at, startedAtMs: r.started_at, endedAtMs: r.ended_at,
    status: r.status as CronRunStatus, runId: r.run_id, error: r.error, manual: r.manual === 1,
  };
}

function jobParams(j: CronJob): Record<string, string | number | null> {
  return {
    id: j.id, name: j.name, description: j.description ?? null, agent_id: j.agentId, session_target: j.sessionTarget, session_key: j.sessionKey,
    schedule: JSON.stringify(j.schedule), payload: JSON.stringify(j.payload), enabled: j.enabled ? 1 : 0,
    created_at: j.createdAtMs, updated_at: j.updatedAtMs, next_run_at: j.nextRunAtMs, last_run_at: j.lastRunAtMs,
    last_status: j.lastStatus, last_error: j.lastError,
  };
}

export class CronStore {
  private readonly q: Record<string, Statement>;

  private constructor(private readonly db: Database, readonly path: string) {
    db.run(SCHEMA);
    const version = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
    if (version > SCHEMA_VERSION) throw new Error(`cron store ${path} was written by a newer gateway (schema ${version})`);
    if (version < SCHEMA_VERSION) db.run(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    const cols = "id, name, description, agent_id, session_target, session_key, schedule, payload, enabled, created_at, updated_at, next_run_at, last_run_at, last_status, last_error";
    this.q = {
      // rowid breaks ties in insertion order (the upsert below keeps a job's rowid).
      all: db.query("SELECT * FROM jobs ORDER BY created_at, rowid"),
      get: db.query("SELECT * FROM jobs WHERE id = $id"),
      count: db.query("SELECT COUNT(*) AS n FROM jobs"),
      put: db.query(
        `INSERT INTO jobs (${cols}) VALUES (${cols.split(", ").map((c) => `$${c}`).join(", ")}) ` +
          `ON CONFLICT(id) DO UPDATE SET ${cols.split(", ").slice(1).map((c) => `${c} = excluded.${c}`).join(", ")}`,
      ),
      del: db.query("DELETE FROM jobs WHERE id = $id"),
      delRuns: db.query("DELETE FROM runs WHERE job_id = $id"),
      startRun: db.query(
        "INSERT INTO runs (job_id, scheduled_at, started_at, status, run_id, manual) VALUES ($job, $scheduled, $started, 'running', $runId, $manual) RETURNING id",
      ),
      endRun: db.query("UPDATE runs SET ended_at = $ended, status = $status, error = $error WHERE id = $id"),
      prune: db.query(
        "DELETE FROM runs WHERE job_id = $job AND id <= (SELECT id FROM runs WHERE job_id = $job ORDER BY id DESC LIMIT 1 OFFSET $kept)",
      ),
      runs: db.query("SELECT * FROM runs WHERE job_id = $job ORDER BY id DESC LIMIT $limit"),
      interrupt: db.query("UPDATE runs SET status = 'interrupted', ended_at = $now, error = 'the gateway stopped during this run' WHERE status = 'running'"),
    };
  }

  static open(path: string): CronStore {
    const db = openPrivateDatabase(path);
    try {
      return new CronStore(db, path);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  list(): CronJob[] {
    return (this.q.all!.all() as JobRow[]).map(toJob);
  }

  get(id: string): CronJob | undefined {
    const row = this.q.get!.get({ id }) as JobRow | null;
    return row ? toJob(row) : undefined;
  }

  count(): number {
    return (this.q.count!.get() as { n: number }).n;
  }

  /** Inserts or replaces the whole job. */
  put(job: CronJob): void {
    this.q.put!.run(jobParams(job));
  }

  remove(id: string): boolean {
    return this.db.transaction(() => {
      this.q.delRuns!.run({ id });
      return this.q.del!.run({ id }).changes > 0;
    })();
  }

  startRun(r: { jobId: string; scheduledAtMs: number; startedAtMs: number; runId: string; manual: boolean }): number {
    const row = this.q.startRun!.get({ job: r.jobId, scheduled: r.scheduledAtMs, started: r.startedAtMs, runId: r.runId, manual: r.manual ? 1 : 0 }) as { id: number };
    return row.id;
  }

  endRun(id: number, jobId: string, r: { endedAtMs: number; status: Exclude<CronRunStatus, "running">; error: string | null }): void {
    this.db.transaction(() => {
      this.q.endRun!.run({ id, ended: r.endedAtMs, status: r.status, error: r.error });
      this.q.prune!.run({ job: jobId, kept: RUNS_KEPT });
    })();
  }

  runs(jobId: string, limit: number): CronRun[] {
    return (this.q.runs!.all({ job: jobId, limit }) as RunRow[]).map(toRun);
  }

  /** Runs a previous process left "running" ended with it. */
  interruptStale(now: number): number {
    return this.q.interrupt!.run({ now }).changes;
  }

  close(): void {
    this.db.close();
  }
}

/** The store, opened the first time the scheduler needs it. */
export class CronStoreHandle extends OpenOnFirstUse<CronStore> {
  constructor(path: string) {
    super(path, (p) => CronStore.open(p));
  }
}

/** Scheduled jobs as stored and as the automations tool and the cron.* methods show them. */

export type CronSchedule =
  /** Once, at an ISO 8601 instant (stored normalised to UTC). */
  | { kind: "at"; at: string }
  /** Every `everyMs`, counted from `anchorMs` (default: when the job was created). */
  | { kind: "every"; everyMs: number; anchorMs?: number }
  /** A five-field cron expression, in `tz` (IANA) or the gateway's local time. */
  | { kind: "cron"; expr: string; tz?: string };

export type CronPayload =
  /** A user-style message the agent answers in the target session. */
  | { kind: "agentTurn"; message: string }
  /** A notice for the agent ("System event: <text>") in the target session. */
  | { kind: "systemEvent"; text: string };

/** "main": the agent's main session; "isolated": a session of the job's own; "session": an explicit key. */
export type CronSessionTarget = "main" | "isolated" | "session";

export type CronRunStatus = "running" | "ok" | "error" | "interrupted";

export interface CronJob {
  id: string;
  name: string;
  description?: string;
  agentId: string;
  sessionTarget: CronSessionTarget;
  sessionKey: string;
  schedule: CronSchedule;
  payload: CronPayload;
  enabled: boolean;
  createdAtMs: number;
  updatedAtMs: number;
  /** null once an `at` job has run, or when the schedule never fires again. */
  nextRunAtMs: number | null;
  lastRunAtMs: number | null;
  lastStatus: Exclude<CronRunStatus, "running"> | null;
  lastError: string | null;
}

export interface CronRun {
  id: number;
  jobId: string;
  /** The slot this run was for (the requested time for a manual run). */
  scheduledAtMs: number;
  startedAtMs: number;
  endedAtMs: number | null;
  status: CronRunStatus;
  /** The agent run (also the idempotency key: cron:<jobId>:<scheduledAtMs>). */
  runId: string;
  error: string | null;
  /** Manual (`run`) rather than due. */
  manual: boolean;
}

/** Scheduled jobs (cron.*). Schemas are built on first use (lazySchemas/lazyMethod): an idle gateway never holds them. */
import { z } from "zod";
import { lazyMethod, lazySchemas } from "./types.ts";

/** Pieces several methods share, built with the first of them. */
const shared = lazySchemas(() => {
  const ScheduleSchema = z
    .union([
      z.object({ kind: z.literal("at"), at: z.string() }),
      z.object({ kind: z.literal("every"), everyMs: z.number(), anchorMs: z.number().optional() }),
      z.object({ kind: z.literal("cron"), expr: z.string(), tz: z.string().optional() }),
    ])
    .describe("When the job runs: once at an ISO time, every N ms, or on a five-field cron expression");

  const PayloadSchema = z
    .union([z.object({ kind: z.literal("agentTurn"), message: z.string() }), z.object({ kind: z.literal("systemEvent"), text: z.string() })])
    .describe("What a run does: a message the agent answers, or a system event for the session");

  const CronJobSchema = z
    .object({
      id: z.string(), name: z.string(), description: z.string().optional(), agentId: z.string(),
      sessionTarget: z.enum(["main", "isolated", "session"]), sessionKey: z.string(),
      schedule: ScheduleSchema, payload: PayloadSchema, enabled: z.boolean(),
      createdAtMs: z.number(), updatedAtMs: z.number(), nextRunAtMs: z.number().nullable(), lastRunAtMs: z.number().nullable(),
      lastStatus: z.enum(["ok", "error", "interrupted"]).nullable(), lastError: z.string().nullable(),
    })
    .describe("A scheduled job");

  const JobIdParams = z.strictObject({
    id: z.string().min(1).optional().describe("The job id"),
    jobId: z.string().min(1).optional().describe("Same as id"),
  });

  return { CronJobSchema, JobIdParams };
});

export const cronList = lazyMethod({
  name: "cron.list",
  description: "Scheduled jobs of every agent, oldest first",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
  params: z.strictObject({
    includeDisabled: z.boolean().optional().describe("Include disabled jobs (default true)"),
    agentId: z.string().optional().describe("Only this agent's jobs"),
  }),
  result: z.strictObject({ jobs: z.array(shared().CronJobSchema) }),
}));

export const cronStatus = lazyMethod({
  name: "cron.status",
  description: "Whether scheduled jobs run, where they are stored, how many there are and when the scheduler wakes next",
  scope: "operator.read",
  lenientParams: true,
}, () => ({
  params: z.strictObject({}),
  result: z.strictObject({
    enabled: z.boolean(), triggersEnabled: z.boolean(), storePath: z.string(), storage: z.literal("sqlite"), sqlitePath: z.string(),
    jobs: z.int().min(0), nextWakeAtMs: z.number().nullable(),
  }),
}));

export const cronRemove = lazyMethod({
  name: "cron.remove",
  description: "Delete a job and its run history",
  scope: "operator.admin",
}, () => ({
  params: shared().JobIdParams,
  result: z.strictObject({ ok: z.literal(true), removed: z.boolean() }),
}));

export const cronRun = lazyMethod({
  name: "cron.run",
  description: "Start a job now (mode force, the default) or only if it is due (mode due); answers without waiting for the turn",
  scope: "operator.admin",
}, () => ({
  params: shared().JobIdParams.extend({ mode: z.enum(["force", "due"]).optional().describe("force (default) or due") }),
  result: z.strictObject({ ok: z.literal(true), ran: z.boolean(), queued: z.boolean().optional(), reason: z.string().optional() }),
}));

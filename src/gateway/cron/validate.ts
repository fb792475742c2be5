/**
 * What callers may send for a job (automations add/update), checked with zod; every problem comes
 * back as one message naming the field ("job.schedule.everyMs: …"). Fields the published tool
 * knows but this gateway does not use (wakeMode, delivery, …) are ignored, not refused.
 */
import { z } from "zod";
import { ToolInputError } from "../../agents/tools/types.ts";
import { CronParseError } from "./cron-expr.ts";
import { parseAt, type ScheduleClock } from "./schedule.ts";
import type { CronPayload, CronSchedule } from "./types.ts";

export const MIN_EVERY_MS = 60_000;
/** An `at` time this far in the past is refused as a mistake; less is clock skew and runs at once. */
const AT_PAST_TOLERANCE_MS = 60_000;

function build() {
  const at = z.union([z.string(), z.number()], { error: "must be an ISO 8601 date-time or epoch milliseconds" });
  const schedule = z.discriminatedUnion(
    "kind",
    [
      z.object({ kind: z.literal("at"), at }),
      z.object({ kind: z.literal("every"), everyMs: z.number().int().positive(), anchorMs: z.number().int().nonnegative().optional() }),
      z.object({ kind: z.literal("cron"), expr: z.string().trim().min(1), tz: z.string().trim().min(1).optional() }),
    ],
    { error: (iss) => (iss.code === "invalid_union" ? 'kind must be "at", "every" or "cron"' : undefined) },
  );
  const payload = z.discriminatedUnion(
    "kind",
    [
      z.object({ kind: z.literal("agentTurn"), message: z.string().trim().min(1).max(20_000) }),
      z.object({ kind: z.literal("systemEvent"), text: z.string().trim().min(1).max(20_000) }),
    ],
    { error: (iss) => (iss.code === "invalid_union" ? 'kind must be "agentTurn" or "systemEvent"' : undefined) },
  );
  const fields = {
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2_000),
    agentId: z.string().trim().min(1),
    schedule,
    payload,
    sessionTarget: z.enum(["main", "isolated"]),
    sessionKey: z.string().trim().min(1),
    enabled: z.boolean(),
  };
  const add = z.object({
    ...fields,
    name: fields.name.optional(),
    description: fields.description.optional(),
    agentId: fields.agentId.optional(),
    sessionTarget: fields.sessionTarget.optional(),
    sessionKey: fields.sessionKey.optional(),
    enabled: fields.enabled.optional(),
  });
  return { add, patch: add.partial() };
}

let built: ReturnType<typeof build> | undefined;
const schemas = () => (built ??= build());

export type JobInput = z.output<ReturnType<typeof build>["add"]>;
export type JobPatch = z.output<ReturnType<typeof build>["patch"]>;

function problems(error: z.ZodError, prefix: string): string {
  return error.issues.map((i) => `${[prefix, ...i.path].join(".")}: ${i.message}`).join("; ");
}

function unsupportedKind(v: unknown, field: "schedule" | "payload"): void {
  const kind = (v as { kind?: unknown } | null)?.[`kind`];
  const other = field === "schedule" ? ["stream"] : ["script"];
  if (typeof kind === "string" && other.includes(kind)) {
    throw new ToolInputError(`job.${field}.kind "${kind}" is not supported by this gateway (use ${field === "schedule" ? "at, every or cron" : "agentTurn or systemEvent"})`);
  }
}

export function parseJobInput(v: unknown): JobInput {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ToolInputError("job required: an object with schedule and payload");
  unsupportedKind((v as Record<string, unknown>).schedule, "schedule");
  unsupportedKind((v as Record<string, unknown>).payload, "payload");
  const r = schemas().add.safeParse(v);
  if (!r.success) throw new ToolInputError(`invalid job: ${problems(r.error, "job")}`);
  return r.data;
}

export function parseJobPatch(v: unknown): JobPatch {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ToolInputError("patch required: an object with the fields to change");
  unsupportedKind((v as Record<string, unknown>).schedule, "schedule");
  unsupportedKind((v as Record<string, unknown>).payload, "payload");
  const r = schemas().patch.safeParse(v);
  if (!r.success) throw new ToolInputError(`invalid patch: ${problems(r.error, "patch")}`);
  return r.data;
}

/** The schedule as stored, after the checks zod cannot make (times, expressions, minimum interval). */
export function normalizeSchedule(
  s: JobInput["schedule"],
  opts: { now: number; minEveryMs: number; clock: ScheduleClock; createdAtMs: number },
): CronSchedule {
  switch (s.kind) {
    case "at": {
      const ms = parseAt(s.at);
      if (!Number.isFinite(ms)) throw new ToolInputError(`job.schedule.at: ${JSON.stringify(s.at)} is not an ISO 8601 date-time or epoch milliseconds`);
      if (ms < opts.now - AT_PAST_TOLERANCE_MS) throw new ToolInputError(`job.schedule.at: ${new Date(ms).toISOString()} is in the past`);
      return { kind: "at", at: new Date(ms).toISOString() };
    }
    case "every":
      if (s.everyMs < opts.minEveryMs) throw new ToolInputError(`job.schedule.everyMs: must be at least ${opts.minEveryMs} (${opts.minEveryMs / 1000} s)`);
      return s.anchorMs === undefined ? { kind: "every", everyMs: s.everyMs } : { kind: "every", everyMs: s.everyMs, anchorMs: s.anchorMs };
    case "cron": {
      let next: number | null;
      try {
        next = opts.clock.cron(s.expr, s.tz).next(opts.now);
      } catch (err) {
        if (err instanceof CronParseError) throw new ToolInputError(`job.schedule: ${err.message}`);
        throw err;
      }
      if (next === null) throw new ToolInputError(`job.schedule.expr: "${s.expr}" never fires`);
      return s.tz ? { kind: "cron", expr: s.expr, tz: s.tz } : { kind: "cron", expr: s.expr };
    }
  }
}

export function normalizePayload(p: JobInput["payload"]): CronPayload {
  return p.kind === "agentTurn" ? { kind: "agentTurn", message: p.message } : { kind: "systemEvent", text: p.text };
}

/** A name when none was given: the start of the message. */
export function defaultName(p: CronPayload): string {
  const text = (p.kind === "agentTurn" ? p.message : p.text).replace(/\s+/g, " ").trim();
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

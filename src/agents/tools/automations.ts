/**
 * automations (policy alias `cron`): the agent schedules its own jobs — a message to itself at a
 * time, every interval, or on a cron expression — through the gateway's scheduler
 * (ToolServices.cron). The service validates; this is the model-facing surface.
 */
import { jsonResult, ToolInputError, type AgentTool } from "./types.ts";

const ACTIONS = ["status", "list", "get", "add", "update", "remove", "run", "runs", "next_check", "wake"];

const SCHEDULE = {
  type: "object",
  description:
    'When it runs: {kind:"at", at:"2026-12-24T09:00:00Z" (ISO 8601 or epoch ms)} once; {kind:"every", everyMs:3600000} (at least 60000); ' +
    '{kind:"cron", expr:"0 9 * * mon-fri", tz?:"Europe/Berlin"} (minute hour day-of-month month day-of-week)',
  properties: {
    kind: { type: "string", enum: ["at", "every", "cron"] },
    at: { type: ["string", "number"] },
    everyMs: { type: "integer", minimum: 1 },
    anchorMs: { type: "integer", minimum: 0 },
    expr: { type: "string" },
    tz: { type: "string" },
  },
  required: ["kind"],
};

const PAYLOAD = {
  type: "object",
  description: 'What happens: {kind:"agentTurn", message} a message you will answer; {kind:"systemEvent", text} a notice for the session',
  properties: { kind: { type: "string", enum: ["agentTurn", "systemEvent"] }, message: { type: "string" }, text: { type: "string" } },
  required: ["kind"],
};

const JOB = {
  type: "object",
  properties: {
    name: { type: "string" },
    description: { type: "string" },
    schedule: SCHEDULE,
    payload: PAYLOAD,
    sessionTarget: { type: "string", enum: ["main", "isolated"], description: "main (default): your main session; isolated: a session of the job's own" },
    sessionKey: { type: "string", description: "An explicit session of yours instead of sessionTarget" },
    enabled: { type: "boolean" },
  },
};

export const automationsTool: AgentTool = {
  name: "automations",
  description:
    "Schedule work for yourself: add/update/remove/list jobs that run at a time, every interval or on a cron schedule, " +
    "each starting a turn with its message. Also: status, get, run (now), runs (history), next_check, wake (a system event now).",
  parameters: {
    type: "object",
    properties: {
      action: { type: "string", enum: ACTIONS },
      jobId: { type: "string", description: "The job (get, update, remove, run, runs)" },
      job: { ...JOB, required: ["schedule", "payload"], description: "The new job (add)" },
      patch: { ...JOB, description: "Fields to change (update)" },
      runMode: { type: "string", enum: ["force", "due"], description: "run: force (default) runs now; due only if its time has come" },
      limit: { type: "integer", minimum: 1, maximum: 200, description: "runs: how many (default 20)" },
      includeDisabled: { type: "boolean", description: "list: include disabled jobs (default true)" },
      text: { type: "string", description: "wake: the event text" },
      mode: { type: "string", enum: ["now", "next-heartbeat"], description: "wake: now (default) starts a turn" },
    },
    required: ["action"],
    additionalProperties: true,
  },
  title: (args) => `Automations ${typeof args.action === "string" ? args.action : ""}`.trim(),
  async execute(args, ctx) {
    const action = args.action;
    if (typeof action !== "string" || !ACTIONS.includes(action)) throw new ToolInputError(`action must be one of ${ACTIONS.join(", ")}`);
    const cron = ctx.services?.cron;
    if (!cron) throw new Error("automations are not available on this gateway");
    return jsonResult(await cron.handle(action, args, { agentId: ctx.agentId, sessionKey: ctx.sessionKey }));
  },
};

import { ToolInputError } from "../../agents/tools/types.ts";
import { cronMethods, ErrorCodes, GatewayError } from "../../protocol/index.ts";
import type { CronService } from "../cron/service.ts";
import type { GatewayRuntime } from "../runtime.ts";
import { implement } from "./registry.ts";

/** The scheduler, opened on first use; a store that cannot open is a retryable UNAVAILABLE. */
async function cron(gw: GatewayRuntime): Promise<CronService> {
  try {
    return await gw.cron.service();
  } catch (err) {
    throw new GatewayError(ErrorCodes.UNAVAILABLE, (err as Error).message, { retryable: true });
  }
}

function jobIdOf(p: { id?: string; jobId?: string }): string {
  const id = p.id ?? p.jobId;
  if (!id) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "id required");
  return id;
}

/** Validation and unknown ids are the caller's to fix. */
function asRequestError(err: unknown): never {
  if (err instanceof ToolInputError) throw new GatewayError(ErrorCodes.INVALID_REQUEST, err.message);
  throw err;
}

export const cronListMethod = implement(cronMethods.cronList, async (p, { gw }) => {
  const filter: { includeDisabled?: boolean; agentId?: string } = {};
  if (p.includeDisabled !== undefined) filter.includeDisabled = p.includeDisabled;
  if (p.agentId) filter.agentId = p.agentId;
  return { jobs: (await cron(gw)).list(filter) };
});

export const cronStatusMethod = implement(cronMethods.cronStatus, async (_p, { gw }) => (await cron(gw)).status());

export const cronRemoveMethod = implement(cronMethods.cronRemove, async (p, { gw }) => {
  const id = jobIdOf(p);
  return { ok: true as const, removed: (await cron(gw)).remove(id) };
});

export const cronRunMethod = implement(cronMethods.cronRun, async (p, { gw }) => {
  const id = jobIdOf(p);
  const service = await cron(gw);
  try {
    const r = service.run(id, p.mode ?? "force");
    return r.ran ? { ok: true as const, ran: true, queued: r.queued } : { ok: true as const, ran: false, reason: r.reason };
  } catch (err) {
    asRequestError(err);
  }
});

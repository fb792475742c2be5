import { usageMethods } from "../../protocol/index.ts";
import { implement } from "./registry.ts";
import { withStore } from "./storage.ts";

export const usageStatusMethod = implement(usageMethods.usageStatus, async (params, { gw }) => {
  // The header parsing and the transcript query load with the first call, not with the gateway.
  const { buildUsageStatus } = await import("../usage-status.ts");
  return buildUsageStatus({
    config: gw.config,
    observations: gw.quotas.all(),
    usage: (since, recent) => withStore(() => gw.agents.sessions.usageSince(since, recent)),
    rateLimitsSince: gw.startedAt,
    agentId: params.agentId,
  });
});

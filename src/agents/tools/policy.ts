/**
 * Which tools an agent's model is shown: profile → global allow/deny → provider → agent → agent
 * provider, each layer only narrowing what the previous one left. Names and groups match the
 * published gateway, so its `tools.*` configs mean the same here.
 */
import type { OpenClawConfig } from "../../config/schema.ts";
import type { ToolProfile } from "../../config/sections/tools.ts";

/** Names that mean the same tool (policy entries are matched after mapping). */
const ALIASES: Record<string, string> = { bash: "exec", cron: "automations" };

export const TOOL_GROUPS: Record<string, readonly string[]> = {
  "group:fs": ["read", "write", "edit", "apply_patch", "ls"],
  "group:runtime": ["exec", "process", "code_execution"],
  "group:sessions": ["sessions_list", "sessions_history", "sessions_send", "sessions_spawn", "sessions_yield", "session_status"],
  "group:memory": ["memory_search", "memory_get"],
  "group:web": ["web_search", "x_search", "web_fetch"],
  "group:messaging": ["message"],
  "group:nodes": ["nodes", "computer"],
  "group:agents": ["agents_list"],
  "group:automation": ["automations", "gateway"],
};

/** Tools in each profile; `full` (and no profile) means every registered tool. */
const PROFILES: Record<Exclude<ToolProfile, "full">, readonly string[]> = {
  minimal: ["gateway", "session_status"],
  coding: [
    ...TOOL_GROUPS["group:fs"]!, ...TOOL_GROUPS["group:runtime"]!, ...TOOL_GROUPS["group:web"]!,
    ...TOOL_GROUPS["group:sessions"]!, ...TOOL_GROUPS["group:memory"]!, "automations",
  ],
  messaging: ["message", ...TOOL_GROUPS["group:sessions"]!, "gateway"],
};

interface PolicyScope {
  profile?: ToolProfile;
  allow?: string[];
  alsoAllow?: string[];
  deny?: string[];
}

const canonical = (name: string): string => {
  const lower = name.trim().toLowerCase();
  return ALIASES[lower] ?? lower;
};

/** A policy entry as a predicate over tool names: exact name, group, or a `*` glob. */
function matcher(entries: readonly string[]): (name: string) => boolean {
  const names = new Set<string>();
  const globs: RegExp[] = [];
  for (const raw of entries) {
    const e = raw.trim().toLowerCase();
    if (e === "") continue;
    const group = TOOL_GROUPS[e];
    if (group) for (const n of group) names.add(n);
    else if (e.includes("*")) globs.push(new RegExp(`^${e.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`));
    else names.add(canonical(e));
  }
  return (name) => names.has(name) || globs.some((g) => g.test(name));
}

/** One layer: what survives of `names`. */
function applyScope(names: string[], scope: PolicyScope | undefined, isBase: boolean): string[] {
  if (!scope) return names;
  let out = names;
  if (scope.profile && scope.profile !== "full") {
    const inProfile = new Set(PROFILES[scope.profile]);
    const extra = scope.alsoAllow ? matcher(scope.alsoAllow) : () => false;
    out = out.filter((n) => inProfile.has(n) || extra(n));
  } else if (isBase && scope.profile === undefined && scope.alsoAllow) {
    // alsoAllow without a profile adds to "full": nothing to add.
  }
  if (scope.allow) {
    const allowed = matcher(scope.allow);
    out = out.filter(allowed);
  }
  if (scope.deny) {
    const denied = matcher(scope.deny);
    out = out.filter((n) => !denied(n));
  }
  return out;
}

function providerScope(byProvider: Record<string, PolicyScope> | undefined, provider?: string, model?: string): PolicyScope | undefined {
  if (!byProvider || !provider) return undefined;
  return (model ? byProvider[`${provider}/${model}`] : undefined) ?? byProvider[provider];
}

/**
 * The tools (of `available`, in its order) the agent's model may call with this provider/model.
 * Deny wins at every layer; a later layer cannot bring back what an earlier one removed.
 */
export function allowedTools(
  available: readonly string[],
  config: OpenClawConfig,
  agentId: string,
  model?: { provider: string; model: string },
): string[] {
  const global = config.tools as (PolicyScope & { byProvider?: Record<string, PolicyScope> }) | undefined;
  const agentTools = (config.agents?.entries?.[agentId]?.tools ?? config.agents?.defaults?.tools) as PolicyScope | undefined;
  let names = [...available];
  names = applyScope(names, global, true);
  names = applyScope(names, providerScope(global?.byProvider, model?.provider, model?.model), false);
  names = applyScope(names, agentTools, false);
  return names;
}

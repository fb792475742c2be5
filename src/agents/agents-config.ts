import type { OpenClawConfig } from "../config/schema.ts";
import type { AgentSummary } from "./types.ts";

export const DEFAULT_AGENT_ID = "main";
export const DEFAULT_TURN_TIMEOUT_MS = 600_000;

/** An agent with its entry merged over agents.defaults. */
export interface ResolvedAgent {
  id: string;
  name?: string;
  isDefault: boolean;
  primaryModel?: string;
  fallbackModels: string[];
  systemPrompt?: string;
  timeoutMs: number;
  memorySearch?: { provider: string; model: string };
}

type ModelSetting = string | { primary: string; fallbacks?: string[] } | undefined;

function modelsOf(m: ModelSetting): { primary?: string; fallbacks: string[] } {
  if (m === undefined) return { fallbacks: [] };
  if (typeof m === "string") return { primary: m, fallbacks: [] };
  return { primary: m.primary, fallbacks: m.fallbacks ?? [] };
}

/**
 * The agent roster from config: each entry over the defaults, or a single "main" agent built
 * from the defaults when no entries are configured.
 */
export function resolveAgents(config: OpenClawConfig): Map<string, ResolvedAgent> {
  const defaults = config.agents?.defaults ?? {};
  const entries = Object.entries(config.agents?.entries ?? {});
  const list = entries.length ? entries : [[DEFAULT_AGENT_ID, {}] as const];
  const marked = entries.find(([, e]) => e.default)?.[0];
  const defaultId = marked ?? (list.some(([id]) => id === DEFAULT_AGENT_ID) ? DEFAULT_AGENT_ID : list[0]![0]);
  const out = new Map<string, ResolvedAgent>();
  for (const [id, entry] of list) {
    const e = entry as NonNullable<NonNullable<OpenClawConfig["agents"]>["entries"]>[string];
    const models = modelsOf(e.model ?? defaults.model);
    out.set(id, {
      id,
      name: e.name,
      isDefault: id === defaultId,
      primaryModel: models.primary,
      fallbackModels: models.fallbacks,
      systemPrompt: e.systemPrompt ?? defaults.systemPrompt,
      timeoutMs: Math.round((e.timeoutSeconds ?? defaults.timeoutSeconds ?? DEFAULT_TURN_TIMEOUT_MS / 1000) * 1000),
      memorySearch: e.memorySearch ?? defaults.memorySearch,
    });
  }
  return out;
}

export function summarize(a: ResolvedAgent): AgentSummary {
  const s: AgentSummary = { id: a.id, isDefault: a.isDefault };
  if (a.name) s.name = a.name;
  if (a.primaryModel) s.model = a.primaryModel;
  return s;
}

/** "provider/model" → parts; the model id may itself contain slashes. */
export function splitModelRef(ref: string): { provider: string; model: string } | null {
  const i = ref.indexOf("/");
  if (i <= 0 || i === ref.length - 1) return null;
  return { provider: ref.slice(0, i), model: ref.slice(i + 1) };
}

/**
 * The body of one turn: model call, then, while the model asks for gateway tools, a tool round
 * and another model call, until it answers in text. Client tools (the OpenAI-compatible API's
 * `tools`) end the turn instead: the client runs them.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import type { Logger } from "../logging/logger.ts";
import type { ResolvedAgent } from "./agents-config.ts";
import type { ChatMessage, Provider, StreamEvent, ToolCall, ToolDefinition, Usage } from "./providers/types.ts";
import { ProviderError } from "./providers/types.ts";
import type { SessionStore, StoredMessage } from "./sessions.ts";
import { persistAssistantRound, repairToolPairs, runToolBatch, ToolTally, type RoundDeps } from "./tool-round.ts";
import { DEFAULT_MAX_RESULT_CHARS } from "./tools/invoke.ts";
import { LoopGuard } from "./tools/loop-guard.ts";
import { allowedTools } from "./tools/policy.ts";
import type { ToolRegistry } from "./tools/registry.ts";
import type { AgentTool, ToolServices } from "./tools/types.ts";
import type { AgentService, TurnInput, TurnResult } from "./types.ts";

/** How much transcript a turn sends to the model; older turns stay on disk. */
export const CONTEXT_MESSAGES = 200;

export type ModelChain = Array<{ provider: Provider; ref: { provider: string; model: string } }>;

/** The agent's workspace for a run: its directory (created and seeded on first use) and prompt section. */
export interface WorkspaceProvider {
  prepare(agentId: string): Promise<{ dir: string; prompt?: string }>;
}

export interface TurnDeps {
  config: OpenClawConfig;
  sessions: SessionStore;
  log: Logger;
  agents: AgentService;
  /** The gateway tools; loaded on the first turn that offers them. */
  tools: () => Promise<ToolRegistry>;
  services?: () => Promise<ToolServices | undefined> | ToolServices | undefined;
  workspace?: WorkspaceProvider;
  onRawEvent?: (e: { runId: string; provider: string; model: string; event: StreamEvent }) => void;
}

export interface TurnRun {
  input: TurnInput;
  agent: ResolvedAgent;
  chain: ModelChain;
  runId: string;
  userMsg: StoredMessage;
  sessionId: string;
  acceptedAt: number;
  signal: AbortSignal;
}

/** What the caller needs when the turn fails part-way: the text of the round in progress. */
export class TurnProgress {
  text = "";
}

interface CallOutcome {
  text: string;
  toolCalls: ToolCall[];
  finish?: Extract<StreamEvent, { type: "finish" }>;
}

function toChatMessage(m: StoredMessage): ChatMessage {
  const c: ChatMessage = { role: m.role, content: m.content };
  if (m.toolCalls?.length) c.toolCalls = m.toolCalls;
  if (m.toolCallId) c.toolCallId = m.toolCallId;
  return c;
}

const addUsage = (a: Usage, b: Usage): Usage => ({ inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens });

export async function executeTurn(deps: TurnDeps, run: TurnRun, progress: TurnProgress): Promise<TurnResult> {
  const { input, agent, signal } = run;
  signal.throwIfAborted();
  const history = deps.sessions.history(input.sessionKey, { limit: CONTEXT_MESSAGES }).messages.filter((m) => m.id !== run.userMsg.id);
  const messages: ChatMessage[] = repairToolPairs([...history, run.userMsg].map(toChatMessage));
  const offer = input.agentTools && !input.tools?.length ? offerFor(await deps.tools(), deps.config, agent.id, run.chain[0]?.ref) : NO_OFFER;
  const gatewayTools = offer.tools;
  const workspace = gatewayTools.length && deps.workspace ? await deps.workspace.prepare(agent.id) : undefined;
  signal.throwIfAborted();
  const system = [agent.systemPrompt, workspace?.prompt, input.extraSystemPrompt].filter(Boolean).join("\n\n") || undefined;
  const toolDefs: ToolDefinition[] | undefined = gatewayTools.length ? offer.defs : input.tools;
  const byName = offer.byName;
  const toolsCfg = deps.config.tools;
  const guard = new LoopGuard(toolsCfg?.loopDetection);
  const tally = new ToolTally();
  const services = gatewayTools.length ? await deps.services?.() : undefined;
  const roundDeps: RoundDeps = {
    sessions: deps.sessions, sessionKey: input.sessionKey, agentId: agent.id, runId: run.runId, signal,
    maxResultChars: toolsCfg?.maxResultChars ?? DEFAULT_MAX_RESULT_CHARS,
    tool: (name) => byName.get(name),
    emit: (e) => input.onEvent?.(e),
    context: () => ({
      agents: deps.agents, agentId: agent.id, sessionKey: input.sessionKey, runId: run.runId, signal,
      workspaceDir: workspace?.dir, config: deps.config, services,
    }),
  };

  let usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let chain = run.chain;
  let rounds = 0;
  for (;;) {
    const offerTools = rounds < (toolsCfg?.maxRounds ?? Infinity);
    if (rounds > 0) input.onEvent?.({ type: "round", round: rounds });
    const { outcome, used } = await callModel(deps, run, chain, messages, system, offerTools ? toolDefs : undefined, progress);
    chain = [used];
    const callUsage = outcome.finish?.usage ?? { inputTokens: 0, outputTokens: 0 };
    usage = addUsage(usage, callUsage);
    const runHere = byName.size > 0 && outcome.toolCalls.length > 0;
    if (runHere && !offerTools) {
      // Past tools.maxRounds the model was offered no tools; calls it makes anyway are not run.
      return finish(deps, run, used.ref, { ...outcome, toolCalls: [] }, { usage, lastCallUsage: callUsage, rounds, tally, stopReason: "max_rounds" });
    }
    if (!runHere) return finish(deps, run, used.ref, outcome, { usage, lastCallUsage: callUsage, rounds, tally });
    rounds++;
    const stored = persistAssistantRound(roundDeps, outcome.text, outcome.toolCalls, { ...used.ref, usage: callUsage });
    messages.push(toChatMessage(stored));
    const verdict = guard.check(outcome.toolCalls);
    if (verdict.stop) {
      return finish(deps, run, used.ref, { text: verdict.stop, toolCalls: [] }, { usage, lastCallUsage: callUsage, rounds, tally, stopReason: "loop" });
    }
    const results = await runToolBatch(roundDeps, outcome.toolCalls, tally, verdict.block);
    if (verdict.warning) for (const r of results) r.content += `\n\n${verdict.warning}`;
    messages.push(...results);
    progress.text = "";
  }
}

/** The gateway tools an agent's model is offered: the tools, by name, and their definitions as the provider gets them. */
interface ToolOffer {
  tools: AgentTool[];
  byName: ReadonlyMap<string, AgentTool>;
  defs: ToolDefinition[];
}

const NO_OFFER: ToolOffer = { tools: [], byName: new Map(), defs: [] };

/**
 * Offers per registry and config snapshot, by agent and model. The offer depends on nothing else,
 * so it is built once per snapshot rather than on every turn; a hot reload brings a new config
 * object, and with it new offers (the old ones go with the old config).
 */
const offers = new WeakMap<ToolRegistry, WeakMap<OpenClawConfig, Map<string, ToolOffer>>>();

function offerFor(registry: ToolRegistry, config: OpenClawConfig, agentId: string, ref?: { provider: string; model: string }): ToolOffer {
  let byConfig = offers.get(registry);
  if (!byConfig) offers.set(registry, (byConfig = new WeakMap()));
  let byAgent = byConfig.get(config);
  if (!byAgent) byConfig.set(config, (byAgent = new Map()));
  const key = ref ? `${agentId}\0${ref.provider}\0${ref.model}` : agentId;
  let offer = byAgent.get(key);
  if (!offer) {
    const all = registry.list();
    const allowed = new Set(allowedTools(all.map((t) => t.name), config, agentId, ref));
    const tools = all.filter((t) => allowed.has(t.name));
    offer = {
      tools,
      byName: new Map(tools.map((t) => [t.name, t])),
      defs: tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })),
    };
    byAgent.set(key, offer);
  }
  return offer;
}

/** One provider call; on the first call of a turn a retryable failure before any output falls back along the chain. */
async function callModel(
  deps: TurnDeps, run: TurnRun, chain: ModelChain, messages: ChatMessage[], system: string | undefined,
  tools: ToolDefinition[] | undefined, progress: TurnProgress,
): Promise<{ outcome: CallOutcome; used: ModelChain[number] }> {
  const { input, signal } = run;
  let lastError: unknown;
  for (const link of chain) {
    const { provider, ref } = link;
    progress.text = "";
    try {
      input.onEvent?.({ type: "model", provider: ref.provider, model: ref.model });
      const toolCalls: ToolCall[] = [];
      let finish: CallOutcome["finish"];
      const stream = provider.stream({
        // A copy: the loop appends to `messages` while an adapter may still hold the request.
        model: ref.model, system, messages: [...messages], tools, toolChoice: tools ? input.toolChoice : undefined, sampling: input.sampling, signal,
      });
      for await (const ev of stream) {
        deps.onRawEvent?.({ runId: run.runId, provider: ref.provider, model: ref.model, event: ev });
        if (ev.type === "text") {
          progress.text += ev.delta;
          input.onEvent?.({ type: "delta", delta: ev.delta, text: progress.text });
        } else if (ev.type === "tool_call") {
          toolCalls.push(ev.call);
          if (!input.agentTools || input.tools?.length) input.onEvent?.({ type: "tool_call", call: ev.call });
        } else finish = ev;
      }
      signal.throwIfAborted();
      return { outcome: { text: progress.text, toolCalls, finish }, used: link };
    } catch (err) {
      lastError = err;
      if (signal.aborted) throw err;
      // Only a failure before any text may fall back to the next model.
      if (progress.text || !(err instanceof ProviderError) || !err.retryable) throw err;
      deps.log.warn(`model ${ref.provider}/${ref.model} failed (${err.message}); trying the next fallback`);
    }
  }
  throw lastError;
}

function finish(
  deps: TurnDeps, run: TurnRun, ref: { provider: string; model: string }, outcome: CallOutcome,
  t: { usage: Usage; lastCallUsage: Usage; rounds: number; tally: ToolTally; stopReason?: string },
): TurnResult {
  const { input, agent } = run;
  const endedAt = Date.now();
  const toolCalls = t.stopReason ? [] : outcome.toolCalls;
  const finishReason = t.stopReason ? "stop" : outcome.finish?.reason ?? (toolCalls.length ? "tool_calls" : "stop");
  const result: TurnResult = {
    runId: run.runId, agentId: agent.id, sessionKey: input.sessionKey, sessionId: run.sessionId, text: outcome.text, toolCalls,
    finishReason, usage: t.usage, provider: ref.provider, model: ref.model, startedAt: run.acceptedAt, endedAt,
    durationMs: endedAt - run.acceptedAt, assistantTurns: t.rounds + 1, lastCallUsage: t.lastCallUsage,
  };
  const summary = t.tally.summary();
  if (summary) {
    result.toolSummary = summary;
    result.successfulToolNames = t.tally.successfulToolNames();
  }
  if (t.stopReason) result.stopReason = t.stopReason;
  // The reply and the run's outcome commit together, so a replayed run always has its reply stored.
  const row = deps.sessions.batch(() => {
    const [stored] = deps.sessions.append(input.sessionKey, agent.id, [{
      role: "assistant", content: outcome.text, runId: run.runId, toolCalls: toolCalls.length ? toolCalls : undefined,
      meta: { provider: ref.provider, model: ref.model, finishReason, usage: t.lastCallUsage, ...(t.stopReason ? { stopReason: t.stopReason } : {}) },
    }]);
    deps.sessions.finishRun(run.runId, "ok", result);
    return stored!;
  });
  input.onEvent?.({ type: "persisted", message: row });
  return result;
}

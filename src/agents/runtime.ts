import type { OpenClawConfig } from "../config/schema.ts";
import type { Logger } from "../logging/logger.ts";
import type { ResolvedAgent } from "./agents-config.ts";
import { resolveAgents, splitModelRef, summarize } from "./agents-config.ts";
import { createProvider } from "./providers/index.ts";
import type { ChatMessage, Provider, StreamEvent, ToolCall } from "./providers/types.ts";
import { ProviderError } from "./providers/types.ts";
import type { RunStatus, SessionStore, StoreEvent, StoredMessage } from "./sessions.ts";
import { StorageError } from "./sessions.ts";
import type { AgentService, AgentSummary, EmbedOptions, TurnInput, TurnResult } from "./types.ts";
import { AgentError, agentIdOfSessionKey } from "./types.ts";
import { SessionLanes } from "./lanes.ts";

/** How much transcript a turn sends to the model; older turns stay on disk. */
const CONTEXT_MESSAGES = 200;
/** setTimeout's longest delay (~24.8 days); a longer one would fire after 1 ms, so a generous timeout is capped here. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface AgentRuntimeOptions {
  config: OpenClawConfig;
  store: SessionStore;
  logger: Logger;
  /** Tests inject fakes; by default adapters come from models.providers. */
  providerFactory?: (id: string, config: OpenClawConfig) => Provider | undefined;
  /** Sees every event a provider stream yields, as received (`--raw-stream`). Must not throw. */
  onRawEvent?: (e: { runId: string; provider: string; model: string; event: StreamEvent }) => void;
}

interface ActiveRun {
  runId: string;
  sessionKey: string;
  controller: AbortController;
}

function defaultProviderFactory(id: string, config: OpenClawConfig): Provider | undefined {
  const cfg = config.models?.providers?.[id];
  return cfg ? createProvider(id, cfg) : undefined;
}

/**
 * Runs agent turns: the user message is stored (durably) before anything else happens, turns on
 * one session run one at a time in arrival order, and every failure becomes a classified AgentError.
 */
export class AgentRuntime implements AgentService {
  readonly sessions: SessionStore;
  private agents: Map<string, ResolvedAgent>;
  private providers = new Map<string, Provider | undefined>();
  private active = new Map<string, ActiveRun>();
  private inflight = new Map<string, Promise<TurnResult>>();
  private lanes = new SessionLanes();
  private log: Logger;
  /** Final statuses the store could not take when the run ended (a full disk); written before the next turn. */
  private unrecorded = new Map<string, { status: RunStatus; error: { kind: string; message: string } }>();

  constructor(private opts: AgentRuntimeOptions) {
    this.sessions = opts.store;
    this.agents = resolveAgents(opts.config);
    this.log = opts.logger.child("agents");
    // One line when the store starts failing and one when it works again, with the file's path;
    // requests only carry the short reason. The latest runtime over a store is its listener.
    const storeLog = opts.logger.child("sessions");
    opts.store.onEvent = (e: StoreEvent) => {
      if (e.type === "fault") storeLog.error(`${e.error.message}. Session requests fail with UNAVAILABLE until it works again.`);
      else if (e.type === "recovered") storeLog.info(`session store ${opts.store.path} works again (after: ${e.after.reason})`);
      else storeLog.warn(`session store ${e.path} was removed while the gateway was running; written back from the open database`);
    };
  }

  listAgents(): AgentSummary[] {
    return [...this.agents.values()].map(summarize);
  }

  defaultAgentId(): string {
    for (const a of this.agents.values()) if (a.isDefault) return a.id;
    return this.agents.keys().next().value!;
  }

  getAgent(id: string): AgentSummary | undefined {
    const a = this.agents.get(id);
    return a && summarize(a);
  }

  activeRuns(sessionKey?: string): string[] {
    return [...this.active.values()].filter((r) => !sessionKey || r.sessionKey === sessionKey).map((r) => r.runId);
  }

  abort(sessionKey: string, runId?: string): string[] {
    const aborted: string[] = [];
    for (const r of this.active.values()) {
      if (r.sessionKey !== sessionKey || (runId && r.runId !== runId)) continue;
      r.controller.abort(new AgentError("aborted", "run aborted"));
      aborted.push(r.runId);
    }
    return aborted;
  }

  runTurn(input: TurnInput): Promise<TurnResult> {
    const key = input.idempotencyKey;
    if (!key) return this.startTurn(input);
    // A repeat while the first is still running shares its outcome.
    const running = this.inflight.get(key);
    if (running) return running.then((r) => ({ ...r, cached: true }));
    const p = this.startTurn(input).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  async embed(agentId: string, input: string[], opts: EmbedOptions = {}): Promise<number[][]> {
    const agent = this.requireAgent(agentId);
    const ms = agent.memorySearch;
    if (!ms) throw new AgentError("not_configured", `Agent "${agentId}" has no embedding provider (set agents.defaults.memorySearch.{provider,model}).`);
    let model = ms.model;
    if (opts.modelOverride) {
      const ref = splitModelRef(opts.modelOverride);
      if (!ref || ref.provider !== ms.provider) {
        throw new AgentError("invalid", "This agent does not allow that embedding provider on `/v1/embeddings`.");
      }
      model = ref.model;
    }
    const provider = this.provider(ms.provider);
    if (!provider?.embed) throw new AgentError("not_configured", `Provider "${ms.provider}" cannot produce embeddings.`);
    try {
      return await provider.embed({ model, input, dimensions: opts.dimensions, signal: opts.signal });
    } catch (err) {
      throw toAgentError(err);
    }
  }

  private requireAgent(id: string): ResolvedAgent {
    const a = this.agents.get(id);
    if (!a) throw new AgentError("unknown_agent", `Unknown agent '${id}'.`);
    return a;
  }

  private provider(id: string): Provider | undefined {
    if (!this.providers.has(id)) this.providers.set(id, (this.opts.providerFactory ?? defaultProviderFactory)(id, this.opts.config));
    return this.providers.get(id);
  }

  /** The models to try in order: an override alone, else the primary and its fallbacks. */
  private modelChain(agent: ResolvedAgent, override?: string): Array<{ provider: Provider; ref: { provider: string; model: string } }> {
    const refs = override ? [override] : agent.primaryModel ? [agent.primaryModel, ...agent.fallbackModels] : [];
    if (refs.length === 0) {
      throw new AgentError("not_configured", `Agent "${agent.id}" has no model configured. Set agents.defaults.model.primary ("provider/model") and models.providers.<id>.`);
    }
    return refs.map((r) => {
      const ref = splitModelRef(r);
      const provider = ref && this.provider(ref.provider);
      if (!ref || !provider) throw new AgentError("unknown_model", `Unknown model: ${r}. Configure the provider under models.providers.`);
      return { provider, ref };
    });
  }

  private async startTurn(input: TurnInput): Promise<TurnResult> {
    const agent = this.requireAgent(input.agentId);
    if (!input.message.trim()) throw new AgentError("invalid", "message must not be empty");
    if (agentIdOfSessionKey(input.sessionKey) !== agent.id) {
      throw new AgentError("invalid", `session key "${input.sessionKey}" does not belong to agent "${agent.id}"`);
    }
    const chain = this.modelChain(agent, input.modelOverride);
    const runId = input.runId ?? input.idempotencyKey ?? crypto.randomUUID();
    // SQLite's length() stops at a NUL, so such an id would fail the store's CHECK as a storage error.
    if (runId.includes("\0") || input.idempotencyKey?.includes("\0")) {
      throw new AgentError("invalid", "idempotencyKey must not contain NUL characters");
    }
    // The run record and the user message commit together: once acknowledged, both are on disk.
    // A store that cannot take them fails the turn here, before anything was acknowledged.
    const begun = storage(() => {
      this.recordPendingOutcomes();
      return this.sessions.batch(() => {
        const started = this.sessions.startRun({ runId, idempotencyKey: input.idempotencyKey, sessionKey: input.sessionKey, agentId: agent.id });
        if (!started.created) return { started };
        const [userMsg] = this.sessions.append(input.sessionKey, agent.id, [
          { role: "user", content: input.message, runId, meta: input.channel ? { channel: input.channel } : undefined },
        ]);
        return { started, userMsg: userMsg!, session: this.sessions.getSession(input.sessionKey)! };
      });
    });
    if (!begun.userMsg) return replay(begun.started.run);
    const { userMsg, session } = begun;
    const acceptedAt = Date.now();
    input.onEvent?.({ type: "accepted", runId, agentId: agent.id, sessionKey: input.sessionKey, sessionId: session.sessionId, acceptedAt });

    const controller = new AbortController();
    const timeoutMs = input.timeoutMs ?? agent.timeoutMs;
    const timer = setTimeout(() => controller.abort(new AgentError("timeout", `agent run timed out after ${timeoutMs}ms`)), Math.min(timeoutMs, MAX_TIMER_MS));
    const onCallerAbort = () => controller.abort(new AgentError("aborted", "run aborted"));
    input.signal?.addEventListener("abort", onCallerAbort, { once: true });
    if (input.signal?.aborted) onCallerAbort();
    this.active.set(runId, { runId, sessionKey: input.sessionKey, controller });
    try {
      return await this.lanes.run(input.sessionKey, () =>
        this.execute({ input, agent, chain, runId, userMsg, sessionId: session!.sessionId, acceptedAt, signal: controller.signal }),
      );
    } catch (err) {
      const e = controller.signal.aborted && controller.signal.reason instanceof AgentError ? controller.signal.reason : toAgentError(err);
      this.recordOutcome(runId, e.kind === "timeout" ? "timeout" : e.kind === "aborted" ? "aborted" : "error", { kind: e.kind, message: e.message });
      this.log.warn(`run ${runId} failed: ${e.message}`, { agent: agent.id, kind: e.kind });
      throw e;
    } finally {
      clearTimeout(timer);
      input.signal?.removeEventListener("abort", onCallerAbort);
      this.active.delete(runId);
    }
  }

  /** Marks a failed run finished; when the store cannot take it now, keeps it for the next turn. */
  private recordOutcome(runId: string, status: RunStatus, error: { kind: string; message: string }): void {
    try {
      this.sessions.finishRun(runId, status, undefined, error);
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      this.unrecorded.set(runId, { status, error });
    }
  }

  /** Writes the outcomes a failing store could not take; throws StorageError while it still fails. */
  private recordPendingOutcomes(): void {
    for (const [runId, o] of this.unrecorded) {
      this.sessions.finishRun(runId, o.status, undefined, o.error);
      this.unrecorded.delete(runId);
    }
  }

  private async execute(run: {
    input: TurnInput; agent: ResolvedAgent; chain: ReturnType<AgentRuntime["modelChain"]>; runId: string;
    userMsg: StoredMessage; sessionId: string; acceptedAt: number; signal: AbortSignal;
  }): Promise<TurnResult> {
    const { input, agent, signal } = run;
    signal.throwIfAborted();
    const history = this.sessions.history(input.sessionKey, { limit: CONTEXT_MESSAGES }).messages.filter((m) => m.id !== run.userMsg.id);
    const messages: ChatMessage[] = [...history, run.userMsg].map(toChatMessage);
    const system = [agent.systemPrompt, input.extraSystemPrompt].filter(Boolean).join("\n\n") || undefined;
    let lastError: unknown;
    for (const { provider, ref } of run.chain) {
      let text = "";
      try {
        input.onEvent?.({ type: "model", provider: ref.provider, model: ref.model });
        const toolCalls: ToolCall[] = [];
        let finish: Extract<StreamEvent, { type: "finish" }> | undefined;
        const stream = provider.stream({ model: ref.model, system, messages, tools: input.tools, toolChoice: input.toolChoice, sampling: input.sampling, signal });
        const onRaw = this.opts.onRawEvent;
        for await (const ev of stream) {
          onRaw?.({ runId: run.runId, provider: ref.provider, model: ref.model, event: ev });
          if (ev.type === "text") {
            text += ev.delta;
            input.onEvent?.({ type: "delta", delta: ev.delta, text });
          } else if (ev.type === "tool_call") {
            toolCalls.push(ev.call);
            input.onEvent?.({ type: "tool_call", call: ev.call });
          } else finish = ev;
        }
        signal.throwIfAborted();
        const endedAt = Date.now();
        const finishReason = finish?.reason ?? (toolCalls.length ? "tool_calls" : "stop");
        const usage = finish?.usage ?? { inputTokens: 0, outputTokens: 0 };
        const result: TurnResult = {
          runId: run.runId, agentId: agent.id, sessionKey: input.sessionKey, sessionId: run.sessionId, text, toolCalls,
          finishReason, usage, provider: ref.provider, model: ref.model, startedAt: run.acceptedAt, endedAt,
          durationMs: endedAt - run.acceptedAt,
        };
        // The reply and the run's outcome commit together, so a replayed run always has its reply stored.
        this.sessions.batch(() => {
          this.sessions.append(input.sessionKey, agent.id, [{
            role: "assistant", content: text, runId: run.runId, toolCalls: toolCalls.length ? toolCalls : undefined,
            meta: { provider: ref.provider, model: ref.model, finishReason, usage },
          }]);
          this.sessions.finishRun(run.runId, "ok", result);
        });
        return result;
      } catch (err) {
        lastError = err;
        if (signal.aborted) {
          // Keep what the model had said before the abort: the transcript shows the partial reply.
          if (text) this.sessions.append(input.sessionKey, agent.id, [{ role: "assistant", content: text, runId: run.runId, meta: { aborted: true } }]);
          throw err;
        }
        // Only a failure before any text may fall back to the next model.
        if (text || !(err instanceof ProviderError) || !err.retryable) throw err;
        this.log.warn(`model ${ref.provider}/${ref.model} failed (${err.message}); trying the next fallback`);
      }
    }
    throw lastError;
  }
}

function toChatMessage(m: StoredMessage): ChatMessage {
  const c: ChatMessage = { role: m.role, content: m.content };
  if (m.toolCalls?.length) c.toolCalls = m.toolCalls;
  if (m.toolCallId) c.toolCallId = m.toolCallId;
  return c;
}

/** Runs store work whose StorageError must reach the doors as AgentError "storage". */
function storage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof StorageError ? toAgentError(err) : err;
  }
}

export function toAgentError(err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  if (err instanceof StorageError) return new AgentError("storage", err.publicMessage, undefined, err);
  if (err instanceof ProviderError) {
    if (err.kind === "not_found") return new AgentError("unknown_model", err.message, err);
    if (err.kind === "aborted") return new AgentError("aborted", "run aborted", err);
    return new AgentError("provider", err.message, err);
  }
  return new AgentError("provider", err instanceof Error ? err.message : String(err));
}

/** A finished run found by its idempotencyKey: its result again, or its failure again. */
function replay(run: { status: string; result?: unknown; error?: unknown; runId: string }): TurnResult {
  if (run.status === "ok" && run.result) return { ...(run.result as TurnResult), cached: true };
  if (run.status === "running") throw new AgentError("conflict", `run ${run.runId} is still in progress`);
  if (run.status === "interrupted") {
    throw new AgentError("conflict", `run ${run.runId} was interrupted by a gateway restart; retry with a new idempotencyKey`);
  }
  const e = (run.error ?? {}) as { kind?: AgentError["kind"]; message?: string };
  throw new AgentError(e.kind ?? "provider", e.message ?? `run ${run.runId} failed`);
}

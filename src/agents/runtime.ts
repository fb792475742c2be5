import type { OpenClawConfig } from "../config/schema.ts";
import type { Logger } from "../logging/logger.ts";
import type { ResolvedAgent } from "./agents-config.ts";
import { resolveAgents, splitModelRef, summarize } from "./agents-config.ts";
import { createProvider } from "./providers/index.ts";
import type { Provider, StreamEvent } from "./providers/types.ts";
import { ProviderError } from "./providers/types.ts";
import type { RunStatus, SessionStore, StoreEvent } from "./sessions.ts";
import { StorageError } from "./sessions.ts";
import type { AgentService, AgentSummary, EmbedOptions, TurnInput, TurnResult } from "./types.ts";
import { AgentError, agentIdOfSessionKey } from "./types.ts";
import { SessionLanes } from "./lanes.ts";
import type { ToolRegistry } from "./tools/registry.ts";
import type { ToolServices } from "./tools/types.ts";
import { executeTurn, TurnProgress, type TurnDeps, type WorkspaceProvider } from "./turn.ts";
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
  /** The gateway tools (default: every built-in tool). */
  tools?: ToolRegistry;
  /** Gateway capabilities for tools (channels, nodes, approvals, cron); read at each turn. */
  toolServices?: () => Promise<ToolServices | undefined> | ToolServices | undefined;
  workspace?: WorkspaceProvider;
  /** What tools see as "the agent service" (the gateway's swappable facade, so a reload is followed). */
  self?: () => AgentService;
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
  private turnDeps: TurnDeps;

  constructor(private opts: AgentRuntimeOptions) {
    this.sessions = opts.store;
    this.agents = resolveAgents(opts.config);
    this.log = opts.logger.child("agents");
    const runtime = this;
    this.turnDeps = {
      config: opts.config, sessions: opts.store, log: this.log,
      // The tool modules load with the first turn that uses tools, not with the gateway.
      tools: opts.tools ? async () => opts.tools! : lazyRegistry,
      services: opts.toolServices, workspace: opts.workspace, onRawEvent: opts.onRawEvent,
      get agents() {
        return opts.self?.() ?? runtime;
      },
    };
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
    input.onEvent?.({ type: "persisted", message: userMsg });
    const progress = new TurnProgress();
    try {
      return await this.lanes.run(input.sessionKey, () =>
        executeTurn(this.turnDeps, { input, agent, chain, runId, userMsg, sessionId: session!.sessionId, acceptedAt, signal: controller.signal }, progress),
      );
    } catch (err) {
      // Keep what the model had said before an abort: the transcript shows the partial reply.
      if (controller.signal.aborted && progress.text) {
        try {
          this.sessions.append(input.sessionKey, agent.id, [{ role: "assistant", content: progress.text, runId, meta: { aborted: true } }]);
        } catch (e) {
          if (!(e instanceof StorageError)) throw e;
        }
      }
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

}

let registryLoad: Promise<ToolRegistry> | undefined;
/** The built-in tools: stateless, so one registry serves every runtime in the process. */
function lazyRegistry(): Promise<ToolRegistry> {
  return (registryLoad ??= import("./tools/registry.ts").then((m) => m.createToolRegistry()));
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

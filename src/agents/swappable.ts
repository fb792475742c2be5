import type { SessionStore } from "./sessions.ts";
import type { AgentService, AgentSummary, EmbedOptions, TurnInput, TurnResult } from "./types.ts";

/**
 * A stable AgentService whose implementation can be replaced when agents or models change at run
 * time (hot reload). Runs already under way finish on the instance that started them, and stay
 * reachable for abort until they do.
 */
export class SwappableAgents implements AgentService {
  private retired = new Set<AgentService>();

  constructor(private current: AgentService) {}

  replace(next: AgentService): void {
    if (this.current.activeRuns().length > 0) this.retired.add(this.current);
    this.current = next;
    for (const old of this.retired) if (old.activeRuns().length === 0) this.retired.delete(old);
  }

  get sessions(): SessionStore {
    return this.current.sessions;
  }

  listAgents(): AgentSummary[] {
    return this.current.listAgents();
  }

  defaultAgentId(): string {
    return this.current.defaultAgentId();
  }

  getAgent(id: string): AgentSummary | undefined {
    return this.current.getAgent(id);
  }

  runTurn(input: TurnInput): Promise<TurnResult> {
    return this.current.runTurn(input);
  }

  embed(agentId: string, input: string[], opts?: EmbedOptions): Promise<number[][]> {
    return this.current.embed(agentId, input, opts);
  }

  abort(sessionKey: string, runId?: string): string[] {
    return [this.current, ...this.retired].flatMap((a) => a.abort(sessionKey, runId));
  }

  activeRuns(sessionKey?: string): string[] {
    return [this.current, ...this.retired].flatMap((a) => a.activeRuns(sessionKey));
  }
}

/**
 * The gateway's metrics: instances of the catalog's declarations, recorded at the few choke points
 * every message already passes (handshake outcome, response write, bus write, agent service and
 * provider seams) and sampled at scrape time for what is state rather than a count.
 */
import type { AgentService, EmbedOptions, TurnInput, TurnResult } from "../agents/types.ts";
import { AgentError } from "../agents/types.ts";
import type { Provider } from "../agents/providers/types.ts";
import { ProviderError } from "../agents/providers/types.ts";
import { METRICS, type MetricKey } from "./catalog.ts";
import { createMetric, renderMetrics, type AnyMetric, type Counter, type Gauge, type Histogram } from "./registry.ts";

type Instance<K extends MetricKey> = (typeof METRICS)[K]["type"] extends "counter" ? Counter : (typeof METRICS)[K]["type"] extends "gauge" ? Gauge : Histogram;

/** What only the running gateway knows, read at scrape time. */
export interface MetricsSample {
  connections: Array<{ role: string; phase: string; count: number }>;
  eventLoop: { p99Ms: number; maxMs: number };
  uptimeSeconds: number;
  version: string;
}

export class GatewayMetrics {
  private readonly all = new Map<MetricKey, AnyMetric>();

  constructor() {
    for (const key of Object.keys(METRICS) as MetricKey[]) this.all.set(key, createMetric(METRICS[key]));
  }

  private m<K extends MetricKey>(key: K): Instance<K> {
    return this.all.get(key) as Instance<K>;
  }

  handshake(code: string | null, count = 1): void {
    this.m("handshakes").inc(code === null ? ["ok", ""] : ["error", code], count);
  }

  upgradeRefused(reason: "rate_limited" | "budget_address" | "budget_total"): void {
    this.m("upgradesRefused").inc([reason]);
  }

  /** `method` must be a registered name or "(unknown)": label values never come from clients. */
  request(method: string, code: string, seconds: number): void {
    this.m("requests").inc([method, code]);
    this.m("requestDuration").observe([method], seconds);
  }

  eventsSent(event: string, count: number): void {
    if (count > 0) this.m("eventsSent").inc([event], count);
  }

  slowConsumer(): void {
    this.m("slowConsumers").inc();
  }

  httpRequest(route: string, status: number): void {
    this.m("httpRequests").inc([route, String(status)]);
  }

  agentRun(outcome: string, seconds?: number): void {
    this.m("agentRuns").inc([outcome]);
    if (seconds !== undefined) this.m("agentRunDuration").observe([], seconds);
  }

  providerCall(provider: string, outcome: string, seconds: number, firstEventSeconds?: number): void {
    this.m("providerLatency").observe([provider, outcome], seconds);
    if (firstEventSeconds !== undefined) this.m("providerFirstByte").observe([provider], firstEventSeconds);
  }

  /** The text exposition, with the sampled gauges taken now. */
  render(sample: MetricsSample): string {
    const conns = this.m("connections");
    conns.reset();
    for (const c of sample.connections) conns.set([c.role, c.phase], c.count);
    const mem = process.memoryUsage();
    this.m("rss").set([], mem.rss);
    this.m("heap").set([], mem.heapUsed);
    this.m("eventLoopLag").set(["0.99"], sample.eventLoop.p99Ms / 1000);
    this.m("eventLoopLag").set(["1"], sample.eventLoop.maxMs / 1000);
    this.m("uptime").set([], sample.uptimeSeconds);
    this.m("build").set([sample.version], 1);
    return renderMetrics(this.all.values());
  }

  /** The agent service with every turn counted by outcome. */
  instrumentAgents(agents: AgentService): AgentService {
    const metrics = this;
    return {
      get sessions() {
        return agents.sessions;
      },
      listAgents: () => agents.listAgents(),
      defaultAgentId: () => agents.defaultAgentId(),
      getAgent: (id: string) => agents.getAgent(id),
      embed: (agentId: string, input: string[], opts?: EmbedOptions) => agents.embed(agentId, input, opts),
      abort: (sessionKey: string, runId?: string) => agents.abort(sessionKey, runId),
      activeRuns: (sessionKey?: string) => agents.activeRuns(sessionKey),
      async runTurn(input: TurnInput): Promise<TurnResult> {
        const t0 = performance.now();
        try {
          const result = await agents.runTurn(input);
          if (result.cached) metrics.agentRun("replayed");
          else metrics.agentRun("ok", (performance.now() - t0) / 1000);
          return result;
        } catch (err) {
          metrics.agentRun(err instanceof AgentError ? err.kind : "error", (performance.now() - t0) / 1000);
          throw err;
        }
      },
    };
  }

  /** The provider with each stream timed to its first and last event. */
  instrumentProvider(provider: Provider): Provider {
    const metrics = this;
    const wrapped: Provider = {
      id: provider.id,
      api: provider.api,
      async *stream(req) {
        const t0 = performance.now();
        let first: number | undefined;
        // Left unset when the consumer stops early (abort, tool call hand-back).
        let outcome = "cancelled";
        try {
          for await (const event of provider.stream(req)) {
            first ??= (performance.now() - t0) / 1000;
            yield event;
          }
          outcome = "ok";
        } catch (err) {
          outcome = err instanceof ProviderError ? err.kind : "error";
          throw err;
        } finally {
          metrics.providerCall(provider.id, outcome, (performance.now() - t0) / 1000, first);
        }
      },
    };
    if (provider.embed) wrapped.embed = provider.embed.bind(provider);
    return wrapped;
  }
}

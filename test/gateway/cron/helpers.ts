// A manual clock, a scripted agent service and a cron service over a store in a temp dir.
import { join } from "node:path";
import type { AgentService, TurnInput, TurnResult } from "../../../src/agents/types.ts";
import { AgentError } from "../../../src/agents/types.ts";
import type { CronClock, CronSettings } from "../../../src/gateway/cron/scheduler.ts";
import { CronService } from "../../../src/gateway/cron/service.ts";
import { CronStore } from "../../../src/gateway/cron/store.ts";
import { tempDir } from "../../fixtures/gateway.ts";

export const T0 = Date.parse("2026-03-07T10:00:00Z");

export class FakeClock implements CronClock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private n = 0;
  /** Every delay the scheduler asked for. */
  readonly delays: number[] = [];
  constructor(public t = T0) {}

  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.delays.push(ms);
    const id = ++this.n;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward, firing due timers in order and letting the runs they start settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = [...this.timers.entries()].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = Math.max(this.t, due[1].at);
      due[1].fn();
    }
    this.t = end;
    await settle();
  }
}

/** Lets promise chains (runTurn → finish → tick) run to completion. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

interface Deferred {
  input: TurnInput;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * runTurn records its input; by default it answers at once. `hold` keeps turns open until
 * released; `failWith` makes them fail. Idempotency keys are remembered like the real service does.
 */
export class FakeAgents {
  readonly calls: TurnInput[] = [];
  readonly open: Deferred[] = [];
  hold = false;
  failWith: string | null = null;
  readonly outcomes = new Map<string, "ok" | "interrupted">();

  service(): AgentService {
    return {
      listAgents: () => [{ id: "main", isDefault: true }, { id: "ops", isDefault: false }],
      defaultAgentId: () => "main",
      getAgent: (id: string) => (id === "main" || id === "ops" ? { id, isDefault: id === "main" } : undefined),
      runTurn: (input: TurnInput) => this.runTurn(input),
      embed: async () => [],
      abort: () => [],
      activeRuns: () => [],
      sessions: {} as AgentService["sessions"],
    } as AgentService;
  }

  private runTurn(input: TurnInput): Promise<TurnResult> {
    this.calls.push(input);
    const key = input.idempotencyKey!;
    const seen = this.outcomes.get(key);
    if (seen === "ok") return Promise.resolve(result(input, true));
    if (seen === "interrupted") return Promise.reject(new AgentError("conflict", `run ${key} was interrupted by a gateway restart`));
    if (this.failWith) return Promise.reject(new AgentError("provider", this.failWith));
    if (!this.hold) {
      this.outcomes.set(key, "ok");
      return Promise.resolve(result(input));
    }
    this.outcomes.set(key, "interrupted");
    return new Promise((resolve, reject) => {
      this.open.push({
        input,
        resolve: () => {
          this.outcomes.set(key, "ok");
          resolve(result(input));
        },
        reject,
      });
      input.signal?.addEventListener("abort", () => reject(input.signal!.reason), { once: true });
    });
  }
}

function result(input: TurnInput, cached = false): TurnResult {
  return {
    runId: input.idempotencyKey!, agentId: input.agentId, sessionKey: input.sessionKey, sessionId: "s1", text: "done", toolCalls: [],
    finishReason: "stop", usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0 } as TurnResult["usage"], provider: "fake", model: "echo",
    startedAt: 0, endedAt: 0, durationMs: 0, ...(cached ? { cached } : {}),
  };
}

export interface Harness {
  service: CronService;
  store: CronStore;
  clock: FakeClock;
  agents: FakeAgents;
  settings: CronSettings;
  path: string;
  /** Stops the scheduler and closes the store (a gateway stopping). */
  close(): void;
  /** A new store and scheduler on the same file and clock (a gateway starting again). */
  reopen(): Harness;
}

export function harness(opts: { path?: string; clock?: FakeClock; agents?: FakeAgents; settings?: Partial<CronSettings>; minEveryMs?: number } = {}): Harness {
  const path = opts.path ?? join(tempDir("cron-"), "state", "cron.sqlite");
  const clock = opts.clock ?? new FakeClock();
  const agents = opts.agents ?? new FakeAgents();
  const settings: CronSettings = { enabled: true, maxConcurrentRuns: 1, ...opts.settings };
  const store = CronStore.open(path);
  const svc = agents.service();
  const service = new CronService({ store, agents: () => svc, settings: () => settings, clock, minEveryMs: opts.minEveryMs });
  service.start();
  const h: Harness = {
    service, store, clock, agents, settings, path,
    close: () => {
      service.stop();
      store.close();
    },
    reopen: () => harness({ path, clock, agents, settings, minEveryMs: opts.minEveryMs }),
  };
  return h;
}

export const MAIN = { agentId: "main", sessionKey: "agent:main:main" };

/**
 * The gateway's cron scheduler, loaded and opened on first use. A gateway with no cron store on
 * disk pays nothing at start-up (one existsSync); one that has jobs starts its scheduler right
 * after listening. Implements CronToolService, so `gw.cron` can be handed to the tool loop as is.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CronToolService } from "../../agents/tools/types.ts";
import type { AgentService } from "../../agents/types.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { CronClock, CronSettings } from "./scheduler.ts";
import type { CronService } from "./service.ts";
import type { CronStore } from "./store.ts";

export interface CronHandleOptions {
  path: string;
  agents: () => AgentService;
  config: () => OpenClawConfig;
  log: { info(m: string): void; warn(m: string): void; error(m: string): void };
  /** Records a system event for a session (the gateway's system-event queue). */
  queueSystemEvent?: (e: { text: string; ts: number; sessionKey: string; source: string }) => void;
  clock?: CronClock;
  minEveryMs?: number;
}

export function cronStorePath(stateDir: string): string {
  return join(stateDir, "state", "cron.sqlite");
}

export function cronSettings(config: OpenClawConfig): CronSettings {
  return { enabled: config.cron?.enabled !== false, maxConcurrentRuns: config.cron?.maxConcurrentRuns ?? 1 };
}

export class CronHandle implements CronToolService {
  private loading?: Promise<CronService>;
  private opened?: { service: CronService; store: CronStore };
  private closed = false;

  constructor(private readonly o: CronHandleOptions) {}

  get path(): string {
    return this.o.path;
  }

  /** The running service; opens the store and starts the scheduler the first time. */
  service(): Promise<CronService> {
    if (this.closed) return Promise.reject(new Error("the gateway is stopping"));
    this.loading ??= this.open().catch((err: unknown) => {
      this.loading = undefined;
      this.o.log.error(`cron: cannot open ${this.o.path}: ${(err as Error).message}`);
      throw new Error(`cron store unavailable: ${(err as Error).message}`);
    });
    return this.loading;
  }

  private async open(): Promise<CronService> {
    const [{ CronService }, { CronStore }] = await Promise.all([import("./service.ts"), import("./store.ts")]);
    if (this.closed) throw new Error("the gateway is stopping");
    const store = CronStore.open(this.o.path);
    const o = this.o;
    const service = new CronService({
      store, agents: o.agents, settings: () => cronSettings(o.config()), clock: o.clock, minEveryMs: o.minEveryMs, log: o.log,
      wake: ({ agentId, sessionKey, text, mode }) => {
        o.queueSystemEvent?.({ text, ts: Date.now(), sessionKey, source: "cron" });
        if (mode !== "now") return;
        o.agents()
          .runTurn({ agentId, sessionKey, message: `System event: ${text}`, channel: "cron", agentTools: true })
          .catch((err: unknown) => o.log.warn(`cron: wake turn for ${sessionKey} failed: ${(err as Error).message}`));
      },
    });
    service.start();
    this.opened = { service, store };
    return service;
  }

  /** At gateway start: a store on disk means jobs may be due, so the scheduler starts now. */
  startIfStored(): void {
    if (existsSync(this.o.path)) this.service().catch(() => {});
  }

  /** Opened already, or undefined (nothing is opened for the asking). */
  get current(): CronService | undefined {
    return this.opened?.service;
  }

  async handle(action: string, args: Record<string, unknown>, ctx: { agentId: string; sessionKey: string }): Promise<Record<string, unknown>> {
    return (await this.service()).handle(action, args, ctx);
  }

  /** The config changed (cron.enabled, maxConcurrentRuns): runs what is now due, re-arms. */
  reconfigure(): void {
    this.opened?.service.scheduler.changed();
  }

  close(): void {
    this.closed = true;
    if (!this.opened) return;
    this.opened.service.stop();
    this.opened.store.close();
    this.opened = undefined;
  }
}

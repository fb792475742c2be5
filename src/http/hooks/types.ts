/**
 * What the hook routes need from the running gateway, as interfaces: the system-event queue that
 * `/hooks/wake` feeds, and the channel outbound path that `/hooks/agent` announces replies on.
 * The gateway hands them in through `HttpDeps.hooks`; without them the routes still answer, with
 * a queue of their own and no channel registered.
 */
import type { Logger } from "../../logging/logger.ts";

/** Sends a hook run's final reply to a chat. Implemented by the channel manager. */
export interface HookDelivery {
  /** Ids of the registered channels, e.g. ["telegram", "whatsapp"]. */
  channels(): string[];
  /** Configured, enabled account ids of one channel. */
  accounts(channel: string): string[];
  /** `accountId` absent: the channel's default account. Never throws for a failed send: `delivered: false`. */
  deliver(input: { channel: string; to: string; accountId?: string; text: string }): Promise<{ delivered: boolean; error?: string }>;
}

export interface HookSystemEvent {
  text: string;
  ts: number;
  sessionKey?: string;
  source?: string;
}

/** The gateway's system-event queue; GatewayRuntime fits as it is. */
export interface HookEventQueue {
  readonly systemEvents: readonly HookSystemEvent[];
  queueSystemEvent(record: HookSystemEvent): void;
}

export interface HookDeps {
  /** Where wakes and completion events go (absent: a queue of the HTTP app's own). */
  events?: HookEventQueue;
  /** The channel outbound path (absent: no channel is registered). */
  delivery?: HookDelivery;
  log?: Pick<Logger, "info" | "warn">;
  /** Deadlines, shortened by tests. */
  limits?: Partial<HookLimits>;
}

export interface HookLimits {
  /** A run must be admitted (its message stored) within this, else 503 and it is cancelled. */
  admissionTimeoutMs: number;
  /** The whole body must arrive within this, else 408. */
  bodyTimeoutMs: number;
  /** A fan-out answers after this even while items are still waiting for admission. */
  fanOutDeadlineMs: number;
}

export const DEFAULT_HOOK_LIMITS: Readonly<HookLimits> = Object.freeze({
  admissionTimeoutMs: 15_000,
  bodyTimeoutMs: 30_000,
  fanOutDeadlineMs: 8_000,
});

/** Delivery before channels exist: none registered, so any named channel is refused with the list. */
export const NO_CHANNELS: HookDelivery = {
  channels: () => [],
  accounts: () => [],
  deliver: async () => ({ delivered: false, error: "no channel is registered" }),
};

const MAX_LOCAL_EVENTS = 100;

/** The queue used when the gateway gives none (an HTTP app on its own, as in tests). */
export function localEventQueue(): HookEventQueue {
  const systemEvents: HookSystemEvent[] = [];
  return {
    systemEvents,
    queueSystemEvent(record) {
      systemEvents.push(record);
      if (systemEvents.length > MAX_LOCAL_EVENTS) systemEvents.shift();
    },
  };
}

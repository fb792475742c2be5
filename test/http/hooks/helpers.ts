// An HTTP app with hooks on, over FakeAgents, with the hook deps the gateway would give recorded
// here: the system-event queue, a fake channel delivery and the log lines.
import type { AgentService } from "../../../src/agents/types.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import type { HooksConfig } from "../../../src/config/sections/hooks.ts";
import type { AuthConfig } from "../../../src/gateway/auth.ts";
import type { HookDelivery, HookLimits, HookSystemEvent } from "../../../src/http/hooks/types.ts";
import { testApp } from "../helpers.ts";

export const GATEWAY_TOKEN = "gateway-token-123";
export const HOOK_TOKEN = "hook-token-456";
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Sent {
  channel: string;
  to: string;
  accountId?: string;
  text: string;
}

/** A HookDelivery with telegram (accounts default, work) and whatsapp (default) that records sends. */
export class FakeDelivery implements HookDelivery {
  readonly sent: Sent[] = [];
  /** What the next sends answer (default delivered). */
  answer: { delivered: boolean; error?: string } | Error = { delivered: true };
  constructor(private readonly registered: Record<string, string[]> = { telegram: ["default", "work"], whatsapp: ["default"] }) {}
  channels(): string[] {
    return Object.keys(this.registered);
  }
  accounts(channel: string): string[] {
    return this.registered[channel] ?? [];
  }
  async deliver(input: Sent): Promise<{ delivered: boolean; error?: string }> {
    this.sent.push(input);
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

export interface HookAppOptions {
  hooks?: Partial<HooksConfig>;
  agents?: AgentService;
  /** undefined: the app's defaults (no channel registered). */
  delivery?: HookDelivery | null;
  limits?: Partial<HookLimits>;
  auth?: AuthConfig;
  extraConfig?: OpenClawConfig;
}

export function hookApp(opts: HookAppOptions = {}) {
  const delivery = (opts.delivery === undefined ? new FakeDelivery() : opts.delivery) as FakeDelivery | null;
  const config: OpenClawConfig = { gateway: { mode: "local" }, ...opts.extraConfig, hooks: { enabled: true, token: HOOK_TOKEN, ...opts.hooks } };
  const systemEvents: HookSystemEvent[] = [];
  const logs: { level: "info" | "warn"; msg: string; fields?: Record<string, unknown> }[] = [];
  const t = testApp({
    config, auth: opts.auth ?? ({ mode: "token", token: GATEWAY_TOKEN } as AuthConfig), bearer: HOOK_TOKEN, ip: "198.51.100.7",
    ...(opts.agents ? { agents: opts.agents } : {}),
    hooks: {
      events: { systemEvents, queueSystemEvent: (e) => void systemEvents.push(e) },
      ...(delivery ? { delivery } : {}),
      log: {
        info: (msg, fields) => void logs.push({ level: "info", msg, fields }),
        warn: (msg, fields) => void logs.push({ level: "warn", msg, fields }),
      },
      limits: opts.limits,
    },
  });
  return { ...t, delivery, systemEvents, logs };
}

import { z } from "zod";
import { ConnectChallengeSchema, PresenceEntrySchema } from "./connect.ts";
import { HealthSchema } from "./methods/system.ts";

/** Events this gateway emits, with their payload schemas; hello-ok lists exactly these names. */
export const EVENTS = {
  "connect.challenge": ConnectChallengeSchema,
  tick: z.strictObject({ ts: z.number() }).describe("Keepalive, every policy.tickIntervalMs"),
  presence: z.strictObject({ presence: z.array(PresenceEntrySchema) }).describe("The full presence list after a change"),
  health: HealthSchema,
  shutdown: z
    .strictObject({ reason: z.string(), restartExpectedMs: z.int().min(0).optional() })
    .describe("The gateway is stopping or restarting; clients should reconnect"),
} as const;
export type EventName = keyof typeof EVENTS;
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];
/** Events every authenticated socket gets, whatever its scopes. */
export const UNSCOPED_EVENTS: ReadonlySet<string> = new Set(["tick", "presence", "health", "heartbeat", "shutdown"]);

import { z } from "zod";
import { ConnectChallengeSchema, PresenceEntrySchema } from "./connect.ts";
import { HealthSchema } from "./methods/system.ts";

/** Events this gateway emits, with their payload schemas; hello-ok lists exactly these names. */
export const EVENTS = {
  "connect.challenge": ConnectChallengeSchema,
  tick: z.strictObject({ ts: z.number() }).describe("Keepalive, every policy.tickIntervalMs"),
  presence: z.strictObject({ presence: z.array(PresenceEntrySchema) }).describe("The full presence list after a change"),
  health: HealthSchema,
  agent: z
    .object({ runId: z.string(), seq: z.int(), stream: z.string(), ts: z.number(), data: z.unknown(), sessionKey: z.string().optional(), agentId: z.string().optional() })
    .describe("Streamed progress of an agent run: lifecycle, assistant text, usage"),
  chat: z
    .object({ runId: z.string(), sessionKey: z.string(), agentId: z.string().optional(), seq: z.int(), state: z.enum(["delta", "final", "aborted", "error"]) })
    .passthrough()
    .describe("Chat view of a run: cumulative deltas, the final message, abort or error"),
  "session.message": z
    .object({ sessionKey: z.string(), agentId: z.string(), message: z.record(z.string(), z.unknown()) })
    .describe("A transcript row was stored (user message, assistant tool round, reply); to sessions.subscribe sockets"),
  "session.tool": z
    .object({ runId: z.string(), seq: z.int(), stream: z.literal("tool"), ts: z.number(), data: z.unknown(), sessionKey: z.string().optional(), agentId: z.string().optional() })
    .describe("A tool call started, progressed or ended (the agent event's tool stream); to sessions.subscribe sockets"),
  "device.pair.requested": z
    .object({ requestId: z.string(), deviceId: z.string(), publicKey: z.string(), role: z.string(), roles: z.array(z.string()), scopes: z.array(z.string()), silent: z.boolean(), isRepair: z.boolean(), ts: z.number() })
    .passthrough()
    .describe("A device asked to be paired (operator.pairing)"),
  "device.pair.resolved": z
    .strictObject({ requestId: z.string(), deviceId: z.string(), decision: z.enum(["approved", "rejected"]), ts: z.number() })
    .describe("A pairing request was approved (silently or by an operator) or rejected/superseded (operator.pairing)"),
  "node.pair.requested": z
    .object({ requestId: z.string(), nodeId: z.string(), caps: z.array(z.string()), commands: z.array(z.string()), requiredApproveScopes: z.array(z.string()), ts: z.number() })
    .passthrough()
    .describe("A node declared a command surface that needs approval (operator.pairing)"),
  "node.pair.resolved": z
    .strictObject({ requestId: z.string(), nodeId: z.string(), decision: z.enum(["approved", "rejected", "removed"]), ts: z.number() })
    .describe("A node surface request was approved, rejected, or the node removed (operator.pairing; the node itself on approval)"),
  "node.invoke.request": z
    .strictObject({ id: z.string(), nodeId: z.string(), command: z.string(), paramsJSON: z.string().nullable(), timeoutMs: z.int(), idempotencyKey: z.string() })
    .describe("To one node: run this command and answer with node.invoke.result"),
  "node.invoke.cancel": z
    .strictObject({ invokeId: z.string(), nodeId: z.string() })
    .describe("To one node: the invocation's deadline passed; stop the command and send no result"),
  "node.hostStats": z
    .strictObject({ nodeId: z.string(), hostStats: z.record(z.string(), z.unknown()) })
    .describe("A node's latest host statistics (CPU, load, memory, disk)"),
  "exec.approval.requested": z
    .strictObject({
      approvalKind: z.literal("exec"), id: z.string(), request: z.object({ command: z.string() }).passthrough(), createdAtMs: z.number(), expiresAtMs: z.number(),
    })
    .describe("An exec command waits for approval (approval clients that may see the record)"),
  "exec.approval.resolved": z
    .strictObject({
      id: z.string(), decision: z.enum(["allow-once", "allow-always", "deny"]), resolvedBy: z.string().nullable(), ts: z.number(),
      request: z.object({ command: z.string() }).passthrough(),
    })
    .describe("An exec approval was decided, expired or closed (expiry and closing: deny, resolvedBy null)"),
  shutdown: z
    .strictObject({ reason: z.string(), restartExpectedMs: z.int().min(0).optional() })
    .describe("The gateway is stopping or restarting; clients should reconnect"),
} as const;
export type EventName = keyof typeof EVENTS;
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];
/** Events every authenticated socket gets, whatever its scopes. */
export const UNSCOPED_EVENTS: ReadonlySet<string> = new Set(["tick", "presence", "health", "heartbeat", "shutdown"]);

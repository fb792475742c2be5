import { z } from "zod";
import { ConnectChallengeSchema, ConnectParamsSchema, HelloOkSchema, PresenceEntrySchema } from "./connect.ts";
import { EVENTS } from "./events.ts";
import { ErrorShapeSchema, EventFrameSchema, RequestFrameSchema, ResponseFrameSchema } from "./frames.ts";
import type { MethodSpec } from "./methods/types.ts";
import { PROTOCOL_VERSION } from "../version.ts";

function toSchema(s: z.ZodType): Record<string, unknown> {
  // "input" so optional-with-default fields read as optional, which is what a client may send.
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

/**
 * The JSON Schema of protocol 4 as this gateway implements it, derived from the same zod
 * schemas that validate frames, so the document cannot drift from the code.
 */
export function protocolJsonSchema(methods: readonly MethodSpec[]): Record<string, unknown> {
  const sorted = [...methods].sort((a, b) => a.name.localeCompare(b.name));
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "OpenClaw Gateway protocol",
    protocol: PROTOCOL_VERSION,
    frames: {
      req: toSchema(RequestFrameSchema),
      res: toSchema(ResponseFrameSchema),
      event: toSchema(EventFrameSchema),
      error: toSchema(ErrorShapeSchema),
    },
    handshake: {
      challenge: toSchema(ConnectChallengeSchema),
      connectParams: toSchema(ConnectParamsSchema),
      helloOk: toSchema(HelloOkSchema),
      presenceEntry: toSchema(PresenceEntrySchema),
    },
    methods: Object.fromEntries(
      sorted.map((m) => [
        m.name,
        { description: m.description, scope: m.scope, params: toSchema(m.params), result: toSchema(m.result) },
      ]),
    ),
    events: Object.fromEntries(Object.entries(EVENTS).map(([name, s]) => [name, toSchema(s)])),
  };
}

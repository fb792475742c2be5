import { z } from "zod";

/** Every error on the wire has this shape; the CLI drops error frames without a non-empty code and message. */
export const ErrorShapeSchema = z
  .strictObject({
    code: z.string().min(1),
    message: z.string().min(1),
    details: z.unknown().optional(),
    retryable: z.boolean().optional(),
    retryAfterMs: z.int().min(0).optional(),
  })
  .describe("Error carried by a failed res frame");
export type ErrorShape = z.infer<typeof ErrorShapeSchema>;

export const RequestFrameSchema = z
  .strictObject({
    type: z.literal("req"),
    id: z.string().min(1),
    method: z.string().min(1),
    params: z.unknown().optional(),
    traceparent: z.string().max(128).optional(),
    expectedProfileId: z.string().optional(),
  })
  .describe("Client → gateway request");
export type RequestFrame = z.infer<typeof RequestFrameSchema>;

export const StateVersionSchema = z.strictObject({ presence: z.int().min(0), health: z.int().min(0) });
export type StateVersion = z.infer<typeof StateVersionSchema>;

export const ResponseFrameSchema = z
  .strictObject({
    type: z.literal("res"),
    id: z.string().min(1),
    ok: z.boolean(),
    payload: z.unknown().optional(),
    error: ErrorShapeSchema.optional(),
  })
  .describe("Gateway → client response; two-stage methods send two with the same id");
export type ResponseFrame = z.infer<typeof ResponseFrameSchema>;

export const EventFrameSchema = z
  .strictObject({
    type: z.literal("event"),
    event: z.string().min(1),
    payload: z.unknown().optional(),
    seq: z.int().min(0).optional(),
    stateVersion: StateVersionSchema.optional(),
    recipientProfileId: z.string().optional(),
  })
  .describe("Gateway → client event; broadcasts carry a per-socket seq, targeted events none");
export type EventFrame = z.infer<typeof EventFrameSchema>;

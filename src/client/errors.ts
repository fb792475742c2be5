import type { ErrorShape } from "../protocol/index.ts";

/** The gateway answered with `ok:false`: the call reached the server and was refused or failed there. */
export class GatewayRequestError extends Error {
  override name = "GatewayRequestError";
  readonly code: string;
  readonly details: unknown;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** Some methods (agent) put a result next to the error; callers may still want it. */
  readonly payload: unknown;

  constructor(shape: ErrorShape, payload?: unknown) {
    super(shape.message);
    this.code = shape.code;
    this.details = shape.details;
    this.retryable = shape.retryable ?? false;
    if (shape.retryAfterMs !== undefined) this.retryAfterMs = shape.retryAfterMs;
    this.payload = payload;
  }
}

export type TransportErrorKind = "timeout" | "closed" | "refused";

/** The call never got an answer: no socket, a close, or no reply in time. */
export class GatewayTransportError extends Error {
  override name = "GatewayTransportError";
  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    /** Close code when kind is "closed". */
    readonly closeCode?: number,
  ) {
    super(message);
  }
}

/** `gateway closed (1008): reason`: the code tells an operator whether auth, protocol or a restart ended it. */
export function closedMessage(code: number, reason: string): string {
  return `gateway closed (${code}): ${reason || "no close reason"}`;
}

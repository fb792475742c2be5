import type { z } from "zod";
import type { ErrorShape } from "./frames.ts";

export const ErrorCodes = {
  INVALID_REQUEST: "INVALID_REQUEST",
  FORBIDDEN: "FORBIDDEN",
  UNAVAILABLE: "UNAVAILABLE",
  NOT_PAIRED: "NOT_PAIRED",
  NOT_LINKED: "NOT_LINKED",
  AGENT_TIMEOUT: "AGENT_TIMEOUT",
  APPROVAL_NOT_FOUND: "APPROVAL_NOT_FOUND",
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Structured reasons that go in `error.details.code`. */
export const DetailCodes = {
  PROTOCOL_MISMATCH: "PROTOCOL_MISMATCH",
  AUTH_TOKEN_MISMATCH: "AUTH_TOKEN_MISMATCH",
  AUTH_PASSWORD_MISMATCH: "AUTH_PASSWORD_MISMATCH",
  DEVICE_IDENTITY_REQUIRED: "DEVICE_IDENTITY_REQUIRED",
  MISSING_SCOPE: "MISSING_SCOPE",
  AUTH_RATE_LIMITED: "AUTH_RATE_LIMITED",
  CONTROL_UI_ORIGIN_NOT_ALLOWED: "CONTROL_UI_ORIGIN_NOT_ALLOWED",
  CONTROL_UI_DEVICE_IDENTITY_REQUIRED: "CONTROL_UI_DEVICE_IDENTITY_REQUIRED",
  AUTH_TOKEN_MISSING: "AUTH_TOKEN_MISSING",
  AUTH_UNAUTHORIZED: "AUTH_UNAUTHORIZED",
  AUTH_PASSWORD_MISSING: "AUTH_PASSWORD_MISSING",
  AUTH_DEVICE_TOKEN_MISMATCH: "AUTH_DEVICE_TOKEN_MISMATCH",
  PAIRING_REQUIRED: "PAIRING_REQUIRED",
  DEVICE_AUTH_DEVICE_ID_MISMATCH: "DEVICE_AUTH_DEVICE_ID_MISMATCH",
  DEVICE_AUTH_SIGNATURE_EXPIRED: "DEVICE_AUTH_SIGNATURE_EXPIRED",
  DEVICE_AUTH_NONCE_REQUIRED: "DEVICE_AUTH_NONCE_REQUIRED",
  DEVICE_AUTH_NONCE_MISMATCH: "DEVICE_AUTH_NONCE_MISMATCH",
  DEVICE_AUTH_SIGNATURE_INVALID: "DEVICE_AUTH_SIGNATURE_INVALID",
  DEVICE_AUTH_PUBLIC_KEY_INVALID: "DEVICE_AUTH_PUBLIC_KEY_INVALID",
} as const;

/** Thrown by handlers and the dispatcher; turned into the wire error shape in one place. */
export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { details?: unknown; retryable?: boolean; retryAfterMs?: number; payload?: unknown } = {},
  ) {
    super(message);
  }

  toShape(): ErrorShape {
    const shape: ErrorShape = { code: this.code, message: this.message };
    if (this.extra.details !== undefined) shape.details = this.extra.details;
    if (this.extra.retryable !== undefined) shape.retryable = this.extra.retryable;
    if (this.extra.retryAfterMs !== undefined) shape.retryAfterMs = this.extra.retryAfterMs;
    return shape;
  }
}

export function toErrorShape(err: unknown): ErrorShape {
  if (err instanceof GatewayError) return err.toShape();
  const message = err instanceof Error && err.message ? err.message : String(err) || "internal error";
  return { code: ErrorCodes.UNAVAILABLE, message };
}

function pointer(path: readonly PropertyKey[]): string {
  return path.length === 0 ? "root" : "/" + path.map(String).join("/");
}

/**
 * Renders zod issues the way the published gateway's validator words them
 * ("must have required property 'x'", "at /a/b: must be equal to one of the allowed values"),
 * since operators and scripts already match on those texts.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map(formatIssue).join("; ");
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const at = pointer(issue.path);
  switch (issue.code) {
    case "invalid_type":
      if (/received undefined$/.test(issue.message)) {
        const name = issue.path.at(-1);
        const parent = pointer(issue.path.slice(0, -1));
        const text = `must have required property '${String(name)}'`;
        return parent === "root" ? text : `at ${parent}: ${text}`;
      }
      return `at ${at}: must be ${issue.expected === "int" ? "integer" : issue.expected}`;
    case "unrecognized_keys":
      return issue.keys.map((k) => `at ${at}: unexpected property '${k}'`).join("; ");
    case "invalid_value":
      return `at ${at}: must be equal to one of the allowed values`;
    case "too_small":
      return `at ${at}: must be ${issue.origin === "string" ? "at least " + issue.minimum + " characters" : ">= " + issue.minimum}`;
    case "too_big":
      return `at ${at}: must be ${issue.origin === "string" ? "at most " + issue.maximum + " characters" : "<= " + issue.maximum}`;
    default:
      return `at ${at}: ${issue.message}`;
  }
}

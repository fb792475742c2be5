/**
 * What the node host does after a connect failed or a connection ended: try again later, wait for
 * an operator to approve it, retry at once without a stale device token, or give up (exit 1)
 * because retrying cannot help (wrong secret, a gateway that rejects our build).
 */
import { backoffDelay } from "../../backoff.ts";
import { GatewayRequestError, GatewayTransportError } from "../../client/errors.ts";

export type NextStep =
  | { kind: "retry"; delayMs: number; why: string }
  | { kind: "await-approval"; delayMs: number; requestId?: string; why: string }
  | { kind: "drop-device-token"; why: string }
  | { kind: "exit"; why: string };

/** Pending requests live 5 minutes past the last retry, so asking every 10 s keeps ours alive. */
export const APPROVAL_POLL_MS = 10_000;

const BACKOFF = { initialMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.2 } as const;

/** 1 s, 2 s, 4 s … 30 s (`attempt` counts from 0), each ±20% so a gateway restart is not met by every node at once. */
export function backoffMs(attempt: number, random = Math.random): number {
  return backoffDelay(Math.max(0, attempt) + 1, BACKOFF, random);
}

const FATAL = new Set([
  "AUTH_TOKEN_MISSING", "AUTH_TOKEN_MISMATCH", "AUTH_PASSWORD_MISSING", "AUTH_PASSWORD_MISMATCH",
  "AUTH_BOOTSTRAP_TOKEN_INVALID", "AUTH_IDENTITY_HEADER_REQUIRED", "CLIENT_VERSION_MISMATCH", "PROTOCOL_MISMATCH",
  "DEVICE_IDENTITY_REQUIRED", "DEVICE_AUTH_DEVICE_ID_MISMATCH", "DEVICE_AUTH_NONCE_REQUIRED",
  "DEVICE_AUTH_NONCE_MISMATCH", "DEVICE_AUTH_SIGNATURE_INVALID", "DEVICE_AUTH_PUBLIC_KEY_INVALID",
]);

const HINTS: Record<string, string> = {
  AUTH_TOKEN_MISSING: "set OPENCLAW_GATEWAY_TOKEN to the gateway's token",
  AUTH_TOKEN_MISMATCH: "OPENCLAW_GATEWAY_TOKEN does not match the gateway's token",
  AUTH_PASSWORD_MISSING: "set OPENCLAW_GATEWAY_PASSWORD to the gateway's password",
  AUTH_PASSWORD_MISMATCH: "OPENCLAW_GATEWAY_PASSWORD does not match the gateway's password",
};

export interface AttemptState {
  /** Consecutive failures so far (0 for the first retry). */
  attempt: number;
  usedDeviceToken: boolean;
  hasSharedSecret: boolean;
}

function detailCode(err: GatewayRequestError): string | undefined {
  const code = (err.details as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

export function afterConnectFailure(err: unknown, s: AttemptState): NextStep {
  if (err instanceof GatewayTransportError) return { kind: "retry", delayMs: backoffMs(s.attempt), why: err.message };
  if (!(err instanceof GatewayRequestError)) {
    return { kind: "retry", delayMs: backoffMs(s.attempt), why: err instanceof Error ? err.message : String(err) };
  }
  const code = detailCode(err) ?? err.code;
  const text = `${err.code}: ${err.message}${code !== err.code ? ` (${code})` : ""}`;
  if (code === "PAIRING_REQUIRED" || err.code === "NOT_PAIRED") {
    const requestId = (err.details as { requestId?: unknown } | undefined)?.requestId;
    const step: NextStep = { kind: "await-approval", delayMs: APPROVAL_POLL_MS, why: text };
    if (typeof requestId === "string") step.requestId = requestId;
    return step;
  }
  if (code === "AUTH_DEVICE_TOKEN_MISMATCH") {
    // A rotated or revoked token: forget it and prove ourselves with the shared secret instead.
    if (s.usedDeviceToken && s.hasSharedSecret) return { kind: "drop-device-token", why: text };
    return { kind: "exit", why: `${text}; set OPENCLAW_GATEWAY_TOKEN to connect with the gateway's token` };
  }
  if (code === "AUTH_RATE_LIMITED") {
    return { kind: "retry", delayMs: Math.max(err.retryAfterMs ?? 0, backoffMs(s.attempt)), why: text };
  }
  if (FATAL.has(code)) return { kind: "exit", why: HINTS[code] ? `${text}; ${HINTS[code]}` : text };
  return { kind: "retry", delayMs: backoffMs(s.attempt), why: text };
}

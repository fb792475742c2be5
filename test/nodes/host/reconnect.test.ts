// What the node host does after each kind of connect failure.
import { describe, expect, test } from "bun:test";
import { GatewayRequestError, GatewayTransportError } from "../../../src/client/errors.ts";
import { afterConnectFailure, APPROVAL_POLL_MS, backoffMs } from "../../../src/nodes/host/reconnect.ts";

const state = { attempt: 0, usedDeviceToken: false, hasSharedSecret: true };
const refused = (code: string, details: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  new GatewayRequestError({ code: "INVALID_REQUEST", message: "refused", details: { code, ...details }, ...extra });

describe("backoff", () => {
  test("doubles from 1 s to a 30 s ceiling, with ±20% jitter", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((a) => backoffMs(a, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(backoffMs(0, () => 0)).toBe(800);
    expect(backoffMs(0, () => 1)).toBe(1200);
  });
});

describe("afterConnectFailure", () => {
  test("network trouble and unknown refusals are retried with backoff", () => {
    expect(afterConnectFailure(new GatewayTransportError("refused", "could not connect"), { ...state, attempt: 2 }))
      .toMatchObject({ kind: "retry", why: "could not connect" });
    expect(afterConnectFailure(new GatewayRequestError({ code: "UNAVAILABLE", message: "busy" }), state).kind).toBe("retry");
  });

  test("pairing required: wait for the operator, polling so the request stays alive", () => {
    const step = afterConnectFailure(new GatewayRequestError({ code: "NOT_PAIRED", message: "pairing required", details: { code: "PAIRING_REQUIRED", requestId: "r1" } }), state);
    expect(step).toMatchObject({ kind: "await-approval", delayMs: APPROVAL_POLL_MS, requestId: "r1" });
  });

  test("a stale device token is dropped when there is a shared secret to fall back on, fatal otherwise", () => {
    expect(afterConnectFailure(refused("AUTH_DEVICE_TOKEN_MISMATCH"), { ...state, usedDeviceToken: true }).kind).toBe("drop-device-token");
    const step = afterConnectFailure(refused("AUTH_DEVICE_TOKEN_MISMATCH"), { ...state, usedDeviceToken: true, hasSharedSecret: false });
    expect(step.kind).toBe("exit");
    expect(step.why).toContain("OPENCLAW_GATEWAY_TOKEN");
  });

  test("rate limiting waits at least as long as the gateway asks", () => {
    const step = afterConnectFailure(refused("AUTH_RATE_LIMITED", {}, { retryAfterMs: 45_000 }), state);
    expect(step).toMatchObject({ kind: "retry", delayMs: 45_000 });
  });

  test.each(["AUTH_TOKEN_MISSING", "AUTH_TOKEN_MISMATCH", "AUTH_PASSWORD_MISMATCH", "DEVICE_AUTH_SIGNATURE_INVALID", "PROTOCOL_MISMATCH"])(
    "%s cannot be fixed by retrying: exit",
    (code) => expect(afterConnectFailure(refused(code), state).kind).toBe("exit"),
  );

  test("a wrong token names the variable to fix", () => {
    expect(afterConnectFailure(refused("AUTH_TOKEN_MISMATCH"), state).why).toContain("OPENCLAW_GATEWAY_TOKEN does not match");
  });

  test("an expired signature (clock skew) is retried", () => {
    expect(afterConnectFailure(refused("DEVICE_AUTH_SIGNATURE_EXPIRED"), state).kind).toBe("retry");
  });
});

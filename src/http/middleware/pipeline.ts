/**
 * What happens to every request before routing: security headers, the Expect and Upgrade checks,
 * and the refusal of forwarded-client headers from an untrusted peer.
 */
import type { MiddlewareHandler } from "hono";
import type { HttpEnv } from "../env.ts";
import { proxyAttributionRequired, textResponse } from "../errors.ts";
import { hasForwardingHeader } from "../../auth/peer.ts";

const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": "camera=(), microphone=(self), geolocation=()",
};


export function securityHeaders(): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    await next();
    // A route may send a stricter or broader policy of its own (the Control UI's Permissions-Policy).
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!c.res.headers.has(name)) c.res.headers.set(name, value);
  };
}


/**
 * The gateway has no trusted-proxy list yet, so any forwarded-client header is refused: behind a
 * proxy every caller would otherwise look like loopback and escape the auth rate limiter.
 */
export function preflight(): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const expect = c.req.header("expect");
    if (expect !== undefined && expect.trim().toLowerCase() !== "100-continue") return new Response(null, { status: 417 });
    if (c.req.header("upgrade") !== undefined) return textResponse("Bad Request", 400, { Connection: "close" });
    const path = c.req.path;
    if (path !== "/health" && path !== "/healthz" && hasForwardingHeader(c.req.raw.headers)) return proxyAttributionRequired();
    await next();
  };
}

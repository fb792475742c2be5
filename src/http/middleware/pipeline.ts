/**
 * What happens to every request before routing: security headers, the Expect and Upgrade checks,
 * and the refusal of forwarded-client headers from an untrusted peer.
 */
import type { MiddlewareHandler } from "hono";
import type { HttpDeps, HttpEnv } from "../env.ts";
import { proxyAttributionRequired, textResponse } from "../errors.ts";
import { normalizeIp } from "../../auth/peer.ts";
import { attribute, proxySettings } from "../../auth/proxy.ts";

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
 * Forwarding headers are believed only from a proxy in gateway.trustedProxies (or the managed
 * Tailscale hop) that names a non-loopback client; anything else is refused before auth, since
 * behind a proxy every caller would otherwise look local and escape the failed-auth limiter.
 */
export function preflight(deps: Pick<HttpDeps, "config">): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const expect = c.req.header("expect");
    if (expect !== undefined && expect.trim().toLowerCase() !== "100-continue") return new Response(null, { status: 417 });
    if (c.req.header("upgrade") !== undefined) return textResponse("Bad Request", 400, { Connection: "close" });
    const path = c.req.path;
    if (path === "/health" || path === "/healthz") return next();
    const a = attribute(peerAddress(c), c.req.raw.headers, proxySettings(deps.config()), { managed: c.env?.ingress === "tailscale" });
    if (!a.ok) return proxyAttributionRequired();
    c.set("client", { ip: a.clientIp, peerIp: a.peerIp, forwarded: a.forwarded });
    await next();
  };
}

function peerAddress(c: Parameters<MiddlewareHandler<HttpEnv>>[0]): string {
  try {
    return normalizeIp(c.env?.server?.requestIP(c.req.raw)?.address);
  } catch {
    return "unknown";
  }
}

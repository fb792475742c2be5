/**
 * The fixed order every API route runs through before its handler: endpoint switch (404) → method
 * (405) → admission while draining (503) → lockout (429) → auth (401) → scope (403) → body
 * (413/400). Method comes before auth so a 405 needs no credentials, as on the published gateway.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { HttpDeps, HttpEnv } from "../env.ts";
import { crossSiteRefused, gatewayUnavailable, invalidRequest, methodNotAllowed, missingScope, notFound, payloadTooLarge, proxyAttributionRequired, rateLimited, unauthorized } from "../errors.ts";
import { authenticateHttp, firstMissingScope } from "./auth.ts";
import { authenticateTrustedProxy } from "./proxy-auth.ts";
import { readJsonBody } from "./body.ts";
import { rateLimitSettings, type FailedAuthLimiter } from "../../auth/limiter.ts";
import { checkOrigin, isCrossSiteRequest, isOwnHostHeader } from "../../auth/origin.ts";
import { isLocalDirectPeer, normalizeIp } from "../../auth/peer.ts";

export interface GateSpec {
  methods: readonly string[];
  /** Read per request so endpoint switches hot-apply; a disabled route falls through to 404. */
  enabled?: (config: OpenClawConfig) => boolean;
  scopes: (c: Context<HttpEnv>) => readonly string[];
  /** Set for JSON POST routes: the body is read and parsed into `c.var.body`. */
  bodyLimit?: (config: OpenClawConfig) => number;
  /** User-work routes are refused while the gateway drains; probes and docs are not. */
  userWork?: boolean;
}

/** The attributed client (the forwarded one behind a trusted proxy), else the socket peer. */
export function clientIp(c: Context<HttpEnv>): string {
  const attributed = c.get("client");
  if (attributed) return attributed.ip;
  try {
    return normalizeIp(c.env?.server?.requestIP(c.req.raw)?.address);
  } catch {
    return "unknown";
  }
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * With auth `none` the bearer check protects nothing, so a page in the owner's browser must not be
 * able to act for it: state-changing requests from a foreign origin (or marked cross-site) and any
 * request addressed to a name that is not this machine (a DNS-rebinding page) are refused.
 */
function browserMayCall(deps: HttpDeps, c: Context<HttpEnv>): boolean {
  const headers = c.req.raw.headers;
  const policy = deps.originPolicy?.();
  if (!isOwnHostHeader(headers.get("host"), policy?.allowedOrigins ?? [])) return false;
  if (SAFE_METHODS.has(c.req.method)) return true;
  const localPeer = isLocalDirectPeer(clientIp(c), headers);
  return !isCrossSiteRequest(headers, (origin) =>
    policy ? checkOrigin({ origin, host: headers.get("host") ?? undefined, localPeer }, policy) : { ok: false, reason: "origin not allowed" },
  );
}

export function gate(deps: HttpDeps, limiter: FailedAuthLimiter, spec: GateSpec): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const config = deps.config();
    if (spec.enabled && !spec.enabled(config)) return notFound();
    if (!spec.methods.includes(c.req.method)) return methodNotAllowed(spec.methods);
    if (spec.userWork !== false && deps.isDraining()) return gatewayUnavailable();
    if (deps.auth().mode === "none" && !browserMayCall(deps, c)) return crossSiteRefused();

    const ip = clientIp(c);
    const limits = rateLimitSettings(config);
    const locked = limiter.retryAfterMs(ip, limits);
    if (locked > 0) return rateLimited(locked);
    const auth = deps.auth();
    const caller = auth.mode === "trusted-proxy" ? authenticateTrustedProxy(auth, config, c, ip) : authenticateHttp(auth, c.req.raw.headers, ip);
    if (caller === "attribution") return proxyAttributionRequired();
    if (!caller) {
      limiter.recordFailure(ip, limits);
      return unauthorized();
    }
    if (caller.sharedSecret) limiter.recordSuccess(ip);
    c.set("caller", caller);

    const missing = firstMissingScope(caller, spec.scopes(c));
    if (missing) return missingScope(missing);

    if (spec.bodyLimit) {
      const body = await readJsonBody(c.req.raw, spec.bodyLimit(config));
      if (!body.ok) return body.reason === "too_large" ? payloadTooLarge() : invalidRequest(body.message);
      c.set("body", body.value);
    }
    await next();
  };
}

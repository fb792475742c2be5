/**
 * HTTP auth in trusted-proxy mode: the proxy's identity headers, or (only for a direct caller with
 * no forwarding headers) the gateway password as a Bearer, so local tools still work. Proxied
 * callers also pass the Origin rule; the failure reason never reaches the caller.
 */
import type { Context } from "hono";
import { secretEquals, type AuthConfig } from "../../auth/secret.ts";
import { proxiedOriginAllowed, trustedProxyIdentity } from "../../auth/trusted-proxy.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { Caller, HttpEnv } from "../env.ts";
import { bearerToken, declaredScopes, DEFAULT_OPERATOR_SCOPES } from "./auth.ts";

/** The caller; undefined for a 401; "attribution" when identity headers came without a client address (403). */
export function authenticateTrustedProxy(auth: AuthConfig, config: OpenClawConfig, c: Context<HttpEnv>, ip: string): Caller | "attribution" | undefined {
  const headers = c.req.raw.headers;
  const client = c.get("client");
  if (!client) return undefined;
  const identity = trustedProxyIdentity(headers, config, { ok: true, clientIp: client.ip, peerIp: client.peerIp, forwarded: client.forwarded });
  if (identity?.ok === false) return identity.reason === "attribution" ? "attribution" : undefined;
  if (identity?.ok) {
    if (!proxiedOriginAllowed(headers.get("origin"), config)) return undefined;
    const scopes = declaredScopes(headers.get("x-openclaw-scopes") ?? undefined) ?? DEFAULT_OPERATOR_SCOPES;
    return { subject: `trusted-proxy:${identity.user}`, sharedSecret: false, scopes, ip };
  }
  const given = bearerToken(headers.get("authorization") ?? undefined);
  if (client.forwarded || !auth.password || given === undefined || !secretEquals(given, auth.password)) return undefined;
  return { subject: "shared-secret", sharedSecret: true, scopes: DEFAULT_OPERATOR_SCOPES, ip };
}

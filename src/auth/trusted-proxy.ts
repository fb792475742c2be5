/**
 * `gateway.auth.mode: "trusted-proxy"`: an identity-aware proxy (oauth2-proxy, Authelia, Pomerium,
 * …) has already signed the user in and names them in a header. The name is believed only on an
 * attributed request from a trusted proxy that carries every required header, for a user the
 * allowlist admits. Shared by the HTTP door and the WebSocket upgrade.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import { normalizeOrigin } from "./origin.ts";
import { isLoopbackIp } from "./limiter.ts";
import { isTrustedProxy, proxySettings, type Attribution } from "./proxy.ts";

export type ProxyIdentity =
  | { ok: true; user: string }
  /** "attribution": identity headers arrived without a forwarded client address (403, not 401). */
  | { ok: false; reason: "attribution" | "unauthorized" };

/**
 * The proxy's verdict on an attributed request, or undefined when the request did not come through
 * the proxy at all (no forwarding headers and no identity header): then only the local password
 * fallback can admit it.
 */
export function trustedProxyIdentity(headers: Headers, config: OpenClawConfig, a: Extract<Attribution, { ok: true }>): ProxyIdentity | undefined {
  const tp = config.gateway?.auth?.trustedProxy;
  const userHeader = tp?.userHeader?.trim().toLowerCase();
  if (!a.forwarded) {
    if (userHeader && headers.has(userHeader) && isTrustedProxy(a.peerIp, proxySettings(config))) return { ok: false, reason: "attribution" };
    return undefined;
  }
  if (!userHeader) return { ok: false, reason: "unauthorized" };
  // Anything on this machine can reach a loopback listener, so a local proxy must be opted into.
  if (isLoopbackIp(a.peerIp) && tp?.allowLoopback !== true) return { ok: false, reason: "unauthorized" };
  for (const name of tp?.requiredHeaders ?? []) {
    if (!headers.get(name.trim().toLowerCase())?.trim()) return { ok: false, reason: "unauthorized" };
  }
  const user = headers.get(userHeader)?.trim();
  if (!user) return { ok: false, reason: "unauthorized" };
  const allow = (tp?.allowUsers ?? []).map((u) => u.trim().toLowerCase());
  if (allow.length > 0 && !allow.includes(user.toLowerCase())) return { ok: false, reason: "unauthorized" };
  return { ok: true, user };
}

/**
 * Behind the proxy a browser page's Origin is the only sign of whose page is calling, and the
 * same-host rules do not apply (Host is the proxy's public name), so it must be listed.
 */
export function proxiedOriginAllowed(origin: string | null, config: OpenClawConfig): boolean {
  if (origin === null || origin === "") return true;
  const normalized = normalizeOrigin(origin);
  if (!normalized) return false;
  const allowed = config.gateway?.controlUi?.allowedOrigins ?? [];
  return allowed.some((o) => o.trim() === "*" || normalizeOrigin(o) === normalized);
}

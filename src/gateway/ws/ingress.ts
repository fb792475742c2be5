/**
 * Who a WebSocket upgrade is from, before any socket state exists: forwarding headers are
 * attributed (or the upgrade refused with the same 403 as HTTP), the trusted-proxy verdict is
 * taken from the upgrade's headers, and on the managed Tailscale listener a Tailscale login
 * header is checked against `tailscale whois` for the forwarded client address.
 */
import { attribute, proxySettings } from "../../auth/proxy.ts";
import { trustedProxyIdentity } from "../../auth/trusted-proxy.ts";
import { isLoopbackIp } from "../../auth/limiter.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { AuthConfig } from "../auth.ts";

export interface IngressPeer {
  /** The forwarded client behind a trusted proxy, else the socket peer. */
  ip: string;
  localPeer: boolean;
  forwarded: boolean;
  proxyUser?: string;
  /** A login header to confirm with whois before the upgrade (managed Serve listener only). */
  tailscaleClaim?: { login: string; clientIp: string };
}

export type IngressVerdict = { ok: true; peer: IngressPeer } | { ok: false; response: Response };

const ATTRIBUTION_BODY = JSON.stringify({
  error: {
    message: "Proxy client attribution is required. Configure gateway.trustedProxies narrowly and make the proxy overwrite or safely rebuild forwarded client headers.",
    type: "proxy_attribution_required",
  },
});

export function attributionRefused(): Response {
  return new Response(ATTRIBUTION_BODY, { status: 403, headers: { "Content-Type": "application/json; charset=utf-8", Connection: "close" } });
}

/** Tailscale Serve's identity headers: honoured only where `allowTailscale` is in effect. */
export const TAILSCALE_LOGIN_HEADER = "tailscale-user-login";

/**
 * `gateway.auth.allowTailscale`, defaulting to on for Serve unless a password or a proxy is the
 * chosen gate; never for Funnel, whose callers are the public internet.
 */
export function tailscaleIdentityAllowed(config: OpenClawConfig, auth: AuthConfig): boolean {
  if (config.gateway?.tailscale?.mode !== "serve") return false;
  const explicit = config.gateway?.auth?.allowTailscale;
  if (explicit !== undefined) return explicit;
  return auth.mode !== "password" && auth.mode !== "trusted-proxy";
}

export function admitIngress(peerIp: string, headers: Headers, config: OpenClawConfig, auth: AuthConfig, managed: boolean): IngressVerdict {
  const a = attribute(peerIp, headers, proxySettings(config), { managed });
  if (!a.ok) return { ok: false, response: attributionRefused() };
  const peer: IngressPeer = { ip: a.clientIp, localPeer: !a.forwarded && isLoopbackIp(a.peerIp), forwarded: a.forwarded };
  if (auth.mode === "trusted-proxy" && !managed) {
    const identity = trustedProxyIdentity(headers, config, a);
    if (identity?.ok === false && identity.reason === "attribution") return { ok: false, response: attributionRefused() };
    if (identity?.ok) peer.proxyUser = identity.user;
  }
  const login = headers.get(TAILSCALE_LOGIN_HEADER)?.trim();
  if (managed && a.forwarded && login && tailscaleIdentityAllowed(config, auth)) peer.tailscaleClaim = { login, clientIp: a.clientIp };
  return { ok: true, peer };
}

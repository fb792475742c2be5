import type { ConnectParams } from "../protocol/index.ts";
import { secretEquals, type AuthConfig } from "../auth/secret.ts";
import { DetailCodes, ErrorCodes, GatewayError } from "../protocol/index.ts";

export type { AuthConfig } from "../auth/secret.ts";

export interface AuthOutcome {
  method: "none" | "token" | "password" | "device-token" | "trusted-proxy" | "tailscale";
}

/** What the upgrade established about the peer (src/gateway/ws/ingress.ts). */
export interface PeerAuth {
  /** The request came through a trusted proxy (forwarding headers present). */
  forwarded?: boolean;
  /** The user a trusted proxy vouched for (trusted-proxy mode, every proxy check passed). */
  proxyUser?: string;
  /** A Tailscale login that `tailscale whois` confirmed for the forwarded client address. */
  tailscaleUser?: string;
}


const CONTROL_UI_CLIENT_IDS = new Set(["openclaw-control-ui", "webchat-ui", "webchat"]);

/** Closes with 1008 and this message: the reason text the published gateway uses. */
export class HandshakeError extends GatewayError {
  closeCode = 1008;
}

export function authenticate(params: ConnectParams, auth: AuthConfig, peer: PeerAuth = {}): AuthOutcome {
  if (auth.mode === "none") return { method: "none" };
  if (auth.mode === "trusted-proxy") return authenticateTrustedProxy(params, auth, peer);
  const given = params.auth;
  // An explicit secret always wins over the Tailscale identity, so a wrong one is still a mismatch.
  if (!given?.token && !given?.password && peer.tailscaleUser) {
    if (params.device) return { method: "tailscale" };
    if (CONTROL_UI_CLIENT_IDS.has(params.client.id)) {
      throw new HandshakeError(ErrorCodes.INVALID_REQUEST, "control ui requires device identity (use HTTPS or localhost secure context)", {
        details: { code: DetailCodes.CONTROL_UI_DEVICE_IDENTITY_REQUIRED },
      });
    }
  }
  const secret = auth.mode === "token" ? given?.token : given?.password;
  if (!given?.token && !given?.password) {
    throw new HandshakeError(ErrorCodes.NOT_PAIRED, "device identity required", {
      details: { code: DetailCodes.DEVICE_IDENTITY_REQUIRED },
    });
  }
  const expected = (auth.mode === "token" ? auth.token : auth.password) ?? "";
  if (secret === undefined || expected === "" || !secretEquals(secret, expected)) {
    const kind = auth.mode;
    throw new HandshakeError(
      ErrorCodes.INVALID_REQUEST,
      `unauthorized: gateway ${kind} mismatch (use this gateway's gateway.auth.${kind} or pair the device)`,
      {
        details: {
          code: kind === "token" ? DetailCodes.AUTH_TOKEN_MISMATCH : DetailCodes.AUTH_PASSWORD_MISMATCH,
          authReason: `${kind}_mismatch`,
          canRetryWithDeviceToken: false,
          recommendedNextStep: "update_auth_credentials",
        },
      },
    );
  }
  return { method: auth.mode };
}

/**
 * The proxy's vouched-for user, else (a direct caller only) the gateway password, which the
 * Control UI sends in both the token and password fields.
 */
function authenticateTrustedProxy(params: ConnectParams, auth: AuthConfig, peer: PeerAuth): AuthOutcome {
  if (peer.proxyUser) return { method: "trusted-proxy" };
  const secret = params.auth?.password ?? params.auth?.token;
  if (!peer.forwarded && auth.password && secret) {
    if (secretEquals(secret, auth.password)) return { method: "password" };
    throw new HandshakeError(ErrorCodes.INVALID_REQUEST, "unauthorized: gateway password mismatch (use this gateway's gateway.auth.password)", {
      details: { code: DetailCodes.AUTH_PASSWORD_MISMATCH, authReason: "password_mismatch", canRetryWithDeviceToken: false, recommendedNextStep: "update_auth_credentials" },
    });
  }
  throw trustedProxyRequired();
}

export function trustedProxyRequired(): HandshakeError {
  return new HandshakeError(
    ErrorCodes.INVALID_REQUEST,
    "unauthorized: trusted proxy identity required (connect through the configured proxy, or locally with the gateway password)",
    { details: { code: DetailCodes.AUTH_UNAUTHORIZED, authReason: "trusted_proxy_required", canRetryWithDeviceToken: false, recommendedNextStep: "update_auth_configuration" } },
  );
}

/**
 * A shared-secret operator without a device identity keeps the scopes it asked for only as the
 * CLI (cli/cli) or a backend gateway client; other client kinds are admitted with no scopes,
 * which still allows `health` — the published gateway behaves the same way.
 */
export function effectiveScopes(params: ConnectParams): string[] {
  const { id, mode } = params.client;
  const trusted = (id === "cli" && mode === "cli") || (id === "gateway-client" && mode === "backend");
  return trusted ? [...new Set(params.scopes ?? [])] : [];
}

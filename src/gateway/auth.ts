import type { ConnectParams } from "../protocol/index.ts";
import { secretEquals, type AuthConfig } from "../auth/secret.ts";
import { DetailCodes, ErrorCodes, GatewayError } from "../protocol/index.ts";

export type { AuthConfig } from "../auth/secret.ts";

export interface AuthOutcome {
  method: "none" | "token" | "password" | "device-token";
}


/** Closes with 1008 and this message: the reason text the published gateway uses. */
export class HandshakeError extends GatewayError {
  closeCode = 1008;
}

export function authenticate(params: ConnectParams, auth: AuthConfig): AuthOutcome {
  if (auth.mode === "none") return { method: "none" };
  const given = params.auth;
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
 * A shared-secret operator without a device identity keeps the scopes it asked for only as the
 * CLI (cli/cli) or a backend gateway client; other client kinds are admitted with no scopes,
 * which still allows `health` — the published gateway behaves the same way.
 */
export function effectiveScopes(params: ConnectParams): string[] {
  const { id, mode } = params.client;
  const trusted = (id === "cli" && mode === "cli") || (id === "gateway-client" && mode === "backend");
  return trusted ? [...new Set(params.scopes ?? [])] : [];
}

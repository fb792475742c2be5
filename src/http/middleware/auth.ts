/**
 * Who is calling an HTTP API route. Only the Bearer header counts (no Basic, x-api-key or ?token=),
 * and every failure looks the same to the caller so the reason never leaks.
 */
import { secretEquals, type AuthConfig } from "../../auth/secret.ts";
import { scopeSatisfied } from "../../protocol/scopes.ts";
import type { Caller } from "../env.ts";

/** What token/password callers get, and what mode "none" grants without an x-openclaw-scopes header. */
export const DEFAULT_OPERATOR_SCOPES: readonly string[] = [
  "operator.admin",
  "operator.approvals",
  "operator.pairing",
  "operator.read",
  "operator.talk.secrets",
  "operator.write",
];

export function bearerToken(header: string | undefined): string | undefined {
  const value = header?.trim();
  if (!value || value.length < 7 || value.slice(0, 7).toLowerCase() !== "bearer ") return undefined;
  const token = value.slice(7).trim();
  return token || undefined;
}

/** Present-but-empty means no scopes at all, unlike an absent header. */
export function declaredScopes(header: string | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  return header
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Returns the caller, or undefined when the credential is missing or wrong. */
export function authenticateHttp(auth: AuthConfig, headers: Headers, ip: string): Caller | undefined {
  if (auth.mode === "none") {
    const scopes = declaredScopes(headers.get("x-openclaw-scopes") ?? undefined) ?? DEFAULT_OPERATOR_SCOPES;
    return { subject: "anonymous", sharedSecret: false, scopes, ip };
  }
  const expected = (auth.mode === "token" ? auth.token : auth.password) ?? "";
  const given = bearerToken(headers.get("authorization") ?? undefined);
  if (!expected || given === undefined || !secretEquals(given, expected)) return undefined;
  return { subject: "shared-secret", sharedSecret: true, scopes: DEFAULT_OPERATOR_SCOPES, ip };
}

/** The first required scope the caller lacks (shared-secret callers hold admin, which satisfies all). */
export function firstMissingScope(caller: Caller, required: readonly string[]): string | undefined {
  return required.find((scope) => !scopeSatisfied(caller.scopes, scope));
}

/**
 * The response shapes of the HTTP door, in one place. Three envelope families exist on the wire
 * (OpenAI `{error:{message,type}}`, gateway `{ok:false,error:{…}}`, and plain text for 404/405);
 * every route and middleware builds its errors here so they cannot drift apart.
 */
import type { z } from "@hono/zod-openapi";

const JSON_TYPE = "application/json; charset=utf-8";
const TEXT_TYPE = "text/plain; charset=utf-8";

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": JSON_TYPE, ...headers } });
}

export function textResponse(body: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "Content-Type": TEXT_TYPE, ...headers } });
}

export function openAiError(status: number, message: string, type = "invalid_request_error", code?: string, headers: Record<string, string> = {}): Response {
  const error: { message: string; type: string; code?: string } = { message, type };
  if (code !== undefined) error.code = code;
  return jsonResponse({ error }, status, headers);
}

export const invalidRequest = (message: string): Response => openAiError(400, message);

export const notFound = (): Response => textResponse("Not Found", 404);

export const methodNotAllowed = (allow: readonly string[]): Response =>
  textResponse("Method Not Allowed", 405, { Allow: allow.join(", ") });

export const unauthorized = (): Response => openAiError(401, "Unauthorized", "unauthorized");

export const rateLimited = (retryAfterMs: number): Response =>
  openAiError(429, "Too many failed authentication attempts. Please try again later.", "rate_limited", undefined, {
    "Retry-After": String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
  });

export const crossSiteRefused = (): Response =>
  openAiError(403, "Cross-site request refused: this browser origin is not allowed (gateway.controlUi.allowedOrigins)", "forbidden");

export const payloadTooLarge = (): Response =>
  openAiError(413, "Payload too large", "invalid_request_error", undefined, { Connection: "close" });

export const gatewayUnavailable = (): Response =>
  openAiError(503, "Gateway is temporarily unavailable while suspending or restarting", "service_unavailable", "gateway_unavailable", {
    "Cache-Control": "no-store",
    "Retry-After": "1",
  });

export const proxyAttributionRequired = (): Response =>
  openAiError(
    403,
    "Proxy client attribution is required. Configure gateway.trustedProxies narrowly and make the proxy overwrite or safely rebuild forwarded client headers.",
    "proxy_attribution_required",
    undefined,
    { Connection: "close" },
  );

export function missingScope(scope: string): Response {
  return jsonResponse(
    {
      ok: false,
      error: {
        type: "forbidden",
        message: `missing scope: ${scope}`,
        details: { code: "MISSING_SCOPE", missingScope: scope, requiredScopes: [scope] },
      },
    },
    403,
  );
}

/** The `{ok:false,error:{type,message}}` family used by /tools/invoke and the session routes. */
export function gatewayError(status: number, type: string, message: string, extra: Record<string, unknown> = {}): Response {
  return jsonResponse({ ok: false, error: { type, message, ...extra } }, status);
}

/** The published gateway reports only the first zod issue, as "<path joined by '.'>: <message>". */
export function formatZodIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request";
  return `${issue.path.map(String).join(".")}: ${issue.message}`;
}

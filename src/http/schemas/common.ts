/** Schemas shared by every API route's OpenAPI entry. */
import { z } from "@hono/zod-openapi";

export const OpenAiErrorSchema = z
  .object({ error: z.object({ message: z.string(), type: z.string(), code: z.string().optional() }) })
  .openapi("Error");

export const GatewayErrorSchema = z
  .object({
    ok: z.literal(false),
    error: z.object({ type: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
  })
  .openapi("GatewayError");

/** Plain-text bodies (404 `Not Found`, 405 `Method Not Allowed`) are not zod-validated output. */
const TEXT = { "text/plain": { schema: { type: "string" as const } } };
const json = <T extends z.ZodType>(schema: T) => ({ "application/json": { schema } });

/** The responses every gated API route can give before its handler runs. */
export function gatedResponses(opts: { body: boolean }) {
  const responses = {
    401: { description: "Missing or wrong credential", content: json(OpenAiErrorSchema) },
    403: {
      description:
        "Missing scope (`{ok:false,error}`); or, as `{error:{message,type}}`, a forwarded-client header from an untrusted peer " +
        "(`proxy_attribution_required`) or, with auth none, a cross-site or DNS-rebinding request (`forbidden`)",
      content: json(z.union([GatewayErrorSchema, OpenAiErrorSchema])),
    },
    404: { description: "Endpoint disabled or unknown", content: TEXT },
    405: { description: "Wrong method (checked before auth)", content: TEXT },
    417: { description: "An Expect header other than 100-continue (empty body)" },
    429: { description: "Locked out after failed authentication attempts", content: json(OpenAiErrorSchema) },
    503: { description: "Gateway restarting or draining", content: json(OpenAiErrorSchema) },
  };
  if (!opts.body) return responses;
  return {
    ...responses,
    413: { description: "Body over the limit (Connection: close)", content: json(OpenAiErrorSchema) },
  };
}

/** JSON request bodies are documented by reference: the route reads and validates them itself,
 * because Content-Type is not required and the error messages follow the published gateway. */
export function jsonBodyRef(name: string, description: string) {
  return {
    description,
    required: true,
    content: { "application/json": { schema: { $ref: `#/components/schemas/${name}` } } },
  };
}

export const SSE_CONTENT = { "text/event-stream": { schema: { type: "string" as const } } };

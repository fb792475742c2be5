/**
 * POST /v1/embeddings through the agent's memorySearch embedding provider. Checks run in the
 * published gateway's order, so the first problem reported is the same one.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { AgentError } from "../../agents/types.ts";
import { INVALID_MODEL_MESSAGE, modelOverride, parseAgentModel, resolveAgent, runScopes } from "../agent-target.ts";
import { EMBEDDINGS_MAX_BODY_BYTES, openAiSurfaceEnabled } from "../endpoints.ts";
import type { HttpApp, HttpDeps, HttpEnv } from "../env.ts";
import { formatZodIssue, invalidRequest, jsonResponse, openAiError } from "../errors.ts";
import type { GateSpec } from "../middleware/gate.ts";
import { gatedResponses, jsonBodyRef, OpenAiErrorSchema } from "../schemas/common.ts";

const EmbeddingsRequestSchema = z
  .looseObject({
    model: z.string().optional().openapi({ description: "Agent selector: `openclaw` or `openclaw/<agentId>`", example: "openclaw" }),
    input: z.union([z.string(), z.array(z.string())]).optional(),
    encoding_format: z.enum(["float", "base64"]).optional(),
    dimensions: z.int().positive().optional(),
    user: z.string().optional(),
  })
  .openapi("EmbeddingsRequest");

/** Types only; the order-sensitive checks below do the rest. */
const ShapeSchema = EmbeddingsRequestSchema.extend({ input: z.unknown().optional(), dimensions: z.unknown().optional() });
const DimensionsSchema = z.object({ dimensions: z.int().positive().optional() });
const StringArraySchema = z.object({ input: z.array(z.string()) });

const EmbeddingsResponseSchema = z
  .object({
    object: z.literal("list"),
    data: z.array(
      z.object({
        object: z.literal("embedding"),
        index: z.number().int(),
        embedding: z.union([z.array(z.number()), z.string().openapi({ description: "base64 little-endian float32" })]),
      }),
    ),
    model: z.string(),
    usage: z.object({ prompt_tokens: z.number().int(), total_tokens: z.number().int() }),
  })
  .openapi("EmbeddingsResponse");

const MAX_INPUTS = 128;
const MAX_INPUT_CHARS = 8192;
const MAX_TOTAL_CHARS = 65536;

const route = createRoute({
  method: "post",
  path: "/v1/embeddings",
  summary: "Embeddings through the agent's memorySearch provider",
  tags: ["OpenAI"],
  request: { body: jsonBodyRef("EmbeddingsRequest", "OpenAI embeddings request") },
  responses: {
    200: { description: "One embedding per input; usage is always zero", content: { "application/json": { schema: EmbeddingsResponseSchema } } },
    400: { description: "Invalid request or no embedding provider", content: { "application/json": { schema: OpenAiErrorSchema } } },
    500: { description: "Provider failure", content: { "application/json": { schema: OpenAiErrorSchema } } },
    ...gatedResponses({ body: true }),
  },
});

type Check<T> = { ok: true; value: T } | { ok: false; message: string };

function inputsOf(input: unknown): Check<string[]> {
  if (typeof input !== "string" && !Array.isArray(input)) return { ok: false, message: "`input` must be a string or an array of strings." };
  if (Array.isArray(input)) {
    const items = StringArraySchema.safeParse({ input });
    if (!items.success) return { ok: false, message: "input: Invalid input" };
  }
  const inputs = typeof input === "string" ? [input] : (input as string[]);
  if (!inputs.some((s) => s !== "")) return { ok: false, message: "`input` must contain at least one non-empty string." };
  if (inputs.length > MAX_INPUTS) return { ok: false, message: `Too many inputs (max ${MAX_INPUTS}).` };
  if (inputs.some((s) => s.length > MAX_INPUT_CHARS)) return { ok: false, message: `Input too long (max ${MAX_INPUT_CHARS} chars).` };
  if (inputs.reduce((n, s) => n + s.length, 0) > MAX_TOTAL_CHARS) return { ok: false, message: `Total input too large (max ${MAX_TOTAL_CHARS} chars).` };
  return { ok: true, value: inputs };
}

/** OpenAI's base64 encoding: the float32 values, little-endian, back to back. */
export function float32Base64(values: readonly number[]): string {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return Buffer.from(view.buffer).toString("base64");
}

export function registerEmbeddingsRoute(app: HttpApp, deps: HttpDeps, guard: (spec: GateSpec) => MiddlewareHandler<HttpEnv>): void {
  app.openAPIRegistry.register("EmbeddingsRequest", EmbeddingsRequestSchema);
  app.use(
    route.path,
    guard({ methods: ["POST"], enabled: openAiSurfaceEnabled, scopes: (c) => runScopes(c.req.raw.headers), bodyLimit: () => EMBEDDINGS_MAX_BODY_BYTES }),
  );
  app.openapi(route, async (c) => {
    const shape = ShapeSchema.safeParse(c.var.body);
    if (!shape.success) return invalidRequest(formatZodIssue(shape.error));
    const req = shape.data;
    const headers = c.req.raw.headers;
    if (!req.model?.trim()) return invalidRequest("Missing `model`.");
    if (!parseAgentModel(req.model)) return invalidRequest(INVALID_MODEL_MESSAGE);
    const inputs = inputsOf(req.input);
    if (!inputs.ok) return invalidRequest(inputs.message);
    const dims = DimensionsSchema.safeParse({ dimensions: req.dimensions });
    if (!dims.success) return invalidRequest(formatZodIssue(dims.error));
    const agent = resolveAgent(deps.agents, headers, req.model);
    if (!agent.ok) return invalidRequest(agent.message);
    let vectors: number[][];
    try {
      const opts: { modelOverride?: string; dimensions?: number; signal: AbortSignal } = { signal: c.req.raw.signal };
      const override = modelOverride(headers);
      if (override) opts.modelOverride = override;
      if (dims.data.dimensions !== undefined) opts.dimensions = dims.data.dimensions;
      vectors = await deps.agents.embed(agent.agentId, inputs.value, opts);
    } catch (err) {
      // A provider mismatch or an agent without memorySearch is the caller's to fix; the rest stays opaque.
      if (err instanceof AgentError && (err.kind === "invalid" || err.kind === "not_configured")) return invalidRequest(err.message);
      return openAiError(500, "internal error", "api_error");
    }
    const base64 = req.encoding_format === "base64";
    return jsonResponse({
      object: "list",
      data: vectors.map((v, index) => ({ object: "embedding", index, embedding: base64 ? float32Base64(v) : v })),
      model: req.model,
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });
}

/**
 * Wire schemas of POST /v1/chat/completions. The request is deliberately loose (unknown keys such
 * as `n` or `logprobs` are ignored) and range checks live in chat-request.ts, because the published
 * gateway words them itself rather than with zod's messages.
 */
import { z } from "@hono/zod-openapi";

const positiveIntOrNull = z.int().positive().nullable().optional();

export const ChatCompletionRequestSchema = z
  .object({
    model: z.string().optional().openapi({ description: "Agent selector: `openclaw`, `openclaw/default` or `openclaw/<agentId>`", example: "openclaw" }),
    messages: z.array(z.unknown()).optional().openapi({ description: "OpenAI chat messages; must contain a user (or tool) message" }),
    stream: z.boolean().nullable().optional(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
    tools: z.array(z.unknown()).optional(),
    tool_choice: z.unknown().optional(),
    user: z.string().optional().openapi({ description: "Stable per-user session (`agent:<id>:openai-user:<user>`)" }),
    max_tokens: positiveIntOrNull,
    max_completion_tokens: positiveIntOrNull,
    temperature: z.number().nullable().optional(),
    top_p: z.number().nullable().optional(),
    frequency_penalty: z.number().nullable().optional(),
    presence_penalty: z.number().nullable().optional(),
    seed: z.number().nullable().optional(),
    stop: z.union([z.string(), z.array(z.string())]).nullable().optional(),
    response_format: z.unknown().optional(),
  })
  .openapi("ChatCompletionRequest");

export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

const UsageSchema = z
  .object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() })
  .openapi("ChatUsage");

const ToolCallSchema = z
  .object({
    id: z.string(),
    type: z.literal("function"),
    function: z.object({ name: z.string(), arguments: z.string() }),
  })
  .openapi("ChatToolCall");

export const ChatCompletionSchema = z
  .object({
    id: z.string().openapi({ example: "chatcmpl_e267ce3e-ae35-48d2-945f-a9efcda3a7f3" }),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({ role: z.literal("assistant"), content: z.string(), tool_calls: z.array(ToolCallSchema).optional() }),
        finish_reason: z.enum(["stop", "length", "tool_calls"]),
      }),
    ),
    usage: UsageSchema,
  })
  .openapi("ChatCompletion");

export const ChatCompletionChunkSchema = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion.chunk"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        delta: z.object({
          role: z.literal("assistant").optional(),
          content: z.string().optional(),
          tool_calls: z
            .array(
              z.object({
                index: z.number().int(),
                id: z.string().optional(),
                type: z.literal("function").optional(),
                function: z.object({ name: z.string().optional(), arguments: z.string() }),
              }),
            )
            .optional(),
        }),
        finish_reason: z.enum(["stop", "length", "tool_calls"]).nullable(),
      }),
    ),
    usage: UsageSchema.optional(),
  })
  .openapi("ChatCompletionChunk", { description: "One `data:` frame of the stream; the stream ends with `data: [DONE]`" });

/**
 * Wire schemas of POST /v1/responses (OpenResponses). Unlike chat completions the request is
 * strict at every level: an unknown key is a 400, as on the published gateway.
 */
import { z } from "@hono/zod-openapi";

const IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif"] as const;

const UrlSource = z.object({ type: z.literal("url"), url: z.string() }).strict();

const InputText = z.object({ type: z.literal("input_text"), text: z.string() }).strict();
const OutputText = z.object({ type: z.literal("output_text"), text: z.string() }).strict();
const InputImage = z
  .object({
    type: z.literal("input_image"),
    source: z.discriminatedUnion("type", [UrlSource, z.object({ type: z.literal("base64"), media_type: z.enum(IMAGE_TYPES), data: z.string() }).strict()]),
  })
  .strict();
const InputFile = z
  .object({
    type: z.literal("input_file"),
    source: z.discriminatedUnion("type", [
      UrlSource,
      z.object({ type: z.literal("base64"), media_type: z.string(), data: z.string(), filename: z.string().optional() }).strict(),
    ]),
  })
  .strict();

export const ContentPartSchema = z.discriminatedUnion("type", [InputText, OutputText, InputImage, InputFile]).openapi("ResponseContentPart");
export type ContentPart = z.infer<typeof ContentPartSchema>;

const MessageItem = z
  .object({
    type: z.literal("message"),
    id: z.string().optional(),
    role: z.enum(["system", "developer", "user", "assistant"]),
    content: z.union([z.string(), z.array(ContentPartSchema)]),
    phase: z.enum(["commentary", "final_answer"]).optional(),
    status: z.string().optional(),
  })
  .strict()
  .refine((m) => m.phase === undefined || m.role === "assistant", { message: "phase is only valid on assistant messages", path: ["phase"] });

const FunctionCallItem = z
  .object({
    type: z.literal("function_call"),
    id: z.string().optional(),
    call_id: z.string().optional(),
    name: z.string(),
    arguments: z.string(),
    status: z.string().optional(),
  })
  .strict();

const FunctionCallOutputItem = z.object({ type: z.literal("function_call_output"), call_id: z.string(), output: z.string() }).strict();
const ReasoningItem = z
  .object({ type: z.literal("reasoning"), content: z.unknown().optional(), encrypted_content: z.string().optional(), summary: z.string().optional() })
  .strict();
const ItemReference = z.object({ type: z.literal("item_reference"), id: z.string() }).strict();

export const InputItemSchema = z
  .discriminatedUnion("type", [MessageItem, FunctionCallItem, FunctionCallOutputItem, ReasoningItem, ItemReference])
  .openapi("ResponseInputItem");
export type InputItem = z.infer<typeof InputItemSchema>;

const FunctionTool = z
  .object({
    type: z.literal("function"),
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().optional(),
  })
  .strict();

const ToolChoice = z.union([
  z.enum(["auto", "none", "required"]),
  z.object({ type: z.literal("function"), name: z.string() }).strict(),
  z.object({ type: z.literal("function"), function: z.object({ name: z.string() }).strict() }).strict(),
]);

export const ResponsesRequestSchema = z
  .object({
    model: z.string().openapi({ description: "Agent selector: `openclaw` or `openclaw/<agentId>`", example: "openclaw" }),
    input: z.union([z.string(), z.array(InputItemSchema)]),
    instructions: z.string().optional(),
    tools: z.array(FunctionTool).optional(),
    tool_choice: ToolChoice.optional(),
    text: z.object({ format: z.object({ type: z.literal("text") }).strict() }).strict().optional(),
    stream: z.boolean().nullable().optional(),
    max_output_tokens: z.int().positive().optional(),
    max_tool_calls: z.int().positive().optional(),
    user: z.string().optional(),
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().min(0).max(1).optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    store: z.boolean().optional(),
    previous_response_id: z.string().optional(),
    reasoning: z
      .object({ effort: z.enum(["low", "medium", "high"]).optional(), summary: z.enum(["auto", "concise", "detailed"]).optional() })
      .strict()
      .optional(),
    truncation: z.enum(["auto", "disabled"]).optional(),
  })
  .strict()
  .openapi("ResponsesRequest");
export type ResponsesRequest = z.infer<typeof ResponsesRequestSchema>;

const ResponseUsageSchema = z.object({
  input_tokens: z.number().int(),
  input_tokens_details: z.object({ cached_tokens: z.number().int(), cache_write_tokens: z.number().int() }),
  output_tokens: z.number().int(),
  output_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
  total_tokens: z.number().int(),
});

const OutputMessageSchema = z.object({
  type: z.literal("message"),
  id: z.string(),
  role: z.literal("assistant"),
  content: z.array(z.object({ type: z.literal("output_text"), text: z.string() })),
  phase: z.enum(["commentary", "final_answer"]).optional(),
  status: z.enum(["in_progress", "completed", "incomplete"]),
});

const OutputFunctionCallSchema = z.object({
  type: z.literal("function_call"),
  id: z.string(),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
  status: z.literal("completed").optional(),
});

export const ResponseObjectSchema = z
  .object({
    id: z.string().openapi({ example: "resp_b5e8c59a-cc6d-4ed5-a035-6530f9992d5d" }),
    object: z.literal("response"),
    created_at: z.number().int(),
    status: z.enum(["in_progress", "completed", "incomplete", "failed"]),
    model: z.string(),
    output: z.array(z.union([OutputMessageSchema, OutputFunctionCallSchema])),
    usage: ResponseUsageSchema,
    incomplete_details: z.object({ reason: z.literal("max_output_tokens") }).optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi("Response", { description: "Also the body of a failed request (`status:\"failed\"`, with `error`)" });

export const ResponseStreamEventSchema = z
  .object({ type: z.string(), response: ResponseObjectSchema.optional(), output_index: z.number().int().optional() })
  .loose()
  .openapi("ResponseStreamEvent", { description: "One `event: <type>` + `data:` frame; the stream ends with `data: [DONE]`" });

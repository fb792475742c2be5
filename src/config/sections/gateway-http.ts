import { z } from "zod";

const EndpointSchema = z
  .object({ enabled: z.boolean().optional().describe("Serve this endpoint (default false)") })
  .strict();

export const GatewayHttpSchema = z
  .object({
    endpoints: z
      .object({
        chatCompletions: EndpointSchema.optional().describe("POST /v1/chat/completions (also enables /v1/models and /v1/embeddings)"),
        responses: EndpointSchema.optional().describe("POST /v1/responses (also enables /v1/models and /v1/embeddings)"),
      })
      .strict()
      .optional()
      .describe("Which OpenAI-compatible endpoints are served"),
    maxBodyBytes: z.int().positive().optional().describe("Largest accepted request body (default 20 MB)"),
  })
  .strict()
  .describe("OpenAI-compatible HTTP API");

export const GatewayRateLimitSchema = z
  .object({
    maxAttempts: z.int().positive().optional().describe("Failed auth attempts allowed per window (default 10)"),
    windowMs: z.int().positive().optional().describe("Window for counting failures (default 60000)"),
    lockoutMs: z.int().positive().optional().describe("Lockout after too many failures (default 300000)"),
    exemptLoopback: z.boolean().optional().describe("Never lock out loopback clients (default true)"),
  })
  .strict()
  .describe("Failed-auth rate limiting on HTTP");

export const GatewayToolsSchema = z
  .object({
    allow: z.array(z.string()).optional().describe("Tools to allow over POST /tools/invoke despite the default deny list"),
    deny: z.array(z.string()).optional().describe("Extra tools to refuse over POST /tools/invoke"),
  })
  .strict()
  .describe("Tool policy for POST /tools/invoke");

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
  .describe("Failed-auth rate limiting, shared by WebSocket connect and the HTTP API");

export const GatewayToolsSchema = z
  .object({
    allow: z.array(z.string()).optional().describe("Tools to allow over POST /tools/invoke despite the default deny list"),
    deny: z.array(z.string()).optional().describe("Extra tools to refuse over POST /tools/invoke"),
  })
  .strict()
  .describe("Tool policy for POST /tools/invoke");

/** "" (the root) or "/segment[/segment…]": no trailing slash, no dot segments, URL-safe characters only. */
const BASE_PATH = /^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*\/?$/;

export const GatewayControlUiSchema = z
  .object({
    enabled: z.boolean().optional().describe("Serve the Control UI web page on the gateway port (default true)"),
    basePath: z
      .string()
      .regex(BASE_PATH, 'must be "" or a path such as "/openclaw" (letters, digits, "-", "_", "~", ".")')
      .optional()
      .describe('URL prefix the Control UI is served under, e.g. "/openclaw" (default "": the root)'),
    allowedOrigins: z
      .array(z.string())
      .optional()
      .describe('Browser origins allowed to open a WebSocket or call the API, e.g. "http://localhost:5173" ("*" allows any)'),
    dangerouslyAllowHostHeaderOriginFallback: z
      .boolean()
      .optional()
      .describe("Also allow a browser origin equal to the request's Host header (off: DNS-rebinding pages would pass)"),
  })
  .strict()
  .describe("Browser access to the gateway");

export const GatewayNodesSchema = z
  .object({
    pairing: z
      .object({
        autoApproveLocal: z
          .boolean()
          .optional()
          .describe("Pair a device silently when it connects directly on loopback with no browser Origin (default true)"),
      })
      .strict()
      .optional()
      .describe("Device pairing (gate 1: may this key connect)"),
    commands: z
      .object({
        allow: z.array(z.string()).optional().describe("Node commands to let through beyond the platform allowlist (also opts in to camera, SMS …)"),
        deny: z.array(z.string()).optional().describe("Node commands never let through, whatever the node declares"),
      })
      .strict()
      .optional()
      .describe("Which node commands the gateway lets through"),
  })
  .strict()
  .describe("Devices and nodes");

export const GatewayHandshakeSchema = z
  .object({
    maxPendingPerAddress: z
      .int()
      .positive()
      .optional()
      .describe("Unauthenticated WebSockets one client address may hold open (default 2048); beyond it upgrades get 503"),
    maxPendingTotal: z
      .int()
      .positive()
      .optional()
      .describe("Unauthenticated WebSockets open at once from all addresses (default 8192); beyond it upgrades get 503"),
  })
  .strict()
  .describe("Budget for sockets that have not completed connect");

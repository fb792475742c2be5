import { z } from "zod";
import { GatewayControlUiSchema, GatewayHandshakeSchema, GatewayNodesSchema, GatewayHttpSchema, GatewayRateLimitSchema, GatewayToolsSchema } from "./gateway-http.ts";
import { secretInput } from "./secrets.ts";
import { GatewayTailscaleSchema, GatewayTrustedProxiesSchema, GatewayTrustedProxyAuthSchema } from "./gateway-access.ts";

// Order matches the reference CLI's validation message: (allowed: "auto", "lan", "loopback", "custom", "tailnet").
export const BindModeSchema = z
  .enum(["auto", "lan", "loopback", "custom", "tailnet"])
  .describe("Which interfaces the gateway listens on");

export const GatewayAuthSchema = z
  .object({
    mode: z
      .enum(["none", "token", "password", "trusted-proxy"])
      .optional()
      .describe('How clients authenticate; unset means "password" if a password is configured, else "token"'),
    token: secretInput("Shared token clients present (supports ${VAR} or a SecretRef)").optional(),
    password: secretInput("Shared password clients present (supports ${VAR} or a SecretRef)").optional(),
    rateLimit: GatewayRateLimitSchema.optional(),
    trustedProxy: GatewayTrustedProxyAuthSchema.optional(),
    allowTailscale: z.boolean().optional().describe("Accept Tailscale Serve identity for WebSocket/Control UI connects (default true with tailscale.mode=serve unless auth is password or trusted-proxy)"),
  })
  .strict()
  .describe("Gateway client authentication");

export const GatewayReloadSchema = z
  .object({
    mode: z
      .enum(["off", "hot", "restart", "hybrid"])
      .optional()
      .describe("How config file changes are applied while running (default hybrid)"),
  })
  .strict()
  .describe("Config hot reload");

export const GatewayRemoteSchema = z
  .object({
    url: z.string().optional().describe("WebSocket URL of a remote gateway (client side)"),
    token: secretInput("Token for the remote gateway (string or SecretRef)").optional(),
    password: secretInput("Password for the remote gateway (string or SecretRef)").optional(),
  })
  .strict()
  .describe("Connection to a remote gateway, used by clients when gateway.mode=remote");

export const GatewaySchema = z
  .object({
    mode: z
      .enum(["local", "remote"])
      .optional()
      .describe('Whether this machine runs the gateway ("local") or talks to one elsewhere ("remote")'),
    port: z.int().min(1).max(65535).optional().describe("TCP port for WebSocket and HTTP (default 18789)"),
    bind: BindModeSchema.optional().describe('Which interfaces the gateway listens on (default "loopback")'),
    customBindHost: z.ipv4().optional().describe("IPv4 address to listen on when bind=custom"),
    auth: GatewayAuthSchema.optional(),
    reload: GatewayReloadSchema.optional(),
    remote: GatewayRemoteSchema.optional(),
    http: GatewayHttpSchema.optional(),
    tools: GatewayToolsSchema.optional(),
    controlUi: GatewayControlUiSchema.optional(),
    handshake: GatewayHandshakeSchema.optional(),
    nodes: GatewayNodesSchema.optional(),
    trustedProxies: GatewayTrustedProxiesSchema.optional(),
    allowRealIpFallback: z.boolean().optional().describe("Let X-Real-IP from a trusted proxy stand in for a missing X-Forwarded-For (default false)"),
    tailscale: GatewayTailscaleSchema.optional(),
  })
  .strict()
  .describe("Gateway server settings");

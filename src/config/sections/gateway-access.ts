/** Keys for reaching a gateway through something in front of it: a trusted reverse proxy, or Tailscale Serve/Funnel. */
import { z } from "zod";
import { parseProxyEntry } from "../../auth/proxy.ts";

export const TrustedProxyEntrySchema = z
  .string()
  .refine((s) => parseProxyEntry(s) !== undefined, { message: "must be an IP address or CIDR (e.g. 10.0.0.5 or 10.0.0.0/24)" })
  .describe("IP address or CIDR of a proxy allowed to set forwarded-client headers");

export const GatewayTrustedProxiesSchema = z
  .array(TrustedProxyEntrySchema)
  .describe("Reverse proxies whose Forwarded / X-Forwarded-* / X-Real-IP headers are believed; keep it narrow");

export const GatewayTrustedProxyAuthSchema = z
  .object({
    userHeader: z.string().min(1).optional().describe('Header the proxy puts the authenticated user in (e.g. "x-forwarded-user")'),
    requiredHeaders: z.array(z.string().min(1)).optional().describe("Headers every proxied request must carry (e.g. x-forwarded-proto)"),
    allowUsers: z.array(z.string().min(1)).optional().describe("Users allowed in (empty or unset: any user the proxy names)"),
    allowLoopback: z.boolean().optional().describe("Accept a proxy on this machine (a loopback trusted proxy); default false"),
  })
  .strict()
  .describe('Identity-aware proxy settings for gateway.auth.mode "trusted-proxy"');

export const GatewayTailscaleSchema = z
  .object({
    mode: z
      .enum(["off", "serve", "funnel"])
      .optional()
      .describe('Expose the gateway over Tailscale: "serve" (tailnet HTTPS), "funnel" (public HTTPS, needs password auth), "off" (default)'),
    preserveFunnel: z.boolean().optional().describe("Deprecated; accepted and ignored"),
  })
  .strict()
  .describe("Tailscale Serve/Funnel in front of a loopback gateway");

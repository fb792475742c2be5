import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AgentService } from "../agents/types.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import type { AuthConfig } from "../auth/secret.ts";
import type { FailedAuthLimiter } from "../auth/limiter.ts";
import type { OriginPolicy } from "../auth/origin.ts";
import type { HookDeps } from "./hooks/types.ts";
import type { CanvasDeps } from "./canvas/surface.ts";

/** What the HTTP door needs from a running gateway; every getter is read per request so config hot-applies. */
export interface HttpDeps {
  config(): OpenClawConfig;
  auth(): AuthConfig;
  agents: AgentService;
  /** The gateway's failed-auth limiter, shared with WebSocket connect (a fresh one when absent). */
  limiter?: FailedAuthLimiter;
  /** Browser origins the gateway accepts (absent: only requests without a browser origin). */
  originPolicy?(): OriginPolicy;
  /** The gateway's metrics: the /metrics text, and where each answered request is counted. */
  metrics?: { text(): string; httpRequest(route: string, status: number): void };
  /** The hook routes' system-event queue, channel delivery and log (absent: their own queue, no channels). */
  hooks?: HookDeps;
  /** The canvas host's state dir, capabilities and off switch (absent: the canvas routes answer 404). */
  canvas?: CanvasDeps;
  uptimeMs(): number;
  isDraining(): boolean;
  /** Told about exceptions no route handled (the caller only sees a bare 500). */
  onError?(err: unknown, req: Request): void;
}

/** The part of Bun's Server the door uses: the socket peer of a request. */
export interface PeerSource {
  requestIP(req: Request): { address: string } | null;
  /** Bun's per-request idle timeout (seconds, 0 = none), for long-lived streams. */
  timeout?(req: Request, seconds: number): void;
}

/** Who is calling, settled by the auth gate before any handler runs. */
export interface Caller {
  /** "shared-secret" for token/password callers, "anonymous" with auth mode none. */
  subject: string;
  /** Token/password callers: x-openclaw-scopes is ignored and they hold the full operator set. */
  sharedSecret: boolean;
  scopes: readonly string[];
  ip: string;
}

/** Who the request is from once forwarding headers are accounted for (set by the preflight). */
export interface ClientAddress {
  /** The forwarded client behind a trusted proxy, else the socket peer. */
  ip: string;
  peerIp: string;
  forwarded: boolean;
}

export type HttpEnv = {
  /** `ingress: "tailscale"`: the request came in on the managed Tailscale Serve/Funnel listener. */
  Bindings: { server?: PeerSource; ingress?: "tailscale" };
  Variables: { caller: Caller; body: unknown; client: ClientAddress };
};

export type HttpApp = OpenAPIHono<HttpEnv>;

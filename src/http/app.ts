/**
 * The HTTP door: one OpenAPIHono app whose routes also generate /openapi.json. Every piece of
 * per-app state (the failed-auth limiter, the previous_response_id map) is created here, so two
 * apps in one process never share anything.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { getPath } from "hono/utils/url";
import type { AgentService } from "../agents/types.ts";
import { VERSION } from "../version.ts";
import type { HttpApp, HttpDeps, HttpEnv } from "./env.ts";
import { textResponse } from "./errors.ts";
import { gate, type GateSpec } from "./middleware/gate.ts";
import { preflight, securityHeaders } from "./middleware/pipeline.ts";
import { FailedAuthLimiter } from "../auth/limiter.ts";
import { registerChatCompletionsRoute } from "./routes/chat-completions.ts";
import { registerEmbeddingsRoute } from "./routes/embeddings.ts";
import { registerMetricsRoute } from "./routes/metrics.ts";
import { registerModelRoutes } from "./routes/models.ts";
import { registerProbeRoutes } from "./routes/probes.ts";
import { registerResponsesRoute } from "./routes/responses.ts";
import { registerToolsInvokeRoute } from "./routes/tools-invoke.ts";
import { routedHookPath } from "./hooks/config.ts";
import { registerHookRoutes } from "./hooks/routes.ts";
import { registerCanvasRoutes } from "./canvas/routes.ts";
import { controlUiFallback } from "./control-ui/routes.ts";

export type { Caller, HttpApp, HttpDeps, HttpEnv, PeerSource } from "./env.ts";

const DOC_INFO = { openapi: "3.1.0", info: { title: "OpenClaw Gateway HTTP API", version: VERSION } };

export function createHttpApp(deps: HttpDeps): HttpApp {
  // A configured hooks.path is routed as the default /hooks the hook routes are registered under.
  const app = new OpenAPIHono<HttpEnv>({ getPath: (req) => routedHookPath(getPath(req), deps.config()) });
  const limiter = deps.limiter ?? new FailedAuthLimiter();
  const guard = (spec: GateSpec) => gate(deps, limiter, spec);

  app.use("*", securityHeaders());
  app.use("*", countRequests(deps));
  app.use("*", preflight(deps));
  registerProbeRoutes(app, deps);
  registerModelRoutes(app, deps, guard);
  registerEmbeddingsRoute(app, deps, guard);
  registerToolsInvokeRoute(app, deps, guard);
  registerResponsesRoute(app, deps, guard);
  registerChatCompletionsRoute(app, deps, guard);
  registerMetricsRoute(app, deps, guard);
  registerHookRoutes(app, deps);
  registerCanvasRoutes(app, deps, guard);
  app.doc31("/openapi.json", DOC_INFO);

  // Last stage: what no route took is the Control UI's (GET/HEAD under its base path) or a 404.
  app.notFound(controlUiFallback(deps));
  app.onError((err, c) => {
    deps.onError?.(err, c.req.raw);
    return textResponse("Internal Server Error", 500, { "Cache-Control": "no-store" });
  });
  return app;
}

/** Counts every answered request by the route that matched (never by the raw path: bounded labels). */
function countRequests(deps: HttpDeps): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    await next();
    const route = routePath(c, -1);
    deps.metrics?.httpRequest(route === "" || route === "*" || route === "/*" ? "(unmatched)" : route, c.res.status);
  };
}

export function openApiDocument(app: HttpApp): unknown {
  return app.getOpenAPI31Document(DOC_INFO);
}

/**
 * The document without a running gateway (scripts/gen.ts). Routes read their deps only while
 * serving a request, so deps that throw when touched are enough to build the app.
 */
export function standaloneOpenApiDocument(): unknown {
  const absent = (): never => {
    throw new Error("HTTP deps are not available while generating the OpenAPI document");
  };
  const agents = new Proxy({} as AgentService, { get: absent });
  return openApiDocument(createHttpApp({ config: absent, auth: absent, agents, uptimeMs: absent, isDraining: absent }));
}

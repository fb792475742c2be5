import { OpenAPIHono, createRoute, z } from "@hono/zod-openapi";
import { VERSION } from "../version.ts";

/** What the HTTP door needs from a running gateway; the domain never sees a Hono context. */
export interface HttpDeps {
  uptimeMs(): number;
  isDraining(): boolean;
}

const ErrorBody = z.object({ error: z.object({ message: z.string(), type: z.string() }) }).openapi("Error");
const Live = z.object({ ok: z.boolean(), status: z.string() }).openapi("Liveness");
const Ready = z
  .object({ ready: z.boolean(), failing: z.array(z.string()), uptimeMs: z.number(), version: z.string() })
  .openapi("Readiness");

const liveRoute = (path: string) =>
  createRoute({
    method: "get",
    path,
    summary: "Liveness probe (no auth)",
    responses: { 200: { description: "The process is up", content: { "application/json": { schema: Live } } } },
  });

const readyRoute = (path: string) =>
  createRoute({
    method: "get",
    path,
    summary: "Readiness probe (no auth)",
    responses: {
      200: { description: "Accepting connections", content: { "application/json": { schema: Ready } } },
      503: { description: "Starting or draining", content: { "application/json": { schema: Ready } } },
    },
  });

export function createHttpApp(deps: HttpDeps): OpenAPIHono {
  const app = new OpenAPIHono();
  for (const path of ["/healthz", "/health"]) {
    app.openapi(liveRoute(path), (c) => c.json({ ok: true, status: "live" }, 200));
  }
  for (const path of ["/readyz", "/ready"]) {
    app.openapi(readyRoute(path), (c) => {
      const draining = deps.isDraining();
      const body = { ready: !draining, failing: draining ? ["draining"] : [], uptimeMs: deps.uptimeMs(), version: VERSION };
      return draining ? c.json(body, 503) : c.json(body, 200);
    });
  }
  app.doc31("/openapi.json", { openapi: "3.1.0", info: { title: "OpenClaw Gateway HTTP API", version: VERSION } });
  app.notFound((c) => c.json({ error: { message: "Not Found", type: "not_found" } } satisfies z.infer<typeof ErrorBody>, 404));
  app.onError((err, c) => c.json({ error: { message: err.message || "Internal Server Error", type: "server_error" } }, 500));
  return app;
}

export function openApiDocument(app: OpenAPIHono): unknown {
  return app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "OpenClaw Gateway HTTP API", version: VERSION } });
}

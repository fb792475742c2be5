/** Liveness and readiness probes: no auth, no gate, answered before anything else can fail. */
import { createRoute, z } from "@hono/zod-openapi";
import { VERSION } from "../../version.ts";
import type { HttpApp, HttpDeps } from "../env.ts";
import { methodNotAllowed } from "../errors.ts";

const Live = z.object({ ok: z.boolean(), status: z.string() }).openapi("Liveness");
const Ready = z
  .object({ ready: z.boolean(), failing: z.array(z.string()), uptimeMs: z.number(), version: z.string() })
  .openapi("Readiness");

const liveRoute = (path: string) =>
  createRoute({
    method: "get",
    path,
    summary: "Liveness probe (no auth)",
    tags: ["Probes"],
    responses: { 200: { description: "The process is up", content: { "application/json": { schema: Live } } } },
  });

const readyRoute = (path: string) =>
  createRoute({
    method: "get",
    path,
    summary: "Readiness probe (no auth)",
    tags: ["Probes"],
    responses: {
      200: { description: "Accepting connections", content: { "application/json": { schema: Ready } } },
      503: { description: "Starting or draining", content: { "application/json": { schema: Ready } } },
    },
  });

export function registerProbeRoutes(app: HttpApp, deps: HttpDeps): void {
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
  // GET (and HEAD, which Hono answers from GET) matched above; any other method is a 405, as on the published gateway.
  for (const path of ["/healthz", "/health", "/readyz", "/ready"]) app.all(path, () => methodNotAllowed(["GET", "HEAD"]));
}

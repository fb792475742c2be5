/**
 * GET /metrics: the Prometheus text exposition of the gateway's metrics (src/metrics/catalog.ts),
 * behind the gateway's HTTP auth (scope operator.read) and served while draining too.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { HttpApp, HttpDeps, HttpEnv } from "../env.ts";
import { notFound } from "../errors.ts";
import type { GateSpec } from "../middleware/gate.ts";
import { gatedResponses } from "../schemas/common.ts";

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  summary: "Prometheus metrics (text exposition format 0.0.4)",
  tags: ["Operations"],
  responses: {
    200: { description: "Counters, gauges and histograms; see the README's metrics table", content: { [CONTENT_TYPE]: { schema: z.string() } } },
    ...gatedResponses({ body: false }),
  },
});

export function registerMetricsRoute(app: HttpApp, deps: HttpDeps, guard: (spec: GateSpec) => MiddlewareHandler<HttpEnv>): void {
  app.use("/metrics", guard({ methods: ["GET", "HEAD"], scopes: () => ["operator.read"], userWork: false }));
  app.openapi(metricsRoute, () => {
    const text = deps.metrics?.text();
    if (text === undefined) return notFound();
    return new Response(text, { status: 200, headers: { "Content-Type": CONTENT_TYPE, "Cache-Control": "no-store" } });
  });
}

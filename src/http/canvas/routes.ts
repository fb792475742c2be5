/**
 * The canvas routes on the gateway port. Two ways in, both GET/HEAD only:
 * - /__openclaw__/canvas/… and /__openclaw__/a2ui/… with the gateway's HTTP auth (Bearer token or
 *   password; auth mode none lets local callers in), through the same gate as the API routes;
 * - /__openclaw__/cap/<capability>/__openclaw__/canvas/… with a capability from hello-ok, valid while
 *   the connection it was issued to is open (what nodes and browser pages use: no header needed).
 * The host itself (files, watcher) is imported on the first canvas request.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { OpenClawConfig } from "../../config/schema.ts";
import type { HttpApp, HttpDeps, HttpEnv } from "../env.ts";
import { methodNotAllowed, notFound, unauthorized } from "../errors.ts";
import type { GateSpec } from "../middleware/gate.ts";
import type { CanvasHost } from "./host.ts";
import { A2UI_PATH, CANVAS_PATH, CAPABILITY_PATH, canvasHostEnabled } from "./surface.ts";

const METHODS = ["GET", "HEAD"] as const;

/** The raw path and query of the request URL: nothing decoded, so encoded slashes stay visible. */
function rawTarget(url: string): { path: string; search: string } {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start < 0) return { path: "/", search: "" };
  const hash = url.indexOf("#", start);
  const end = hash < 0 ? url.length : hash;
  const q = url.indexOf("?", start);
  return q >= 0 && q < end ? { path: url.slice(start, q), search: url.slice(q, end) } : { path: url.slice(start, end), search: "" };
}

/** `rest` of a path under `prefix` ("" or "/…"), or undefined when the path is not under it. */
function under(path: string, prefix: string): string | undefined {
  if (path === prefix) return "";
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}

export function registerCanvasRoutes(app: HttpApp, deps: HttpDeps, guard: (spec: GateSpec) => MiddlewareHandler<HttpEnv>): void {
  const canvas = deps.canvas;
  const enabled = (config: OpenClawConfig) => canvas !== undefined && canvasHostEnabled(config, canvas.skippedByEnv);
  let loading: Promise<CanvasHost> | undefined;
  const host = () => (loading ??= import("./host.ts").then((m) => new m.CanvasHost(canvas!)));

  const serve = async (c: Context<HttpEnv>, base: string, rest: string, search: string, capability: boolean) => {
    const h = await host();
    // An event stream is quiet between changes: it must outlive Bun's idle timeout.
    const keepAlive = () => c.env?.server?.timeout?.(c.req.raw, 0);
    return h.handle(c.req.raw, deps.config(), { base, rest, search, capability }, keepAlive);
  };

  const gated = guard({ methods: METHODS, enabled, scopes: () => [], userWork: false });
  app.all(`${CANVAS_PATH}/*`, gated, (c) => {
    const { path, search } = rawTarget(c.req.url);
    const rest = under(path, CANVAS_PATH);
    return rest === undefined ? notFound() : serve(c, "", rest, search, false);
  });
  // No A2UI bundle ships with this gateway: authorized callers get 404, as the published one answers for its root.
  app.all(`${A2UI_PATH}/*`, gated, () => notFound());

  const capabilityGate: MiddlewareHandler<HttpEnv> = async (c, next) => {
    if (!enabled(deps.config())) return notFound();
    if (!(METHODS as readonly string[]).includes(c.req.method)) return methodNotAllowed(METHODS);
    if (!canvas!.capabilities.holds(c.req.param("cap") ?? "")) return unauthorized();
    await next();
  };
  app.all(`${CAPABILITY_PATH}/:cap/*`, capabilityGate, (c) => {
    const { path, search } = rawTarget(c.req.url);
    const afterCap = path.indexOf("/", CAPABILITY_PATH.length + 1);
    const base = afterCap < 0 ? path : path.slice(0, afterCap);
    const inner = afterCap < 0 ? "" : path.slice(afterCap);
    if (inner === "" || inner === "/") return new Response(null, { status: 301, headers: { Location: `${base}${CANVAS_PATH}/${search}` } });
    const rest = under(inner, CANVAS_PATH);
    if (rest !== undefined) return serve(c, base, rest, search, true);
    return notFound();
  });
}

/**
 * The Control UI on the gateway port, the last stage of the route order: the app shell for the
 * base path and every client-side route below it, the hashed assets, and plain-text 404s for
 * missing assets and for non-HTML requests. It is not an API route (no auth: the page signs in
 * over the WebSocket), so it stays out of the OpenAPI document. `gateway.controlUi.enabled` and
 * `basePath` are read per request.
 */
import type { Context } from "hono";
import type { HttpDeps, HttpEnv } from "../env.ts";
import { notFound } from "../errors.ts";
import type { UiFile } from "./bundle.ts";
import { loadUiBundle, uiAssets, type UiAssets } from "./assets.ts";
import { acceptsHtml, CONTROL_UI_HEADERS, IMMUTABLE, pickEncoding } from "./headers.ts";

/** "" or "/a/b": the configured base path without its trailing slash. */
export function normalizeBasePath(raw: string | undefined): string {
  const trimmed = (raw ?? "").trim().replace(/\/+$/, "");
  return trimmed === "" ? "" : trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

/** The path below the base ("" for the base itself), or undefined when outside it. */
function belowBase(path: string, base: string): string | undefined {
  if (base === "") return path;
  if (path === base) return "";
  return path.startsWith(`${base}/`) ? path.slice(base.length) : undefined;
}

/**
 * Never client routes when the UI sits at the root: unknown API paths and the gateway's internal
 * namespace (canvas, capabilities) stay plain 404s.
 */
const NOT_CLIENT_ROUTES = /^\/(v1|api|__openclaw__|__openclaw)(\/|$)/;

export interface ControlUiOptions {
  /** The assets to serve (tests); default: embedded, else built from src/ui on first use. */
  load?: () => Promise<UiAssets>;
}

/**
 * The handler for every request no route matched (Hono's notFound): the UI for GET/HEAD under
 * the base path, the plain 404 for everything else. Being the not-found handler rather than a
 * catch-all route keeps it out of every other route's match list (and its metrics label).
 */
export function controlUiFallback(deps: HttpDeps, opts: ControlUiOptions = {}): (c: Context<HttpEnv>) => Promise<Response> {
  let loading: Promise<UiAssets> | undefined;
  const assets = () => {
    loading ??= (opts.load ?? (async () => uiAssets(await loadUiBundle())))();
    // A failed build is tried again on the next request rather than remembered.
    loading.catch(() => (loading = undefined));
    return loading;
  };

  return async (c) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return notFound();
    const ui = deps.config().gateway?.controlUi;
    if (ui?.enabled === false) return notFound();
    const base = normalizeBasePath(ui?.basePath);
    const rel = belowBase(c.req.path, base);
    if (rel === undefined) return notFound();
    if (base === "" && NOT_CLIENT_ROUTES.test(rel)) return notFound();
    const files = await assets();
    const name = rel.replace(/^\/+/, "");
    if (name.startsWith("assets/")) {
      const file = files.file(name);
      return file ? send(c, file, files) : notFound();
    }
    const file = name === "" || name === "index.html" ? undefined : files.file(name);
    if (file) return send(c, file, files);
    if (!acceptsHtml(c.req.header("accept"))) return notFound();
    return send(c, files.index(base), files);
  };
}

function send(c: Context<HttpEnv>, file: UiFile, files: UiAssets): Response {
  const headers: Record<string, string> = {
    ...CONTROL_UI_HEADERS,
    "Content-Type": file.contentType,
    "Cache-Control": file.immutable ? IMMUTABLE : "no-cache",
    "Last-Modified": files.lastModified,
    Vary: "Accept-Encoding",
  };
  if (!file.immutable && c.req.header("if-modified-since") === files.lastModified) return new Response(null, { status: 304, headers });
  const encoding = pickEncoding(c.req.header("accept-encoding"), { br: !!file.br, gzip: !!file.gzip });
  const body = encoding === "br" ? file.br! : encoding === "gzip" ? file.gzip! : file.body;
  if (encoding) headers["Content-Encoding"] = encoding;
  headers["Content-Length"] = String(body.length);
  return new Response(c.req.method === "HEAD" ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
}

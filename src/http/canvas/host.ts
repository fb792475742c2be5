/**
 * Answers canvas requests once the route has decided the caller may read the canvas: documents
 * with validators and the live-reload script, the reload client and its event stream. Loaded on
 * the first canvas request only.
 */
import type { OpenClawConfig } from "../../config/schema.ts";
import { notFound } from "../errors.ts";
import { LIVE_CLIENT_JS } from "./assets.ts";
import { canvasRoot, documentSegments, ensureRoot, lookupDocument } from "./files.ts";
import { ReloadHub, reloadStream } from "./live.ts";
import { CANVAS_PATH, type CanvasDeps } from "./surface.ts";

/**
 * Documents run as a sandbox with an opaque origin: a page an agent wrote must not read what the
 * Control UI keeps in this origin's storage (its device key and tokens), nor call the gateway as it.
 */
const DOCUMENT_CSP = "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads";
const LIVE_DIR = "/.live";

export interface CanvasRequest {
  /** The raw (still percent-encoded) path after /__openclaw__/canvas: "", "/" or "/a/b.html". */
  rest: string;
  /** What comes before /__openclaw__/canvas: "" or /__openclaw__/cap/<capability>. */
  base: string;
  /** Through a capability: its holder's pages (opaque origin) may fetch sibling files. */
  capability: boolean;
  search: string;
}

export class CanvasHost {
  readonly hub: ReloadHub;

  constructor(private readonly deps: CanvasDeps) {
    this.hub = new ReloadHub(deps.log);
  }

  async handle(req: Request, config: OpenClawConfig, r: CanvasRequest, keepAlive?: () => void): Promise<Response> {
    const live = config.plugins?.entries?.canvas?.config?.host?.liveReload !== false;
    if (r.rest === "") return redirect(`${r.base}${CANVAS_PATH}/${r.search}`);
    if (r.rest.startsWith(`${LIVE_DIR}/`)) {
      if (!live) return notFound();
      if (r.rest === `${LIVE_DIR}/client.js`) return this.client(r.capability);
      if (r.rest === `${LIVE_DIR}/events`) return this.events(req, config, keepAlive);
      return notFound();
    }
    const segments = documentSegments(r.rest);
    if (!segments) return notFound();
    const realRoot = await this.root(config);
    if (!realRoot) return notFound();
    const found = await lookupDocument(realRoot, segments);
    if (found.kind === "directory") return redirect(`${r.base}${CANVAS_PATH}${r.rest}/${r.search}`);
    if (found.kind === "missing") return notFound();
    return this.document(req, found, r, live);
  }

  private async root(config: OpenClawConfig): Promise<string | undefined> {
    const root = canvasRoot(config, this.deps.stateDir, this.deps.home);
    try {
      return await ensureRoot(root);
    } catch (err) {
      this.deps.log?.warn(`canvas: cannot use ${root}: ${(err as Error).message}`);
      return undefined;
    }
  }

  private async document(req: Request, file: { path: string; size: number; mtimeMs: number }, r: CanvasRequest, live: boolean): Promise<Response> {
    const blob = Bun.file(file.path);
    const type = blob.type;
    const inject = live && type.startsWith("text/html");
    const scriptSrc = `${r.base}${CANVAS_PATH}${LIVE_DIR}/client.js`;
    // The page's bytes depend on the prefix it was asked through once the script tag is in.
    const variant = inject ? `-${Bun.hash(scriptSrc).toString(36)}` : "";
    const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}${variant}"`;
    const headers: Record<string, string> = {
      "Content-Type": type,
      "Cache-Control": "no-cache",
      ETag: etag,
      "Last-Modified": new Date(file.mtimeMs).toUTCString(),
      "Content-Security-Policy": DOCUMENT_CSP,
    };
    if (r.capability) headers["Access-Control-Allow-Origin"] = "*";
    if (notModified(req.headers, etag, file.mtimeMs)) return new Response(null, { status: 304, headers });
    if (!inject) return new Response(blob, { status: 200, headers: { ...headers, "Content-Length": String(file.size) } });
    const body = new TextEncoder().encode(injectScript(await blob.text(), scriptSrc));
    return new Response(body, { status: 200, headers: { ...headers, "Content-Length": String(body.byteLength) } });
  }

  private client(capability: boolean): Response {
    const headers: Record<string, string> = { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache" };
    if (capability) headers["Access-Control-Allow-Origin"] = "*";
    return new Response(LIVE_CLIENT_JS, { status: 200, headers });
  }

  private async events(req: Request, config: OpenClawConfig, keepAlive?: () => void): Promise<Response> {
    const root = await this.root(config);
    if (!root) return notFound();
    if (req.method === "HEAD") {
      return new Response(null, { status: 200, headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache" } });
    }
    keepAlive?.();
    return reloadStream(this.hub, root, req.signal);
  }
}

function redirect(location: string): Response {
  return new Response(null, { status: 301, headers: { Location: location, "Cache-Control": "no-cache" } });
}

/** If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2); weak comparison for GET. */
export function notModified(headers: Headers, etag: string, mtimeMs: number): boolean {
  const inm = headers.get("if-none-match");
  if (inm !== null) {
    const bare = (t: string) => t.trim().replace(/^W\//, "");
    return inm.trim() === "*" || inm.split(",").some((t) => bare(t) === bare(etag));
  }
  const ims = headers.get("if-modified-since");
  if (ims === null) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

/** The reload script goes before </body> (else </html>, else at the end). */
export function injectScript(html: string, src: string): string {
  const tag = `<script src="${src}"></script>`;
  const lower = html.toLowerCase();
  const at = lower.lastIndexOf("</body>");
  const pos = at >= 0 ? at : lower.lastIndexOf("</html>");
  return pos >= 0 ? html.slice(0, pos) + tag + html.slice(pos) : html + tag;
}

/**
 * The headers of every Control UI response. The CSP allows nothing but this origin: no inline
 * script (index.html has none), no inline style attribute, no third-party host of any kind, so the
 * page cannot be made to load or send anything elsewhere.
 */
export const CONTROL_UI_CSP = [
  "default-src 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "frame-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' data: blob:",
  "font-src 'self'",
  "worker-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
].join("; ");

export const CONTROL_UI_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": CONTROL_UI_CSP,
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  // As the published Control UI sends it (the page itself asks for none of these).
  "Permissions-Policy": "camera=(self), microphone=*, geolocation=*, clipboard-write=*",
};

export const IMMUTABLE = "public, max-age=31536000, immutable";

/** "br" or "gzip" when the request accepts it (q > 0), brotli first; undefined for identity. */
export function pickEncoding(acceptEncoding: string | undefined, has: { br: boolean; gzip: boolean }): "br" | "gzip" | undefined {
  if (!acceptEncoding) return undefined;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get("*") ?? 0) > 0;
  if (has.br && ok("br")) return "br";
  if (has.gzip && ok("gzip")) return "gzip";
  return undefined;
}

/**
 * Whether the client takes the HTML app shell: no Accept at all, text/html with q > 0, or a
 * wildcard (text/* or *\/*) when text/html is not refused outright. `application/json` alone, or
 * `text/html;q=0, *\/*`, does not.
 */
export function acceptsHtml(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === "") return true;
  let html: number | undefined;
  let wildcard = 0;
  for (const part of accept.split(",")) {
    const [type, ...params] = part.trim().toLowerCase().split(";").map((s) => s.trim());
    const qText = params.find((p) => p.startsWith("q="))?.slice(2);
    const q = qText === undefined ? 1 : Number(qText);
    if (type === "text/html") html = q;
    else if (type === "text/*" || type === "*/*") wildcard = Math.max(wildcard, q);
  }
  return html !== undefined ? html > 0 : wildcard > 0;
}

/**
 * Client-side routes under the base path, on the History API: links are real hrefs (open in a new
 * tab works), plain clicks push a history entry instead of loading the page again.
 */
export interface Route {
  /** Below the base path, always starting with "/": "/chat/main/main". */
  path: string;
  /** Decoded path segments: ["chat", "main", "main"]. */
  segments: string[];
  query: URLSearchParams;
}

export class Router {
  private listeners = new Set<(r: Route) => void>();

  constructor(readonly base: string) {
    addEventListener("popstate", () => this.changed());
  }

  current(): Route {
    const path = location.pathname.startsWith(this.base) ? location.pathname.slice(this.base.length) || "/" : "/";
    const segments = path.split("/").filter(Boolean).map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
    return { path, segments, query: new URLSearchParams(location.search) };
  }

  /** The href of a route path ("/chat"), with the base path in front. */
  href(path: string): string {
    return `${this.base}${path}`;
  }

  /** `silent`: only rewrite the address (replace), without telling the listeners (a view canonicalising its own URL). */
  navigate(path: string, opts: { replace?: boolean; silent?: boolean } = {}): void {
    const url = this.href(path);
    if (url === location.pathname + location.search) return;
    if (opts.replace || opts.silent) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
    if (!opts.silent) this.changed();
  }

  onChange(listener: (r: Route) => void): void {
    this.listeners.add(listener);
  }

  /** Makes same-page links under the base path navigate without a reload. */
  interceptLinks(root: HTMLElement): void {
    root.addEventListener("click", (ev) => {
      if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
      const a = (ev.target as Element | null)?.closest?.("a");
      if (!a || a.target || a.hasAttribute("download") || a.origin !== location.origin) return;
      if (!a.pathname.startsWith(this.base)) return;
      ev.preventDefault();
      this.navigate(a.pathname.slice(this.base.length) + a.search);
    });
  }

  private changed(): void {
    const r = this.current();
    for (const l of this.listeners) l(r);
  }
}

/**
 * The signed-in frame: brand, nav, the connection banner and the view host. It survives
 * reconnects (a restart shows a banner, not a blank page) and mounts one view at a time.
 */
import { fill, h } from "./dom.ts";
import type { GatewayConnection, HelloOk } from "./gateway.ts";
import type { Route, Router } from "./router.ts";
import { DEFAULT_VIEW, VIEWS } from "./views/index.ts";
import type { View, ViewContext, ViewSpec } from "./views/types.ts";

interface Mounted {
  spec: ViewSpec;
  view: View | undefined;
  controller: AbortController;
  unlisten: Array<() => void>;
}

export class Shell {
  readonly el: HTMLElement;
  private readonly nav: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly host: HTMLElement;
  private readonly status: HTMLElement;
  /** Badge counts repeated in the top bar where the nav scrolls sideways (narrow screens). */
  private readonly alerts: HTMLElement;
  private mounted: Mounted | undefined;
  private hello: HelloOk;
  private generation = 0;
  /** Nav badge counts by view id, and the functions that stop their watchers. */
  private readonly counts = new Map<string, number>();
  private badgeStops: Array<() => void> = [];

  constructor(private readonly gateway: GatewayConnection, private readonly router: Router, hello: HelloOk, private readonly actions: { signOut(): void }) {
    this.hello = hello;
    this.nav = h("nav", { class: "nav", "aria-label": "Views" });
    this.banner = h("div", { class: "banner", role: "status", "aria-live": "polite", hidden: true });
    this.host = h("div", { class: "view-host" });
    this.status = h("span", { class: "conn", "data-state": "ok" });
    this.alerts = h("span", { class: "topbar-alerts" });
    this.el = h("div", { class: "app" },
      h("header", { class: "topbar" },
        h("a", { class: "brand", href: router.href("/") }, h("span", { class: "brand-mark", "aria-hidden": "true" }), "OpenClaw"),
        this.alerts,
        this.status,
        h("button", { type: "button", class: "ghost small", onclick: () => actions.signOut() }, "Sign out"),
      ),
      this.nav,
      h("main", { class: "main", id: "main" }, this.banner, this.host),
    );
    router.interceptLinks(this.el);
    router.onChange((r) => this.show(r));
    this.renderStatus();
    this.renderNav(router.current());
    // A task later, once the first view (mounted in a microtask of show()) has sent its requests.
    setTimeout(() => this.watchBadges(), 0);
  }

  /** A new hello-ok after a reconnect: banner off, views reload what they show. */
  connected(hello: HelloOk): void {
    const methodsChanged = hello.features.methods.join() !== this.hello.features.methods.join();
    this.hello = hello;
    this.setBanner(undefined);
    this.renderStatus();
    this.watchBadges();
    if (methodsChanged || !this.mounted?.view) this.remount();
    else this.mounted.view.reconnected?.();
  }

  setBanner(text: string | undefined): void {
    this.banner.hidden = text === undefined;
    this.banner.textContent = text ?? "";
    if (text === undefined) this.renderStatus();
    else {
      this.status.dataset.state = "waiting";
      fill(this.status, "Reconnecting…");
    }
  }

  private renderStatus(): void {
    this.status.dataset.state = "ok";
    fill(this.status, h("span", { class: "conn-label" }, "Connected", h("span", { class: "conn-version" }, ` · ${this.hello.server.version}`)));
    this.status.title = `Gateway ${this.hello.server.version}, ${location.host}`;
  }

  private renderNav(route: Route): void {
    const current = route.segments[0] ?? DEFAULT_VIEW;
    fill(this.nav, h("ul", null, VIEWS.map((v) => {
      const n = this.counts.get(v.id) ?? 0;
      return h("li", null, h("a", { href: this.router.href(`/${v.id}`), title: v.summary, "aria-current": v.id === current ? "page" : undefined, "data-view": v.id },
        v.title,
        n > 0 ? h("span", { class: "nav-badge", "aria-label": `${n} ${v.badge?.label ?? ""}` }, String(n)) : null,
      ));
    })));
    fill(this.alerts, VIEWS.filter((v) => (this.counts.get(v.id) ?? 0) > 0 && v.id !== current).map((v) =>
      h("a", { href: this.router.href(`/${v.id}`), class: "topbar-alert", "aria-label": `${this.counts.get(v.id)} ${v.badge?.label ?? ""}` }, v.title, h("span", { class: "nav-badge" }, String(this.counts.get(v.id))))));
  }

  /** (Re)starts the nav badges' watchers on the current connection. */
  private watchBadges(): void {
    for (const stop of this.badgeStops.splice(0)) stop();
    const ctx = { hello: () => this.hello, request: <T>(m: string, p?: unknown, t?: number) => this.gateway.request<T>(m, p, t) };
    for (const v of VIEWS) {
      if (!v.badge || v.methods.some((m) => !this.hello.features.methods.includes(m))) continue;
      const id = v.id;
      this.badgeStops.push(v.badge.watch(ctx, (event, fn) => this.gateway.on(event, fn), (n) => {
        // A shell replaced after a sign-out stops listening the first time it hears something.
        if (!this.el.isConnected) return void queueMicrotask(() => this.badgeStops.splice(0).forEach((stop) => stop()));
        if ((this.counts.get(id) ?? 0) === n) return;
        this.counts.set(id, n);
        this.renderNav(this.router.current());
      }));
    }
  }

  private remount(): void {
    const route = this.router.current();
    this.unmount();
    this.show(route);
  }

  show(route: Route): void {
    if (route.segments.length === 0) {
      this.router.navigate(`/${DEFAULT_VIEW}`, { replace: true });
      return;
    }
    this.renderNav(route);
    const spec = VIEWS.find((v) => v.id === route.segments[0]);
    if (this.mounted && this.mounted.spec === spec && this.mounted.view) {
      this.mounted.view.route?.(route);
      return;
    }
    this.unmount();
    if (!spec) {
      fill(this.host, emptyState("Nothing here", `There is no view at ${route.path}.`, h("a", { href: this.router.href(`/${DEFAULT_VIEW}`) }, "Go to chat")));
      document.title = "Not found · OpenClaw";
      return;
    }
    document.title = `${spec.title} · OpenClaw`;
    const missing = spec.methods.filter((m) => !this.hello.features.methods.includes(m));
    if (missing.length) {
      fill(this.host, emptyState(spec.title, `This gateway does not offer what this view needs yet (${missing.join(", ")}).`));
      this.mounted = { spec, view: undefined, controller: new AbortController(), unlisten: [] };
      return;
    }
    const mounted: Mounted = { spec, view: undefined, controller: new AbortController(), unlisten: [] };
    this.mounted = mounted;
    const generation = ++this.generation;
    fill(this.host, h("p", { class: "muted pad" }, "Loading…"));
    spec.load().then(
      (mod) => {
        if (generation !== this.generation) return;
        const el = h("section", { class: `view view-${spec.id}`, "aria-label": spec.title });
        fill(this.host, el);
        mounted.view = mod.mount(el, this.context(mounted), route);
      },
      () => {
        if (generation !== this.generation) return;
        // A chunk that no longer exists: the gateway was upgraded under this page.
        fill(this.host, emptyState(spec.title, "This page is older than the gateway it talks to.", h("button", { type: "button", onclick: () => location.reload() }, "Reload")));
      },
    );
  }

  private unmount(): void {
    const m = this.mounted;
    if (!m) return;
    this.mounted = undefined;
    this.generation++;
    m.controller.abort();
    for (const off of m.unlisten) off();
    m.view?.unmount?.();
  }

  private context(m: Mounted): ViewContext {
    return {
      gateway: this.gateway,
      hello: () => this.hello,
      hasMethod: (name) => this.hello.features.methods.includes(name),
      request: (method, params, timeoutMs) => this.gateway.request(method, params, timeoutMs),
      on: (event, listener) => void m.unlisten.push(this.gateway.on(event, listener)),
      navigate: (path, opts) => this.router.navigate(path, opts),
      href: (path) => this.router.href(path),
      signal: m.controller.signal,
    };
  }
}

export function emptyState(title: string, text: string, action?: HTMLElement): HTMLElement {
  return h("div", { class: "empty" }, h("h2", null, title), h("p", { class: "muted" }, text), action ?? null);
}

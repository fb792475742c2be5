/**
 * The contract between the shell and a view. A view is a module with `mount(host, ctx)`; the
 * shell mounts it when its route is opened and the gateway offers every method it needs, calls
 * `route()` when the path changes within the view, `reconnected()` after the gateway came back,
 * and `unmount()` when another view opens (listeners registered with ctx.on are dropped then).
 */
import type { GatewayConnection, HelloOk } from "../gateway.ts";
import type { Route } from "../router.ts";

export interface ViewContext {
  readonly gateway: GatewayConnection;
  /** The latest hello-ok (methods, snapshot, granted scopes). */
  hello(): HelloOk;
  hasMethod(name: string): boolean;
  /** Calls a method; failures reject with RequestError (code, message, details). */
  request<T = any>(method: string, params?: unknown, timeoutMs?: number): Promise<T>;
  /** An event listener that lives as long as the view. */
  on(event: string, listener: (payload: any, event: string) => void): void;
  /** `silent`: rewrite the address without re-routing (a view canonicalising its own URL). */
  navigate(path: string, opts?: { replace?: boolean; silent?: boolean }): void;
  href(path: string): string;
  /** Aborted when the view unmounts: for timers and fetches. */
  readonly signal: AbortSignal;
}

export interface View {
  route?(route: Route): void;
  reconnected?(): void;
  unmount?(): void;
}

export interface ViewModule {
  mount(host: HTMLElement, ctx: ViewContext, route: Route): View;
}

export interface ViewSpec {
  /** The first path segment: /chat, /debug. */
  id: string;
  title: string;
  /** One line for the empty state and the nav's tooltip. */
  summary: string;
  /** Methods the view cannot work without; a gateway lacking one gets the empty state. */
  methods: readonly string[];
  load(): Promise<ViewModule>;
  /** A count beside the nav link (pending approvals), kept while the page is connected, whatever view is open. */
  badge?: BadgeSource;
}

export interface BadgeSource {
  /** What the count is of, for screen readers: "pending approvals". */
  label: string;
  /**
   * Starts counting on a fresh connection; `set(n)` updates the badge (0 hides it). Returns the
   * function that stops it (the shell calls it before the next connection's watch).
   */
  watch(ctx: Pick<ViewContext, "request" | "hello">, on: (event: string, fn: (payload: any) => void) => () => void, set: (n: number) => void): () => void;
}

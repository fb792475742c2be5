/**
 * Live reload: one recursive watcher per canvas root, running only while at least one page
 * listens, and a server-sent event stream per page. Bursts of file events (an editor's
 * write-rename-chmod) collapse into one `reload` after a quiet DEBOUNCE_MS.
 */
import { watch, type FSWatcher } from "node:fs";

export const DEBOUNCE_MS = 100;
/** A comment line this often keeps the stream alive through proxies and shows a dead peer. */
const HEARTBEAT_MS = 25_000;

type Listener = () => void;

interface RootWatch {
  listeners: Set<Listener>;
  watcher?: FSWatcher;
  timer?: ReturnType<typeof setTimeout>;
}

export class ReloadHub {
  private readonly roots = new Map<string, RootWatch>();

  constructor(private readonly log?: { warn(msg: string): void; debug(msg: string): void }) {}

  /** Calls `listener` after changes under `root`; returns the unsubscribe. */
  subscribe(root: string, listener: Listener): () => void {
    let entry = this.roots.get(root);
    if (!entry) {
      entry = { listeners: new Set() };
      this.roots.set(root, entry);
    }
    entry.listeners.add(listener);
    if (!entry.watcher) this.start(root, entry);
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size === 0) this.stop(root, entry);
    };
  }

  /** Roots with a running watcher (tests). */
  get watching(): number {
    let n = 0;
    for (const e of this.roots.values()) if (e.watcher) n++;
    return n;
  }

  private start(root: string, entry: RootWatch): void {
    const fire = () => {
      entry.timer = undefined;
      for (const l of [...entry.listeners]) l();
    };
    try {
      entry.watcher = watch(root, { recursive: true, persistent: false }, () => {
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = setTimeout(fire, DEBOUNCE_MS);
      });
      entry.watcher.on("error", (err) => {
        this.log?.warn(`canvas: watching ${root} failed: ${err.message}`);
        this.stop(root, entry);
      });
      this.log?.debug(`canvas: watching ${root}`);
    } catch (err) {
      this.log?.warn(`canvas: cannot watch ${root}: ${(err as Error).message}`);
    }
  }

  private stop(root: string, entry: RootWatch): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.watcher?.close();
    entry.watcher = undefined;
    if (entry.listeners.size === 0 && this.roots.get(root) === entry) this.roots.delete(root);
  }
}

const STREAM_HEADERS: Record<string, string> = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache",
  // The stream says only "something changed": a sandboxed page (opaque origin) may read it.
  "Access-Control-Allow-Origin": "*",
};

/** The event stream of one page: a `hello` at once, then a `reload` after each settled change. */
export function reloadStream(hub: ReloadHub, root: string, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const send = (text: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      const unsubscribe = hub.subscribe(root, () => send("event: reload\ndata: {}\n\n"));
      const heartbeat = setInterval(() => send(": keep-alive\n\n"), HEARTBEAT_MS);
      cleanup = () => {
        if (!open) return;
        open = false;
        clearInterval(heartbeat);
        unsubscribe();
        signal.removeEventListener("abort", cleanup);
      };
      if (signal.aborted) return cleanup();
      signal.addEventListener("abort", cleanup, { once: true });
      send("retry: 2000\nevent: hello\ndata: {}\n\n");
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, { status: 200, headers: STREAM_HEADERS });
}

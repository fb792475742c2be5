// A scriptable protocol-4 server for client behaviour the real gateway cannot be made to show
// (two-stage responses, silence, odd frames, early closes).
import type { ServerWebSocket } from "bun";

export type FakeSocket = ServerWebSocket<unknown>;

export interface FakeHandlers {
  /** Default: send a connect.challenge with a fresh nonce. */
  open?(ws: FakeSocket): void;
  /** Called for every request except connect (which gets a default hello-ok unless `connect` is given). */
  request?(ws: FakeSocket, frame: { id: string; method: string; params?: unknown }): void;
  connect?(ws: FakeSocket, frame: { id: string; params: any }): void;
}

export interface FakeGateway {
  url: string;
  /** Every frame received, parsed. */
  received: any[];
  stop(): void;
}

export function send(ws: FakeSocket, frame: unknown): void {
  ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
}

export function challenge(ws: FakeSocket, nonce: string = crypto.randomUUID()): void {
  send(ws, { type: "event", event: "connect.challenge", payload: { nonce, ts: Date.now() } });
}

export function helloOk(id: string, scopes: string[] = []): unknown {
  return {
    type: "res", id, ok: true,
    payload: {
      type: "hello-ok", protocol: 4,
      server: { version: "fake", connId: crypto.randomUUID() },
      features: { methods: [], events: [] },
      snapshot: { presence: [], health: {}, stateVersion: { presence: 0, health: 0 }, uptimeMs: 0 },
      auth: { role: "operator", scopes },
      policy: { maxPayload: 26214400, maxBufferedBytes: 52428800, tickIntervalMs: 30000 },
    },
  };
}

export function startFakeGateway(handlers: FakeHandlers = {}): FakeGateway {
  const received: any[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req, srv) {
      return srv.upgrade(req, { data: undefined }) ? undefined : new Response("ws only", { status: 400 });
    },
    websocket: {
      open(ws) {
        (handlers.open ?? challenge)(ws);
      },
      message(ws, raw) {
        const frame = JSON.parse(String(raw));
        received.push(frame);
        if (frame.method === "connect") {
          if (handlers.connect) handlers.connect(ws, frame);
          else send(ws, helloOk(frame.id, frame.params?.scopes ?? []));
          return;
        }
        handlers.request?.(ws, frame);
      },
    },
  });
  return { url: `ws://127.0.0.1:${server.port}`, received, stop: () => server.stop(true) };
}

/** A loopback port with nothing listening: bound once, then released. */
export function closedPort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = s.port!;
  s.stop(true);
  return port;
}

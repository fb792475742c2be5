/**
 * Typed protocol-4 client for the CLI and tests. It depends only on the wire schemas, never on
 * server code, so it behaves against any gateway the way the published CLI does.
 */
import {
  deviceFamilyOf,
  EventFrameSchema, ResponseFrameSchema, type EventFrame, type HelloOk, type ResponseFrame,
} from "../protocol/index.ts";
import { PROTOCOL_VERSION, VERSION } from "../version.ts";
import { closedMessage, GatewayRequestError, GatewayTransportError } from "./errors.ts";

export { GatewayRequestError, GatewayTransportError } from "./errors.ts";
export type { TransportErrorKind } from "./errors.ts";

export type GatewayEventListener = (event: EventFrame) => void;

export interface GatewayConnectOptions {
  url: string;
  token?: string;
  password?: string;
  scopes: readonly string[];
  clientId: "cli" | "gateway-client" | "node-host";
  /** "probe": a diagnostic connect (`gateway probe`) that the gateway grants no scopes on a shared secret. */
  mode: "cli" | "backend" | "node" | "probe";
  displayName?: string;
  /** Operator unless told: a node host connects as `node` and declares what it can run. */
  role?: "operator" | "node";
  caps?: readonly string[];
  commands?: readonly string[];
  pathEnv?: string;
  /** A device token instead of (or with) the shared secret. */
  deviceToken?: string;
  /** Stable across reconnects (the node host's own id); a fresh uuid otherwise. */
  instanceId?: string;
  /** Adds the `device` proof over the challenge nonce; it signs the params exactly as sent. */
  sign?: (params: Record<string, unknown>, nonce: string) => Record<string, unknown>;
  /** Called once when an established connection closes (not for a failed handshake). */
  onClose?: (err: GatewayTransportError) => void;
  /** Budget for open + challenge + hello. */
  timeoutMs: number;
  /** Registered before the socket opens, so no event after hello can be missed. */
  onEvent?: GatewayEventListener;
}

export interface RequestOptions {
  timeoutMs?: number;
  /** Two-stage methods (agent): an `accepted` res is only an ack; wait for the final res on the same id. */
  expectFinal?: boolean;
  onAccepted?: (payload: unknown) => void;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

interface Pending {
  resolve(payload: unknown): void;
  reject(err: Error): void;
  timer: Timer | undefined;
  expectFinal: boolean;
  onAccepted?: (payload: unknown) => void;
}

const decoder = new TextDecoder();


function isAccepted(payload: unknown): boolean {
  return typeof payload === "object" && payload !== null && (payload as { status?: unknown }).status === "accepted";
}

export class GatewayClient {
  /** The hello-ok payload of this connection. */
  hello!: HelloOk;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<GatewayEventListener>();
  private requestCount = 0;
  private phase: "challenge" | "connecting" | "ready" | "closed" = "challenge";
  private closeError: GatewayTransportError | null = null;

  private onClosed: ((err: GatewayTransportError) => void) | undefined;

  private constructor(private readonly ws: WebSocket) {}

  /** Opens a socket, answers the challenge with `connect`, and resolves once hello-ok arrived. */
  static connect(opts: GatewayConnectOptions): Promise<GatewayClient> {
    let ws: WebSocket;
    try {
      ws = new WebSocket(opts.url);
    } catch (err) {
      return Promise.reject(new GatewayTransportError("refused", `invalid gateway url ${opts.url}: ${(err as Error).message}`));
    }
    ws.binaryType = "arraybuffer";
    const client = new GatewayClient(ws);
    if (opts.onEvent) client.listeners.add(opts.onEvent);
    client.onClosed = opts.onClose;
    return client.handshake(opts);
  }

  private handshake(opts: GatewayConnectOptions): Promise<GatewayClient> {
    const ws = this.ws;
    return new Promise<GatewayClient>((resolve, reject) => {
      let opened = false;
      let errorDetail = "";
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          this.shutdown(err instanceof GatewayTransportError ? err : new GatewayTransportError("closed", "connect failed"));
          reject(err);
        } else {
          resolve(this);
        }
      };
      const timer = setTimeout(
        () => settle(new GatewayTransportError("timeout", `gateway timeout after ${opts.timeoutMs}ms`)),
        opts.timeoutMs,
      );

      ws.onopen = () => {
        opened = true;
      };
      ws.onerror = (e) => {
        // Bun's text is "WebSocket connection to '<url>' failed: <why>"; only the why is worth repeating.
        const text = (e as ErrorEvent).message ?? "";
        errorDetail = text.includes("failed: ") ? text.slice(text.lastIndexOf("failed: ") + 8) : text;
      };
      ws.onclose = (e) => {
        const err = opened
          ? new GatewayTransportError("closed", closedMessage(e.code, e.reason), e.code)
          : new GatewayTransportError("refused", `could not connect to ${opts.url}${errorDetail ? `: ${errorDetail}` : ""}`);
        this.shutdown(err);
        settle(err);
      };
      ws.onmessage = (e) => {
        const frame = this.parse(e.data);
        if (!frame) return;
        if (frame.type === "event" && this.phase === "challenge" && frame.event === "connect.challenge") {
          const nonce = (frame.payload as { nonce?: unknown } | undefined)?.nonce;
          if (typeof nonce !== "string" || nonce.trim() === "") {
            settle(new GatewayTransportError("closed", closedMessage(1008, "connect challenge missing nonce"), 1008));
            this.ws.close(1008, "connect challenge missing nonce");
            return;
          }
          this.phase = "connecting";
          const params = connectParams(opts);
          this.send("connect", opts.sign ? opts.sign(params, nonce) : params, { timeoutMs: Number.POSITIVE_INFINITY }).then(
            (payload) => {
              this.hello = payload as HelloOk;
              this.phase = "ready";
              settle();
            },
            (err: Error) => {
              // The server normally closes after a refused connect; make sure the socket goes either way.
              if (ws.readyState === WebSocket.OPEN) ws.close(1008, "connect failed");
              settle(err);
            },
          );
          return;
        }
        this.dispatch(frame);
      };
    });
  }

  /** Sends one request; resolves with its payload, rejects with GatewayRequestError or GatewayTransportError. */
  request<T = unknown>(method: string, params?: unknown, opts: RequestOptions = {}): Promise<T> {
    if (this.phase !== "ready") {
      return Promise.reject(this.closeError ?? new GatewayTransportError("closed", "gateway connection is not ready"));
    }
    return this.send(method, params, opts) as Promise<T>;
  }

  /** Subscribes to events after hello; returns the unsubscribe function. */
  onEvent(listener: GatewayEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get isOpen(): boolean {
    return this.phase === "ready";
  }

  /** Closes without a code, as the published CLI does (the server sees 1005). */
  close(): void {
    this.shutdown(new GatewayTransportError("closed", "gateway connection closed by client"));
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }

  private send(method: string, params: unknown, opts: RequestOptions): Promise<unknown> {
    const id = `${++this.requestCount}:${crypto.randomUUID()}`;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const entry: Pending = { resolve, reject, timer: undefined, expectFinal: opts.expectFinal ?? false };
      if (opts.onAccepted) entry.onAccepted = opts.onAccepted;
      if (Number.isFinite(timeoutMs)) {
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new GatewayTransportError("timeout", `gateway timeout after ${timeoutMs}ms`));
        }, timeoutMs);
      }
      this.pending.set(id, entry);
      const frame = params === undefined ? { type: "req", id, method } : { type: "req", id, method, params };
      try {
        this.ws.send(JSON.stringify(frame));
      } catch (err) {
        this.pending.delete(id);
        clearTimeout(entry.timer);
        reject(new GatewayTransportError("closed", `send failed: ${(err as Error).message}`));
      }
    });
  }

  private parse(data: unknown): ResponseFrame | EventFrame | null {
    let value: unknown;
    try {
      value = JSON.parse(typeof data === "string" ? data : decoder.decode(data as ArrayBuffer));
    } catch {
      return null; // Non-JSON text is ignored, as the published client does.
    }
    const type = (value as { type?: unknown } | null)?.type;
    // Malformed frames are dropped silently; the caller's timeout is what surfaces them.
    if (type === "res") return ResponseFrameSchema.safeParse(value).data ?? null;
    if (type === "event") return EventFrameSchema.safeParse(value).data ?? null;
    return null;
  }

  private dispatch(frame: ResponseFrame | EventFrame): void {
    if (frame.type === "event") {
      if (this.phase !== "ready") return;
      for (const listener of [...this.listeners]) listener(frame);
      return;
    }
    const entry = this.pending.get(frame.id);
    if (!entry) return;
    if (frame.ok && entry.expectFinal && isAccepted(frame.payload)) {
      entry.onAccepted?.(frame.payload);
      return;
    }
    this.pending.delete(frame.id);
    clearTimeout(entry.timer);
    if (frame.ok) entry.resolve(frame.payload);
    else entry.reject(new GatewayRequestError(frame.error ?? { code: "UNAVAILABLE", message: "request failed" }, frame.payload));
  }

  private shutdown(err: GatewayTransportError): void {
    if (this.phase === "closed") return;
    const wasReady = this.phase === "ready";
    this.phase = "closed";
    this.closeError = err;
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(err);
    }
    this.pending.clear();
    if (wasReady) this.onClosed?.(err);
  }
}

function connectParams(opts: GatewayConnectOptions): Record<string, unknown> {
  const client: Record<string, unknown> = {
    id: opts.clientId,
    version: VERSION,
    platform: process.platform,
    deviceFamily: deviceFamilyOf(),
    mode: opts.mode,
    instanceId: opts.instanceId ?? crypto.randomUUID(),
  };
  if (opts.displayName !== undefined) client.displayName = opts.displayName;
  const auth: Record<string, string> = {};
  if (opts.token) auth.token = opts.token;
  if (opts.deviceToken) auth.deviceToken = opts.deviceToken;
  if (opts.password) auth.password = opts.password;
  const params: Record<string, unknown> = {
    minProtocol: PROTOCOL_VERSION,
    maxProtocol: PROTOCOL_VERSION,
    client,
    caps: [...(opts.caps ?? [])],
  };
  if (opts.commands) params.commands = [...opts.commands];
  if (opts.pathEnv !== undefined) params.pathEnv = opts.pathEnv;
  params.role = opts.role ?? "operator";
  params.scopes = [...opts.scopes];
  if (Object.keys(auth).length > 0) params.auth = auth;
  return params;
}

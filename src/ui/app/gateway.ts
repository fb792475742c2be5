/**
 * The page's one WebSocket to the gateway: waits for connect.challenge, sends a signed `connect`,
 * then carries requests and events. Whatever ends the socket — a refusal, a restart (`shutdown`),
 * the network — is reported as a state and the connection tries again with backoff, except when
 * the user has to act first (a secret to type).
 */
import { connectPayload, type DeviceKey } from "./device-key.ts";
import { uuid } from "./dom.ts";

export interface RpcError {
  code: string;
  message: string;
  details?: { code?: string; requestId?: string; reason?: string; [k: string]: unknown };
  retryable?: boolean;
  retryAfterMs?: number;
}

export interface HelloOk {
  protocol: number;
  server: { version: string; buildId?: string; connId: string };
  features: { methods: string[]; events: string[] };
  snapshot: { presence: unknown[]; health: unknown; uptimeMs: number; [k: string]: unknown };
  auth: { method?: string; role: string; scopes: string[]; deviceToken?: string };
  policy: { tickIntervalMs: number; [k: string]: unknown };
}

export interface Credentials {
  token?: string;
  password?: string;
  deviceToken?: string;
}

export type ConnectionState =
  | { kind: "connecting"; attempt: number }
  | { kind: "connected"; hello: HelloOk }
  /** The gateway said no; `retryInMs` when the page tries again by itself. */
  | { kind: "refused"; error: RpcError; retryInMs?: number }
  /** The socket closed (gateway down or restarting); the next try is scheduled. */
  | { kind: "waiting"; retryInMs: number; reason: string };

export class RequestError extends Error {
  constructor(readonly error: RpcError) {
    super(`${error.code}: ${error.message}`);
  }
}

export const CLIENT_ID = "openclaw-control-ui";
export const CLIENT_MODE = "webchat";
export const ROLE = "operator";
export const SCOPES = ["operator.admin", "operator.read", "operator.write", "operator.approvals", "operator.questions", "operator.pairing"];
/** tool-events: this page's own runs stream their tool calls to it. */
export const CAPS = ["tool-events"];
const PROTOCOL = 4;

/** 0.8 s, 1.4 s, 2.3 s, … capped at 15 s, with ±15% jitter so tabs do not reconnect in step. */
export function backoffMs(attempt: number): number {
  const base = Math.min(15_000, 800 * Math.pow(1.7, Math.max(0, attempt - 1)));
  return Math.round(base * (0.85 + Math.random() * 0.3));
}

/** Refusals the page cannot get past by trying again: it needs a secret first. */
const NEEDS_USER = new Set(["AUTH_TOKEN_MISSING", "AUTH_PASSWORD_MISSING", "AUTH_TOKEN_MISMATCH", "AUTH_PASSWORD_MISMATCH", "DEVICE_IDENTITY_REQUIRED"]);

/** A socket opened before anyone listens to it: what it said (or its close) waits in `backlog`. */
export interface EarlySocket {
  ws: WebSocket;
  backlog: Array<MessageEvent | CloseEvent>;
}

/**
 * Opens the first socket before the rest of the page is set up, so the gateway's handshake and
 * challenge overlap that set-up; GatewayConnection adopts it on start(). Undefined when the URL is
 * refused outright (the connection's own attempt then opens it again and reports why).
 */
export function openEarly(url: string): EarlySocket | undefined {
  let ws: WebSocket;
  try {
    ws = new WebSocket(url);
  } catch {
    return undefined;
  }
  const backlog: EarlySocket["backlog"] = [];
  ws.onmessage = (ev) => void backlog.push(ev);
  ws.onclose = (ev) => void backlog.push(ev);
  return { ws, backlog };
}

export interface GatewayOptions {
  url: string;
  /** Made while the socket opens (a first visit generates it): awaited when the challenge arrives. */
  key: Promise<DeviceKey>;
  /** The first attempt's socket, from openEarly. */
  socket?: EarlySocket;
  buildId: string;
  version: string;
  credentials(): Credentials;
  onState(state: ConnectionState): void;
  /** After a refusal: may drop a credential and say whether to try again at once (device token mismatch). */
  onRefused?(error: RpcError): "retry" | undefined;
}

type Listener = (payload: any, event: string) => void;

/**
 * `client.timeZone` (optional; the gateway only records it). Reading it is an Intl call, and the
 * first Intl use starts ICU: 30-150 ms of main thread in a fresh browser process, measured on the
 * first load's critical path (before connect, and after it, delaying hello). So a page's first
 * connect goes without it; a reconnect (the page has long been usable) reads and sends it.
 */
let timeZone: string | undefined;

function zoneOf(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
  } catch {
    return "";
  }
}

/** The first connection's phases as performance marks ("openclaw:hello"…), for the load-time figures. */
function mark(name: string): void {
  if (performance.getEntriesByName(`openclaw:${name}`).length === 0) performance.mark(`openclaw:${name}`);
}

export class GatewayConnection {
  private ws: WebSocket | undefined;
  private seq = 0;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** Whether this page has been connected before (a later connect is a reconnect). */
  private connected = false;
  /** This page's instance: its presence entry carries it (the Presence view marks "this page"). */
  readonly instanceId = uuid();
  private readonly pending = new Map<string, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private early: EarlySocket | undefined;
  hello: HelloOk | undefined;

  constructor(private readonly opts: GatewayOptions) {
    this.early = opts.socket;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  /** Closes and stays closed until start(). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.early?.ws.close(1000, "");
    this.early = undefined;
    this.ws?.close(1000, "");
    this.ws = undefined;
  }

  /** Drops the current socket and tries again now (a new secret, a Retry button). */
  reconnect(): void {
    clearTimeout(this.timer);
    this.stopped = false;
    this.attempt = 0;
    const old = this.ws;
    this.ws = undefined;
    old?.close(1000, "");
    this.open();
  }

  /** Listens to a gateway event ("*" for all); returns the unsubscribe function. */
  on(event: string, listener: Listener): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  request<T = any>(method: string, params?: unknown, timeoutMs = 30_000): Promise<T> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || !this.hello) return Promise.reject(new Error("not connected to the gateway"));
    const id = `ui-${++this.seq}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer after ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      ws.send(JSON.stringify({ type: "req", id, method, ...(params === undefined ? {} : { params }) }));
    });
  }

  private emit(event: string, payload: unknown): void {
    for (const key of [event, "*"]) for (const l of this.listeners.get(key) ?? []) l(payload, event);
  }

  private open(): void {
    if (this.stopped) return;
    this.attempt++;
    this.opts.onState({ kind: "connecting", attempt: this.attempt });
    const early = this.early;
    this.early = undefined;
    const ws = early?.ws ?? new WebSocket(this.opts.url);
    this.ws = ws;
    let established = false;
    let refused = false;
    ws.onmessage = (msg) => {
      let frame: any;
      try {
        frame = JSON.parse(String(msg.data));
      } catch {
        return;
      }
      if (frame.type === "event" && frame.event === "connect.challenge" && !established) {
        mark("challenge");
        // No key (the page shows why): the socket is closed rather than left waiting.
        this.sendConnect(ws, String(frame.payload?.nonce ?? "")).catch(() => ws.close(1000, ""));
      } else if (frame.type === "res" && frame.id === "connect") {
        if (frame.ok) {
          mark("hello");
          established = true;
          this.connected = true;
          this.attempt = 0;
          this.hello = frame.payload as HelloOk;
          this.opts.onState({ kind: "connected", hello: this.hello });
        } else {
          refused = true;
          this.refused(frame.error as RpcError);
        }
      } else if (frame.type === "res") {
        const p = this.pending.get(frame.id);
        if (!p) return;
        this.pending.delete(frame.id);
        if (frame.ok) p.resolve(frame.payload);
        else p.reject(new RequestError(frame.error as RpcError));
      } else if (frame.type === "event") {
        this.emit(frame.event, frame.payload);
      }
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.hello = undefined;
      for (const p of this.pending.values()) p.reject(new Error("connection to the gateway closed"));
      this.pending.clear();
      if (refused || this.stopped) return;
      const delay = backoffMs(this.attempt);
      const reason = established ? (ev.code === 1012 ? "the gateway is restarting" : "connection lost") : "the gateway is not reachable";
      this.opts.onState({ kind: "waiting", retryInMs: delay, reason });
      this.timer = setTimeout(() => this.open(), delay);
    };
    // What the early socket heard before these handlers existed, in order (a close last).
    for (const ev of early?.backlog.splice(0) ?? []) {
      if (ev.type === "message") ws.onmessage!.call(ws, ev as MessageEvent);
      else ws.onclose!.call(ws, ev as CloseEvent);
    }
  }

  private refused(error: RpcError): void {
    const code = error.details?.code ?? error.code;
    if (this.opts.onRefused?.(error) === "retry") {
      this.timer = setTimeout(() => this.open(), 0);
      return;
    }
    if (NEEDS_USER.has(code)) {
      this.opts.onState({ kind: "refused", error });
      return;
    }
    // Pairing is waited out at a steady pace; everything else backs off.
    const delay = code === "PAIRING_REQUIRED" ? 3000 : Math.max(error.retryAfterMs ?? 0, backoffMs(this.attempt));
    this.opts.onState({ kind: "refused", error, retryInMs: delay });
    this.timer = setTimeout(() => this.open(), delay);
  }

  private async sendConnect(ws: WebSocket, nonce: string): Promise<void> {
    const creds = this.opts.credentials();
    const auth: Record<string, string> = {};
    // One secret field in the page: sent as both, the gateway reads the one its auth mode uses.
    if (creds.token) auth.token = creds.token;
    if (creds.password) auth.password = creds.password;
    if (!creds.token && !creds.password && creds.deviceToken) auth.deviceToken = creds.deviceToken;
    if (this.connected) timeZone ??= zoneOf();
    const signedAt = Date.now();
    const key = await this.opts.key;
    const signature = await key.sign(
      connectPayload(key.deviceId, {
        clientId: CLIENT_ID, clientMode: CLIENT_MODE, role: ROLE, scopes: SCOPES, signedAt, nonce,
        token: auth.token ?? auth.deviceToken ?? "",
      }),
    );
    if (ws.readyState !== WebSocket.OPEN) return;
    const params = {
      minProtocol: PROTOCOL,
      maxProtocol: PROTOCOL,
      client: {
        id: CLIENT_ID, version: this.opts.version, buildId: this.opts.buildId, platform: navigator.platform || "web", mode: CLIENT_MODE,
        instanceId: this.instanceId, ...(timeZone ? { timeZone } : {}),
      },
      role: ROLE,
      scopes: SCOPES,
      caps: CAPS,
      device: { id: key.deviceId, publicKey: key.publicKey, signature, signedAt, nonce },
      ...(Object.keys(auth).length ? { auth } : {}),
      userAgent: navigator.userAgent,
      locale: navigator.language,
    };
    ws.send(JSON.stringify({ type: "req", id: "connect", method: "connect", params }));
    mark("connect-sent");
  }
}

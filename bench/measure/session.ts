// bench/measure/session.ts: a protocol-4 WebSocket client built on Bun's own WebSocket (no
// dependencies). Every wait here is bounded in time, and the runner only ever points it at 127.0.0.1.

import { countError, type ErrorCounts } from "./stats.ts";

const HANDSHAKE_TIMEOUT_MS = 10_000;
const CONNECT_ID = "connect";

/** Valid protocol-4 connect params for an operator CLI client (read-only unless other scopes are asked for). */
export function connectParams(token: string, scopes: readonly string[] = ["operator.read"]) {
  return {
    minProtocol: 4,
    maxProtocol: 4,
    client: {
      id: "cli",
      version: "bench",
      platform: process.platform,
      mode: "cli",
      instanceId: crypto.randomUUID(),
    },
    role: "operator",
    scopes: [...scopes],
    caps: [],
    auth: { token },
  };
}

/** An authenticated connection. After the handshake, frames go to `onFrame` and a close to `onClose`. */
export interface Session {
  ws: WebSocket;
  /** performance.now() just before `new WebSocket`. */
  startedAt: number;
  /** performance.now() when hello-ok arrived. */
  helloAt: number;
  closed: boolean;
  onFrame?: (text: string) => void;
  onClose?: (code: number, reason: string) => void;
}

const decoder = new TextDecoder();

function frameText(data: unknown): string {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || data instanceof Uint8Array) return decoder.decode(data);
  return String(data);
}

/** A parsed frame, or undefined when the text is not JSON (JSON itself never yields undefined). */
export function parseFrame(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The connect.challenge payload a client answers (and a device signs). */
export interface Challenge {
  nonce: string;
  ts: number;
}

/** Builds the connect params for a socket's challenge (a device signs its nonce). */
export type ConnectBuilder = (challenge: Challenge) => unknown;

/** Opens a socket, answers connect.challenge with `connect`, resolves at hello-ok. */
export function handshake(url: string, token: string, timeoutMs = HANDSHAKE_TIMEOUT_MS, scopes?: readonly string[]): Promise<Session> {
  return handshakeWith(url, () => connectParams(token, scopes), timeoutMs);
}

/** `handshake` with connect params of the caller's making (e.g. a node's signed connect). */
export function handshakeWith(url: string, params: ConnectBuilder, timeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<Session> {
  return new Promise<Session>((resolve, reject) => {
    const startedAt = performance.now();
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch (err) {
      reject(new Error(`websocket: ${(err as Error).message}`));
      return;
    }
    const session: Session = { ws, startedAt, helloAt: Number.NaN, closed: false };
    let opened = false;
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        ws.close();
      } catch {
        // already closing
      }
      reject(new Error(message));
    };
    const timer = setTimeout(() => fail("handshake timeout"), timeoutMs);
    ws.onopen = () => {
      opened = true;
    };
    ws.onerror = () => fail(opened ? "socket error" : "connect failed");
    ws.onclose = (ev) => {
      session.closed = true;
      if (settled) session.onClose?.(ev.code, ev.reason);
      else fail(`closed ${ev.code}${ev.reason ? ` ${ev.reason}` : ""} before hello-ok`);
    };
    ws.onmessage = (ev) => {
      const text = frameText(ev.data);
      if (settled) {
        session.onFrame?.(text);
        return;
      }
      const frame = parseFrame(text);
      if (frame === undefined) {
        fail("non-JSON frame during handshake");
        return;
      }
      if (frame?.type === "event" && frame.event === "connect.challenge") {
        ws.send(JSON.stringify({ type: "req", id: CONNECT_ID, method: "connect", params: params(frame.payload as Challenge) }));
      } else if (frame?.type === "res" && frame.id === CONNECT_ID) {
        if (frame.ok === true && frame.payload?.type === "hello-ok") {
          settled = true;
          clearTimeout(timer);
          session.helloAt = performance.now();
          resolve(session);
        } else {
          fail(`connect rejected: ${frame.error?.code ?? "?"} ${frame.error?.message ?? ""}`.trim());
        }
      }
    };
  });
}

/** Closes a session and waits (bounded) for the close to complete. */
export function closeSession(session: Session, waitMs = 1000): Promise<void> {
  if (session.closed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    session.onClose = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      session.ws.close(1000);
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * Opens n sessions with at most `concurrency` handshakes in flight at once; `open(i)` makes the i-th
 * (default: an operator's token handshake with `scopes`, read-only unless told).
 */
export async function openMany(
  url: string,
  token: string,
  n: number,
  concurrency = 16,
  scopes?: readonly string[],
  open: (i: number) => Promise<Session> = () => handshake(url, token, HANDSHAKE_TIMEOUT_MS, scopes),
): Promise<{ sessions: Session[]; errors: ErrorCounts; failed: number }> {
  const sessions: Session[] = [];
  const errors: ErrorCounts = {};
  let failed = 0;
  let started = 0;
  const worker = async () => {
    while (started < n) {
      const i = started++;
      try {
        sessions.push(await open(i));
      } catch (err) {
        failed++;
        countError(errors, (err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(concurrency, n)) }, worker));
  return { sessions, errors, failed };
}

export async function closeAll(sessions: readonly Session[], waitMs = 1000): Promise<void> {
  await Promise.all(sessions.map((s) => closeSession(s, waitMs)));
}

export interface PollOptions {
  /** Stop early: the server is gone, so no handshake can succeed. */
  gone: () => boolean;
  /** performance.now() after which no new attempt starts. */
  deadline: number;
  /** Pause after a failed attempt. */
  intervalMs: number;
  /** Handshake timeout of the attempt starting now. */
  attemptTimeoutMs: () => number;
  /** How long to wait for the successful session to close. */
  closeWaitMs?: number;
}

export interface PollResult {
  /** performance.now() at the first hello-ok (NaN when none came). */
  helloAt: number;
  attempts: number;
  lastError: string;
}

/** Handshakes with a server that may still be starting, until the first hello-ok or a reason to stop. */
export async function pollHello(url: string, token: string, opts: PollOptions): Promise<PollResult> {
  let attempts = 0;
  let lastError = "";
  while (!opts.gone() && performance.now() < opts.deadline) {
    attempts++;
    try {
      const s = await handshake(url, token, opts.attemptTimeoutMs());
      await closeSession(s, opts.closeWaitMs);
      return { helloAt: s.helloAt, attempts, lastError };
    } catch (err) {
      lastError = (err as Error).message;
      await Bun.sleep(opts.intervalMs);
    }
  }
  return { helloAt: Number.NaN, attempts, lastError };
}

import type { StateVersion } from "../protocol/index.ts";
import { UNSCOPED_EVENTS, scopeSatisfied } from "../protocol/index.ts";
import type { Logger } from "../logging/logger.ts";
import type { GatewaySocket } from "./ws/conn.ts";
import { encodePayload, eventFrame } from "./ws/conn.ts";

/**
 * The set of authenticated sockets and the one way to write to them. Every write goes through
 * `send`, which drops a consumer whose unsent output passes maxBufferedBytes, so one stuck client
 * can never grow the gateway's memory or slow the others.
 */
/** Told about every event written and every consumer dropped (the gateway's metrics). */
export interface BusObserver {
  eventsSent(event: string, count: number): void;
  slowConsumer(): void;
}

export class Bus {
  private sockets = new Set<GatewaySocket>();
  /** Set by `--ws-log full` to log every event frame written; unset, it costs one check per event. */
  onEventSent?: (ws: GatewaySocket, event: string, seq?: number) => void;

  constructor(
    private maxBufferedBytes: number,
    private log: Logger,
    private observer?: BusObserver,
  ) {}

  add(ws: GatewaySocket): void {
    this.sockets.add(ws);
  }

  delete(ws: GatewaySocket): void {
    this.sockets.delete(ws);
  }

  get size(): number {
    return this.sockets.size;
  }

  all(): IterableIterator<GatewaySocket> {
    return this.sockets.values();
  }

  /** Returns false when the socket was dropped as a slow consumer. */
  send(ws: GatewaySocket, text: string): boolean {
    if (ws.readyState !== 1) return false;
    const sent = ws.send(text);
    if (sent > 0) return true;
    // -1: queued under backpressure; 0: dropped because the backpressure limit was hit.
    if (sent === 0 || ws.getBufferedAmount() > this.maxBufferedBytes) {
      this.dropSlow(ws);
      return false;
    }
    return true;
  }

  /** A targeted event: no seq, only this socket. */
  sendEvent(ws: GatewaySocket, event: string, payload: unknown): boolean {
    const sent = this.send(ws, eventFrame(event, payload));
    if (sent) {
      this.observer?.eventsSent(event, 1);
      if (this.onEventSent) this.onEventSent(ws, event);
    }
    return sent;
  }

  /** A broadcast: serialized once, stamped with each socket's own seq. */
  broadcast(event: string, payload: unknown, stateVersion?: StateVersion): number {
    const head = '{"type":"event","event":' + JSON.stringify(event) + ',"payload":' + encodePayload(payload) + ',"seq":';
    const tail = stateVersion ? ',"stateVersion":' + JSON.stringify(stateVersion) + "}" : "}";
    const unscoped = UNSCOPED_EVENTS.has(event);
    const traced = this.onEventSent;
    let delivered = 0;
    for (const ws of this.sockets) {
      const d = ws.data;
      if (!unscoped && d.role !== "node" && !scopeSatisfied(d.scopes ?? [], "operator.read")) continue;
      d.seq++;
      if (this.send(ws, head + d.seq + tail)) {
        delivered++;
        if (traced) traced(ws, event, d.seq);
      }
    }
    this.observer?.eventsSent(event, delivered);
    return delivered;
  }

  private dropSlow(ws: GatewaySocket): void {
    const d = ws.data;
    this.observer?.slowConsumer();
    this.log.warn("dropping slow consumer", { conn: d.connId, bufferedBytes: ws.getBufferedAmount(), limit: this.maxBufferedBytes });
    this.sockets.delete(ws);
    ws.close(1008, "slow consumer");
    // The close frame itself may sit behind the stuck output; make sure the socket goes away.
    setTimeout(() => {
      if (ws.readyState === 1) ws.terminate();
    }, 1000).unref();
  }
}

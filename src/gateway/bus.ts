import type { StateVersion } from "../protocol/index.ts";
import { UNSCOPED_EVENTS, scopeSatisfied } from "../protocol/index.ts";
import type { Logger } from "../logging/logger.ts";
import type { GatewaySocket } from "./ws/conn.ts";
import { encodePayload, eventFrame } from "./ws/conn.ts";

/** Told about every event written and every consumer dropped (the gateway's metrics). */
export interface BusObserver {
  eventsSent(event: string, count: number): void;
  slowConsumer(): void;
}

export interface BusOptions {
  maxBufferedBytes: number;
  log: Logger;
  observer?: BusObserver;
  /** Broadcasts to more sockets than this are paced (default 128). */
  directLimit?: number;
  /** Longest stretch one paced delivery runs before other work gets a turn, ms (default 2). */
  sliceMs?: number;
}

/**
 * Broadcasts node sockets never get, although unscoped: the published gateway sends nodes tick,
 * health and heartbeat but no presence (captured). A node's connect and close change presence, so
 * sending it to nodes too would cost every node a frame the size of the whole list each time.
 */
const OPERATOR_ONLY_EVENTS: ReadonlySet<string> = new Set(["presence"]);

/** One broadcast: serialized once, stamped with each socket's own seq on delivery. */
interface Pending {
  id: number;
  event: string;
  head: string;
  tail: string;
  /** The scope a socket needs to receive it (undefined: any socket). */
  scope?: string;
  /** Whether node sockets receive it. */
  toNodes: boolean;
  /** Further narrows who receives it (approval clients, the run's starter, subscribers). */
  only?: (d: GatewaySocket["data"]) => boolean;
  delivered: number;
  /** The pump's place in the socket set (a live iterator: removals during pacing are safe). */
  cursor?: Iterator<GatewaySocket>;
}

/**
 * The set of authenticated sockets and the one way to write to them. Every write goes through
 * `send`, which drops a consumer whose unsent output passes maxBufferedBytes, so one stuck client
 * can never grow the gateway's memory or slow the others.
 *
 * A broadcast to many sockets costs about 10 µs a socket (one write each, since every frame carries
 * that socket's seq): an agent turn's dozen events to 1,000 sockets is over 100 ms. So large
 * broadcasts are queued and delivered in slices of a few milliseconds, letting requests in between.
 * Order per socket is kept: a socket's `busSeen` says which queued broadcasts it already has, and
 * any direct write to a socket first hands it the queued broadcasts it is owed.
 */
export class Bus {
  private sockets = new Set<GatewaySocket>();
  private queue: Pending[] = [];
  private nextId = 1;
  private pumping = false;
  private readonly directLimit: number;
  private readonly sliceMs: number;
  /** Set by `--ws-log full` to log every event frame written; unset, it costs one check per event. */
  onEventSent?: (ws: GatewaySocket, event: string, seq?: number) => void;

  constructor(private readonly opts: BusOptions) {
    this.directLimit = opts.directLimit ?? 128;
    this.sliceMs = opts.sliceMs ?? 2;
  }

  add(ws: GatewaySocket): void {
    // Broadcasts queued before this socket joined are not its to receive.
    ws.data.busSeen = this.nextId - 1;
    this.sockets.add(ws);
  }

  delete(ws: GatewaySocket): void {
    this.sockets.delete(ws);
  }

  get size(): number {
    return this.sockets.size;
  }

  /** Broadcasts queued and not yet delivered to every socket. */
  get backlog(): number {
    return this.queue.length;
  }

  all(): IterableIterator<GatewaySocket> {
    return this.sockets.values();
  }

  /** Returns false when the socket was dropped as a slow consumer. */
  send(ws: GatewaySocket, text: string): boolean {
    if (this.queue.length > 0 && !this.catchUp(ws)) return false;
    return this.write(ws, text);
  }

  /** A targeted event: no seq, only this socket. */
  sendEvent(ws: GatewaySocket, event: string, payload: unknown): boolean {
    const sent = this.send(ws, eventFrame(event, payload));
    if (sent) {
      this.opts.observer?.eventsSent(event, 1);
      if (this.onEventSent) this.onEventSent(ws, event);
    }
    return sent;
  }

  /**
   * A broadcast to every socket allowed to see it (nodes and operator.read by default, `scope` when
   * given, anyone for tick/presence/health), in the order broadcasts were made.
   */
  broadcast(event: string, payload: unknown, stateVersion?: StateVersion, scope?: string, only?: (d: GatewaySocket["data"]) => boolean): void {
    const item: Pending = {
      only,
      id: this.nextId++,
      event,
      head: '{"type":"event","event":' + JSON.stringify(event) + ',"payload":' + encodePayload(payload) + ',"seq":',
      tail: stateVersion ? ',"stateVersion":' + JSON.stringify(stateVersion) + "}" : "}",
      scope: scope ?? (UNSCOPED_EVENTS.has(event) ? undefined : "operator.read"),
      toNodes: !OPERATOR_ONLY_EVENTS.has(event),
      delivered: 0,
    };
    if (this.queue.length === 0 && this.sockets.size <= this.directLimit) {
      for (const ws of this.sockets) this.deliver(item, ws);
      this.opts.observer?.eventsSent(event, item.delivered);
      return;
    }
    this.queue.push(item);
    if (!this.pumping) this.pump();
  }

  /**
   * Whether a broadcast of `event` would reach any socket now: one that reaches none need not be
   * built (presence changes with every node's connect and close, and its list can be long).
   */
  reaches(event: string, scope?: string, only?: (d: GatewaySocket["data"]) => boolean): boolean {
    const target = { scope: scope ?? (UNSCOPED_EVENTS.has(event) ? undefined : "operator.read"), toNodes: !OPERATOR_ONLY_EVENTS.has(event), only };
    for (const ws of this.sockets) if (allowed(target, ws.data)) return true;
    return false;
  }

  /** Delivers everything queued now (before a shutdown closes the sockets). */
  flush(): void {
    while (this.queue.length > 0) this.runSlice(Infinity);
  }

  private pump = (): void => {
    this.pumping = true;
    this.runSlice(this.sliceMs);
    if (this.queue.length > 0) setImmediate(this.pump);
    else this.pumping = false;
  };

  private runSlice(budgetMs: number): void {
    const deadline = performance.now() + budgetMs;
    let n = 0;
    while (this.queue.length > 0) {
      const item = this.queue[0]!;
      const it = (item.cursor ??= this.sockets.values());
      for (let r = it.next(); !r.done; r = it.next()) {
        this.deliver(item, r.value);
        // Checking the clock every 32 writes keeps its cost out of the per-socket price.
        if ((++n & 31) === 0 && performance.now() > deadline) return;
      }
      this.queue.shift();
      this.opts.observer?.eventsSent(item.event, item.delivered);
    }
  }

  /** Hands a socket every queued broadcast it has not had yet, in order; false if it was dropped. */
  private catchUp(ws: GatewaySocket): boolean {
    for (const item of this.queue) {
      if (!this.deliver(item, ws) && ws.readyState !== 1) return false;
    }
    return true;
  }

  /** One broadcast to one socket, unless it has it already, joined later, or may not see it. */
  private deliver(item: Pending, ws: GatewaySocket): boolean {
    const d = ws.data;
    if ((d.busSeen ?? 0) >= item.id) return false;
    d.busSeen = item.id;
    if (!allowed(item, d)) return false;
    d.seq++;
    if (!this.write(ws, item.head + d.seq + item.tail)) return false;
    item.delivered++;
    if (this.onEventSent) this.onEventSent(ws, item.event, d.seq);
    return true;
  }

  private write(ws: GatewaySocket, text: string): boolean {
    if (ws.readyState !== 1) return false;
    const sent = ws.send(text);
    if (sent > 0) return true;
    // -1: queued under backpressure; 0: dropped because the backpressure limit was hit.
    if (sent === 0 || ws.getBufferedAmount() > this.opts.maxBufferedBytes) {
      this.dropSlow(ws);
      return false;
    }
    return true;
  }

  private dropSlow(ws: GatewaySocket): void {
    const d = ws.data;
    this.opts.observer?.slowConsumer();
    this.opts.log.warn("dropping slow consumer", { conn: d.connId, bufferedBytes: ws.getBufferedAmount(), limit: this.opts.maxBufferedBytes });
    this.sockets.delete(ws);
    ws.close(1008, "slow consumer");
    // The close frame itself may sit behind the stuck output; make sure the socket goes away.
    setTimeout(() => {
      if (ws.readyState === 1) ws.terminate();
    }, 1000).unref();
  }
}

/** Whether a socket may see a broadcast: its scope (nodes count as read), and no operator-only event for nodes. */
function allowed(item: Pick<Pending, "scope" | "toNodes" | "only">, d: GatewaySocket["data"]): boolean {
  if (d.role === "node" && !item.toNodes) return false;
  if (item.only && !item.only(d)) return false;
  if (!item.scope || (item.scope === "operator.read" && d.role === "node")) return true;
  return scopeSatisfied(d.scopes ?? [], item.scope);
}

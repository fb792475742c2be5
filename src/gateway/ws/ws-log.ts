/**
 * How WebSocket traffic shows up in the log (`gateway run --ws-log auto|compact|full`), under the
 * `gateway/ws` subsystem (`[ws]` on the console).
 *
 *   auto     routine traffic at debug, so it shows with --verbose (one ⇄ line per call) and in a
 *            debug file log; failed calls, calls of SLOW_CALL_MS or more and unparsable frames at
 *            info, so they always show.
 *   compact  every call as one ⇄ line, at info (shown without --verbose).
 *   full     like compact, but `← req` and `→ res` apart, plus `→ event` for every event frame.
 *
 * The mode is fixed per gateway when the handler is built; every method compares one level
 * before it builds a string, so a quiet gateway pays a number comparison per frame.
 */
import type { Logger } from "../../logging/logger.ts";
import type { ConnState } from "./conn.ts";

export const WS_LOG_MODES = ["auto", "full", "compact"] as const;
export type WsLogMode = (typeof WS_LOG_MODES)[number];
/** Calls at least this slow are logged in auto mode even without --verbose. */
export const SLOW_CALL_MS = 50;

export function parseWsLogMode(value: string | undefined): WsLogMode | undefined {
  const v = value?.trim().toLowerCase();
  return (WS_LOG_MODES as readonly string[]).includes(v ?? "") ? (v as WsLogMode) : undefined;
}

/** `21ac8878…7737`: enough to tell connections apart on a console line. */
export function shortId(id: string, head = 8, tail = 4): string {
  return id.length > head + tail + 1 ? `${id.slice(0, head)}…${id.slice(-tail)}` : id;
}

function reqId(id: string): string {
  return shortId(id, 12, 4);
}

export interface WsErrorInfo {
  code: string;
  message: string;
}

export class WsTrafficLog {
  readonly full: boolean;
  /** Level of routine lines: debug in auto, info when a mode was chosen explicitly. */
  private readonly routine: "debug" | "info";

  constructor(
    readonly log: Logger,
    readonly mode: WsLogMode = "auto",
  ) {
    this.full = mode === "full";
    this.routine = mode === "auto" ? "debug" : "info";
  }

  /** Whether routine lines are wanted right now (levels can change on a hot reload). */
  get routineOn(): boolean {
    return this.log.enabled(this.routine);
  }

  private emit(level: "debug" | "info", msg: string): void {
    if (level === "info") this.log.info(msg);
    else this.log.debug(msg);
  }

  open(d: ConnState): void {
    if (this.routineOn) this.emit(this.routine, `← open remoteAddr=${d.remoteAddress} conn=${shortId(d.connId)}`);
  }

  connect(d: ConnState): void {
    if (!this.routineOn) return;
    const c = d.client;
    this.emit(
      this.routine,
      `← connect client=${c?.id} version=${c?.version} mode=${c?.mode}${c?.platform ? ` platform=${c.platform}` : ""} auth=${d.authMethod} conn=${shortId(d.connId)}`,
    );
  }

  hello(d: ConnState, counts: { methods: number; events: number; presence: number; stateVersion: number }): void {
    if (!this.routineOn) return;
    this.emit(
      this.routine,
      `→ hello-ok methods=${counts.methods} events=${counts.events} presence=${counts.presence} stateVersion=${counts.stateVersion} conn=${shortId(d.connId)}`,
    );
  }

  close(d: ConnState, code: number, reason: string, wasReady: boolean): void {
    if (!this.routineOn) return;
    this.emit(
      this.routine,
      `→ close code=${code} durationMs=${Date.now() - d.openedAt}${wasReady ? "" : " (before connect)"}${reason ? ` reason=${reason}` : ""} conn=${shortId(d.connId)}`,
    );
  }

  /** `full` only: the request as it arrives. */
  request(d: ConnState, method: string, id: string): void {
    if (this.full && this.routineOn) this.emit(this.routine, `← req ${method} conn=${shortId(d.connId)} id=${reqId(id)}`);
  }

  /** The outcome of one call; `started` is a performance.now() reading from when it arrived. */
  response(d: ConnState, method: string, id: string, started: number, error?: WsErrorInfo): void {
    // Nothing below info is ever wanted without info: a quiet gateway stops here.
    if (!this.log.enabled("info")) return;
    const ms = Math.round(performance.now() - started);
    const level = error || ms >= SLOW_CALL_MS ? "info" : this.routine;
    if (!this.log.enabled(level)) return;
    const head = this.full ? "→ res" : "⇄ res";
    const err = error ? ` errorCode=${error.code} errorMessage=${error.message}` : "";
    this.emit(level, `${head} ${error ? "✗" : "✓"} ${method} ${ms}ms${err} conn=${shortId(d.connId)} id=${reqId(id)}`);
  }

  /** A frame that is not JSON: ignored by the protocol, but worth a line in every mode. */
  parseError(d: ConnState, bytes: number): void {
    if (this.log.enabled("info")) this.log.info(`⇄ parse error: frame is not JSON (${bytes} bytes) conn=${shortId(d.connId)}`);
  }

  /** `full` only: an event frame written to one socket. */
  event(d: ConnState, event: string, seq?: number): void {
    if (this.routineOn) this.emit(this.routine, `→ event ${event}${seq === undefined ? "" : ` seq=${seq}`} conn=${shortId(d.connId)}`);
  }
}

/** One per gateway: built with the WebSocket handler, looked up by the frame handlers. */
const byRuntime = new WeakMap<object, WsTrafficLog>();

export function wsTrafficLogFor(gw: { options: { logger: Logger; wsLog?: WsLogMode } }): WsTrafficLog {
  let wsl = byRuntime.get(gw);
  if (!wsl) {
    wsl = new WsTrafficLog(gw.options.logger.child("gateway/ws"), gw.options.wsLog ?? "auto");
    byRuntime.set(gw, wsl);
  }
  return wsl;
}

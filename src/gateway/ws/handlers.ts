import type { Server, WebSocketHandler } from "bun";
import type { MethodRegistry } from "../methods/registry.ts";
import type { PendingSockets } from "./pending.ts";
import { MAX_PREAUTH_PAYLOAD_BYTES } from "../options.ts";
import type { GatewayRuntime } from "../runtime.ts";
import type { ConnState, GatewaySocket } from "./conn.ts";
import { eventFrame } from "./conn.ts";
import { handleFrame } from "./dispatch.ts";
import { handlePreConnect } from "./handshake.ts";
import { wsTrafficLogFor } from "./ws-log.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export interface UpgradeInfo {
  origin?: string;
  host?: string;
  localPeer: boolean;
  /** Whether a slot of the pending budget was taken for this socket. */
  admitted: boolean;
}

export function newConnState(remoteAddress: string, info: UpgradeInfo = { localPeer: false, admitted: false }): ConnState {
  return {
    connId: crypto.randomUUID(),
    remoteAddress,
    origin: info.origin,
    host: info.host,
    localPeer: info.localPeer,
    admitted: info.admitted,
    openedAt: Date.now(),
    phase: "pre",
    nonce: crypto.randomUUID(),
    seq: 0,
  };
}

function textOf(raw: string | Buffer): string | null {
  if (typeof raw === "string") return raw;
  try {
    return utf8.decode(raw);
  } catch {
    return null;
  }
}

export function createWebSocketHandler(
  gw: GatewayRuntime,
  methods: MethodRegistry,
  pending: PendingSockets,
): WebSocketHandler<ConnState> {
  const wsl = wsTrafficLogFor(gw);
  if (wsl.full) gw.bus.onEventSent = (ws, event, seq) => wsl.event(ws.data, event, seq);
  return {
    maxPayloadLength: gw.policy.maxPayload,
    // Our own check drops slow consumers at maxBufferedBytes; Bun's limit sits just above it.
    backpressureLimit: gw.policy.maxBufferedBytes + 1024 * 1024,
    closeOnBackpressureLimit: false,
    perMessageDeflate: false,
    idleTimeout: 120,
    open(ws) {
      if (gw.draining) {
        ws.close(1012, "service restart");
        return;
      }
      pending.add(ws);
      ws.send(eventFrame("connect.challenge", { nonce: ws.data.nonce, ts: Date.now() }));
      wsl.open(ws.data);
    },
    message(ws, raw) {
      const d = ws.data;
      if (d.phase === "ready") {
        const text = textOf(raw);
        if (text !== null) handleFrame(ws, text, gw, methods, wsl);
        return;
      }
      if (d.phase !== "pre") return;
      // Bytes, not UTF-16 units: 64 KiB of multi-byte text is up to three times that on the wire.
      const size = typeof raw === "string" ? Buffer.byteLength(raw) : raw.byteLength;
      if (size > MAX_PREAUTH_PAYLOAD_BYTES) {
        gw.metrics.handshake("too_large");
        pending.delete(ws);
        ws.close(1009, "");
        return;
      }
      const text = textOf(raw);
      if (text === null) {
        gw.metrics.handshake("invalid_frame");
        pending.delete(ws);
        ws.close(1000, "");
        return;
      }
      handlePreConnect(ws, text, gw, methods, wsl);
      if ((d.phase as ConnState["phase"]) === "ready") pending.delete(ws);
    },
    close(ws, code, reason) {
      const d = ws.data;
      const wasReady = d.phase === "ready";
      // A socket its client closed before connect (our own refusals left it in "pre" too, but
      // they are counted where they happen and leave the budget first).
      if (d.phase === "pre" && d.admitted) gw.metrics.handshake("closed");
      d.phase = "closed";
      pending.delete(ws);
      gw.bus.delete(ws);
      gw.surfaces.revoke(d.connId);
      if (wasReady && d.role === "node" && d.deviceId) noteNodeLeft(gw, d.deviceId, d.connId);
      if (gw.presence.removeConnection(d) && !gw.draining) gw.broadcastPresence();
      wsl.close(d, code, reason, wasReady);
    },
  };
}

export type GatewayServer = Server<ConnState>;

/** When a node left; a failing store (or one closed at shutdown) must not break the close. */
function noteNodeLeft(gw: GatewayRuntime, nodeId: string, connId: string): void {
  gw.invocations.nodeClosed(connId);
  try {
    gw.pairing.surfaces.disconnected(nodeId);
  } catch (err) {
    gw.log.debug(`could not record that node ${nodeId.slice(0, 12)}… left: ${(err as Error).message}`);
  }
}

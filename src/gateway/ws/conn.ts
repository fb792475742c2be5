import type { ServerWebSocket } from "bun";
import type { ClientInfo, ErrorShape, Role } from "../../protocol/index.ts";

/** Per-socket state; lives in `ws.data`, so a connection costs one small object. */
export interface ConnState {
  connId: string;
  remoteAddress: string;
  /** The upgrade's Origin and Host headers (a browser always sends Origin). */
  origin?: string;
  host?: string;
  /** Loopback peer with no forwarding headers. */
  localPeer: boolean;
  /** Came through a trusted proxy or the Tailscale listener; `remoteAddress` is then the forwarded client. */
  forwarded?: boolean;
  /** trusted-proxy mode: the user the proxy vouched for at the upgrade. */
  proxyUser?: string;
  /** The Tailscale login `tailscale whois` confirmed at the upgrade (managed Serve listener only). */
  tailscaleUser?: string;
  /** Holds a slot of the unauthenticated-socket budget until connect completes or the socket closes. */
  admitted: boolean;
  openedAt: number;
  /** "closed" from the moment the gateway refuses or closes it: no further frame is handled. */
  phase: "pre" | "ready" | "closed";
  nonce: string;
  client?: ClientInfo;
  role?: Role;
  scopes?: string[];
  /** Operator capabilities from connect (tool-events, approvals, exec-approvals, …). */
  caps?: string[];
  /** sessions.subscribe: receives session.message / session.tool. */
  sessionsSubscribed?: boolean;
  authMethod?: string;
  /** Set once the socket proved possession of a device key (connect.params.device). */
  deviceId?: string;
  /** Its key as raw base64url. */
  devicePublicKey?: string;
  /** A node's declared surface (after the command policy) and what it may run now (gate 2). */
  nodeDeclared?: { caps: string[]; commands: string[] };
  nodeEffective?: { caps: string[]; commands: string[] };
  /** Per-socket broadcast counter; targeted events carry no seq. */
  seq: number;
  /** The id of the last broadcast this socket has had (or that was made before it joined the bus). */
  busSeen?: number;
  /** Set when this socket owns a presence entry. */
  presenceKey?: string;
}

export type GatewaySocket = ServerWebSocket<ConnState>;

/** A payload that is already JSON text: lets hot read methods reuse one serialization. */
export class RawJson {
  constructor(readonly json: string) {}
}

export function encodePayload(payload: unknown): string {
  return payload instanceof RawJson ? payload.json : JSON.stringify(payload);
}

export function okFrame(id: string, payload: unknown): string {
  const head = '{"type":"res","id":' + JSON.stringify(id) + ',"ok":true';
  return payload === undefined ? head + "}" : head + ',"payload":' + encodePayload(payload) + "}";
}

export function errorFrame(id: string, error: ErrorShape, payload?: unknown): string {
  const head = '{"type":"res","id":' + JSON.stringify(id) + ',"ok":false';
  const withPayload = payload === undefined ? head : head + ',"payload":' + encodePayload(payload);
  return withPayload + ',"error":' + JSON.stringify(error) + "}";
}

export function eventFrame(event: string, payload: unknown, extra = ""): string {
  return '{"type":"event","event":' + JSON.stringify(event) + ',"payload":' + encodePayload(payload) + extra + "}";
}

/** Close reasons are capped at 123 bytes by RFC 6455. */
export function closeReason(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= 123) return text;
  return new TextDecoder().decode(bytes.slice(0, 120)).replace(/\uFFFD+$/, "") + "...";
}

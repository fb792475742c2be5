/**
 * The part of the canvas host every connect needs: whether it is on, and a capability URL that
 * lets one connection's client read it. No file or HTTP code here: the handshake imports this,
 * while the canvas host itself loads with its first request.
 */
import { randomBytes } from "node:crypto";
import type { OpenClawConfig } from "../../config/schema.ts";

export const CANVAS_PATH = "/__openclaw__/canvas";
export const A2UI_PATH = "/__openclaw__/a2ui";
/** `<CAPABILITY_PATH>/<capability>` stands for the gateway root to whoever holds the capability. */
export const CAPABILITY_PATH = "/__openclaw__/cap";

/** OPENCLAW_SKIP_CANVAS_HOST: any usual "yes" turns the canvas host off. */
export function canvasSkippedByEnv(value: string | undefined): boolean {
  return ["1", "true", "yes", "on"].includes(value?.trim().toLowerCase() ?? "");
}

/** Read per request and per connect, so config edits apply without a restart. */
export function canvasHostEnabled(config: OpenClawConfig, skippedByEnv = false): boolean {
  if (skippedByEnv || config.plugins?.enabled === false) return false;
  const entry = config.plugins?.entries?.canvas;
  return entry?.enabled !== false && entry?.config?.host?.enabled !== false;
}

/**
 * Capabilities handed out in hello-ok, each valid while the connection it was issued to stays
 * open: a node that reconnects gets a fresh URL, and a leaked one dies with its socket.
 */
export class SurfaceCapabilities {
  private readonly connOf = new Map<string, string>();
  private readonly capOf = new Map<string, string>();

  /** The connection's capability (one per connection). */
  issue(connId: string): string {
    const existing = this.capOf.get(connId);
    if (existing) return existing;
    const cap = randomBytes(24).toString("base64url");
    this.capOf.set(connId, cap);
    this.connOf.set(cap, connId);
    return cap;
  }

  holds(cap: string): boolean {
    return this.connOf.has(cap);
  }

  revoke(connId: string): void {
    const cap = this.capOf.get(connId);
    if (cap === undefined) return;
    this.capOf.delete(connId);
    this.connOf.delete(cap);
  }

  get size(): number {
    return this.capOf.size;
  }
}

const HOST_HEADER = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

/**
 * The capability URL for a client, on the address it reached us at (its Host header), so a node
 * behind NAT or a tailnet name gets a URL it can open. A missing or odd Host falls back to the
 * first listener.
 */
export function capabilityUrl(hostHeader: string | undefined, listener: { host: string; port: number }, cap: string): string {
  const host = hostHeader && HOST_HEADER.test(hostHeader) ? hostHeader : `${listener.host.includes(":") ? `[${listener.host}]` : listener.host}:${listener.port}`;
  return `http://${host}${CAPABILITY_PATH}/${cap}`;
}

/** What the canvas routes need from a running gateway. */
export interface CanvasDeps {
  stateDir: string;
  home: string;
  /** OPENCLAW_SKIP_CANVAS_HOST as read at start-up. */
  skippedByEnv: boolean;
  capabilities: Pick<SurfaceCapabilities, "holds">;
  log?: { warn(msg: string): void; debug(msg: string): void };
}

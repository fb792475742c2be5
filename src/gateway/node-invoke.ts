/**
 * Commands run on nodes: node.invoke checks the node is known, connected, allowed and approved for
 * the command, sends it a targeted `node.invoke.request`, and waits for the node's
 * `node.invoke.result`, its deadline (then `node.invoke.cancel` goes to the node) or its disconnect.
 */
import { allowlistRefusal, invokeNeverAllowed, invokeScope } from "../nodes/commands.ts";
import { approvalState } from "../nodes/surface-store.ts";
import { DetailCodes, ErrorCodes, GatewayError, scopeSatisfied } from "../protocol/index.ts";
import { nodeSockets } from "./nodes.ts";
import type { GatewayRuntime } from "./runtime.ts";
import type { ConnState, GatewaySocket } from "./ws/conn.ts";

export const DEFAULT_INVOKE_TIMEOUT_MS = 30_000;

export interface InvokeRequest {
  nodeId: string;
  command: string;
  params?: unknown;
  timeoutMs?: number;
  idempotencyKey: string;
}

export interface InvokeResult {
  id: string;
  nodeId: string;
  ok: boolean;
  payloadJSON?: unknown;
  payload?: unknown;
  error?: { code?: string; message?: string } | null;
}

interface Waiting {
  nodeId: string;
  command: string;
  connId: string;
  resolve(v: unknown): void;
  reject(e: GatewayError): void;
  timer: Timer;
}

const aborted = () => new GatewayError(ErrorCodes.UNAVAILABLE, "node invoke aborted by the caller", { details: { code: "ABORTED" } });

const pairingChanged = () =>
  new GatewayError(ErrorCodes.UNAVAILABLE, "node pairing changed while invocation was active", { retryable: true, details: { code: "PAIRING_CHANGED" } });

function nodeFailure(code: string, message: string, dispatched: boolean, extra: Record<string, unknown> = {}): GatewayError {
  return new GatewayError(ErrorCodes.UNAVAILABLE, `${code}: ${message}`, { details: { ...extra, nodeError: { code, message }, nodeCommandDispatched: dispatched } });
}

export class NodeInvocations {
  private waiting = new Map<string, Waiting>();

  /**
   * Checks in the published order, then dispatches and waits. Throws GatewayError. An in-process
   * caller (an agent's tool) may pass a signal: aborting it cancels the command on the node.
   */
  async invoke(gw: GatewayRuntime, caller: ConnState, req: InvokeRequest, opts: { signal?: AbortSignal } = {}): Promise<unknown> {
    const never = invokeNeverAllowed(req.command);
    if (never) throw new GatewayError(ErrorCodes.INVALID_REQUEST, never);
    const scope = invokeScope(req.command);
    if (!scopeSatisfied(caller.scopes ?? [], scope)) {
      throw new GatewayError(ErrorCodes.FORBIDDEN, `missing scope: ${scope}`, { details: { code: DetailCodes.MISSING_SCOPE, missingScope: scope, requiredScopes: [scope] } });
    }
    const record = gw.pairing.surfaces.get(req.nodeId);
    if (!record) throw pairingChanged();
    const ws = nodeSockets(gw, req.nodeId)[0];
    if (!ws) {
      throw new GatewayError(ErrorCodes.UNAVAILABLE, "node not connected", {
        details: { code: "NOT_CONNECTED", nodeError: { code: "NOT_CONNECTED", message: "node not connected" }, nodeCommandDispatched: false },
      });
    }
    const platform = ws.data.client?.platform;
    const refusal = allowlistRefusal(platform, req.command, gw.config);
    if (refusal) throw new GatewayError(ErrorCodes.INVALID_REQUEST, refusal.message, { details: { reason: refusal.reason, command: req.command } });
    if (approvalState(record) === "pending-approval" || approvalState(record) === "unapproved") throw pairingChanged();
    if (!ws.data.nodeDeclared?.commands.includes(req.command)) {
      throw new GatewayError(ErrorCodes.INVALID_REQUEST, `node command not allowed: the node (platform: ${platform ?? "unknown"}) does not support "${req.command}"`);
    }
    if (!ws.data.nodeEffective?.commands.includes(req.command)) {
      throw new GatewayError(ErrorCodes.INVALID_REQUEST, `node command not allowed: the node's declared command surface is pending approval; run openclaw nodes approve ${record.pending?.requestId ?? "<requestId>"} (see openclaw nodes pending)`);
    }
    return this.dispatch(gw, ws, req, opts.signal);
  }

  private dispatch(gw: GatewayRuntime, ws: GatewaySocket, req: InvokeRequest, signal?: AbortSignal): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(aborted());
    const id = crypto.randomUUID();
    const timeoutMs = req.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS;
    let params = req.params;
    // system.run carries a run id the node reports exec events under (it makes one otherwise).
    if (req.command === "system.run" && params && typeof params === "object" && !Array.isArray(params) && !("runId" in params)) {
      params = { ...params, runId: crypto.randomUUID() };
    }
    return new Promise((resolve, reject) => {
      const cancel = (err: GatewayError) => {
        if (!this.waiting.has(id)) return;
        this.fail(id, err);
        gw.bus.sendEvent(ws, "node.invoke.cancel", { invokeId: id, nodeId: req.nodeId });
      };
      const timer = setTimeout(() => cancel(nodeFailure("TIMEOUT", "node invoke timed out", true)), Math.min(timeoutMs, 2 ** 31 - 1));
      const onAbort = () => cancel(aborted());
      signal?.addEventListener("abort", onAbort, { once: true });
      const done = () => signal?.removeEventListener("abort", onAbort);
      this.waiting.set(id, {
        nodeId: req.nodeId, command: req.command, connId: ws.data.connId, timer,
        resolve: (v) => (done(), resolve(v)), reject: (e) => (done(), reject(e)),
      });
      const sent = gw.bus.sendEvent(ws, "node.invoke.request", {
        id, nodeId: req.nodeId, command: req.command, paramsJSON: params === undefined ? null : JSON.stringify(params),
        timeoutMs, idempotencyKey: req.idempotencyKey,
      });
      if (!sent) this.fail(id, nodeFailure("DISCONNECTED", `node disconnected (${req.command})`, false));
    });
  }

  /** `node.invoke.result` from a node: `{ok:true}`, or `ignored` for an unknown or late id. */
  result(node: ConnState, r: InvokeResult): { ok: true; ignored?: true } {
    if (r.nodeId !== node.deviceId) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "nodeId mismatch");
    const w = this.waiting.get(r.id);
    if (!w || w.nodeId !== r.nodeId) return { ok: true, ignored: true };
    this.waiting.delete(r.id);
    clearTimeout(w.timer);
    if (!r.ok) {
      const code = r.error?.code || "UNAVAILABLE";
      w.reject(nodeFailure(code, r.error?.message || "node command failed", true));
      return { ok: true };
    }
    const text = typeof r.payloadJSON === "string" ? r.payloadJSON : null;
    let payload: unknown = r.payloadJSON !== undefined && r.payloadJSON !== null && typeof r.payloadJSON !== "string" ? r.payloadJSON : r.payload;
    if (text !== null) {
      try {
        payload = JSON.parse(text);
      } catch {
        payload = text;
      }
    }
    w.resolve({ ok: true, nodeId: r.nodeId, command: w.command, payload: payload ?? null, payloadJSON: text });
    return { ok: true };
  }

  /** A node socket closed: everything it was running fails as DISCONNECTED. */
  nodeClosed(connId: string): void {
    for (const [id, w] of this.waiting) {
      if (w.connId === connId) this.fail(id, nodeFailure("DISCONNECTED", `node disconnected (${w.command})`, true));
    }
  }

  private fail(id: string, err: GatewayError): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    w.reject(err);
  }

  /** Gateway stop: nothing waits past the gateway. */
  close(): void {
    for (const id of [...this.waiting.keys()]) this.fail(id, nodeFailure("DISCONNECTED", "gateway stopping", true));
  }
}

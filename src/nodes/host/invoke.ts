/**
 * The node side of `node.invoke`: a `node.invoke.request` event starts a command, its outcome goes
 * back as a `node.invoke.result` request, and `node.invoke.cancel` (the gateway's deadline passed)
 * kills it with no result sent, as the gateway has already answered the caller.
 */
import type { GatewayClient } from "../../client/ws-client.ts";
import { runSystemCommand, type InvokeOutcome } from "./system.ts";

export interface InvokeRequest {
  id: string;
  nodeId: string;
  command: string;
  paramsJSON: string | null;
  timeoutMs: number;
}

export interface InvokeLog {
  debug(line: string): void;
  warn(line: string): void;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() !== "" ? v : undefined;
}

/** The request, or undefined when it is not one this node should act on. */
export function parseInvokeRequest(payload: unknown, nodeId: string): InvokeRequest | undefined {
  const p = (payload ?? {}) as Record<string, unknown>;
  const id = str(p.id);
  const command = str(p.command);
  if (!id || !command || str(p.nodeId) !== nodeId) return undefined;
  const timeoutMs = typeof p.timeoutMs === "number" && Number.isFinite(p.timeoutMs) && p.timeoutMs > 0 ? p.timeoutMs : 0;
  return { id, nodeId, command, paramsJSON: typeof p.paramsJSON === "string" ? p.paramsJSON : null, timeoutMs };
}

export class InvokeServer {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly client: GatewayClient,
    private readonly commands: ReadonlySet<string>,
    private readonly hostEnv: Record<string, string | undefined>,
    private readonly log: InvokeLog,
  ) {}

  get active(): number {
    return this.running.size;
  }

  handleRequest(req: InvokeRequest): void {
    if (this.running.has(req.id)) return; // A repeated event for a call already running.
    const controller = new AbortController();
    this.running.set(req.id, controller);
    this.log.debug(`invoke ${req.id} ${req.command}`);
    void this.execute(req, controller.signal)
      .then((outcome) => this.reply(req, outcome))
      .finally(() => this.running.delete(req.id));
  }

  cancel(invokeId: unknown): void {
    if (typeof invokeId !== "string") return;
    const controller = this.running.get(invokeId);
    if (!controller) return;
    this.log.debug(`invoke ${invokeId} cancelled by the gateway`);
    controller.abort();
  }

  /** The connection is gone: nobody can receive these results any more. */
  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort();
  }

  private async execute(req: InvokeRequest, signal: AbortSignal): Promise<InvokeOutcome> {
    if (!this.commands.has(req.command)) {
      return { ok: false, error: { code: "UNAVAILABLE", message: "command not advertised by this node" } };
    }
    let params: unknown;
    if (req.paramsJSON !== null) {
      try {
        params = JSON.parse(req.paramsJSON);
      } catch {
        return { ok: false, error: { code: "INVALID_REQUEST", message: "paramsJSON is not valid JSON" } };
      }
    }
    try {
      return await runSystemCommand(req.command, params, {
        invokeId: req.id, timeoutMs: req.timeoutMs, signal, hostEnv: this.hostEnv,
        sendEvent: (event, payload) => this.sendEvent(event, payload),
      });
    } catch (err) {
      return { ok: false, error: { code: "UNAVAILABLE", message: err instanceof Error ? err.message : String(err) } };
    }
  }

  private async sendEvent(event: string, payload: Record<string, unknown>): Promise<void> {
    try {
      await this.client.request("node.event", { event, payloadJSON: JSON.stringify(payload) }, { timeoutMs: 10_000 });
    } catch (err) {
      this.log.debug(`node.event ${event} not delivered: ${(err as Error).message}`);
    }
  }

  private async reply(req: InvokeRequest, outcome: InvokeOutcome): Promise<void> {
    if ("cancelled" in outcome) return;
    const result = outcome.ok
      ? { id: req.id, nodeId: req.nodeId, ok: true, payloadJSON: JSON.stringify(outcome.payload) }
      : { id: req.id, nodeId: req.nodeId, ok: false, error: outcome.error };
    try {
      await this.client.request("node.invoke.result", result, { timeoutMs: 10_000 });
    } catch (err) {
      this.log.warn(`result of ${req.command} (${req.id}) not delivered: ${(err as Error).message}`);
    }
  }
}

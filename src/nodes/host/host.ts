/**
 * `openclaw node run`: one long-lived node connection. It signs every connect with the node's own
 * key, keeps the device token the gateway hands it, serves invokes, reports host stats, notices a
 * silent gateway (no tick for two intervals) and reconnects with backoff until told to stop.
 */
import { GatewayClient, type GatewayTransportError } from "../../client/ws-client.ts";
import type { EventFrame } from "../../protocol/index.ts";
import { InvokeServer, parseInvokeRequest } from "./invoke.ts";
import { afterConnectFailure, backoffMs, type NextStep } from "./reconnect.ts";
import type { DeviceTokens, NodeIdentity } from "./state.ts";
import { hostStats } from "./stats.ts";

export interface NodeHostLog {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  debug(line: string): void;
}

export interface NodeHostOptions {
  url: string;
  token?: string;
  password?: string;
  identity: NodeIdentity;
  tokens: DeviceTokens;
  displayName: string;
  instanceId: string;
  commands: readonly string[];
  hostEnv: Record<string, string | undefined>;
  /** The filesystem whose free space is reported. */
  statsPath: string;
  log: NodeHostLog;
  statsIntervalMs?: number;
  connectTimeoutMs?: number;
  /** How often to ask again while the device waits for approval (default 10 s). */
  approvalPollMs?: number;
}

const DEFAULT_STATS_INTERVAL_MS = 60_000;
const DEFAULT_TICK_MS = 30_000;
/** A connection that lasted this long resets the backoff. */
const STABLE_MS = 10_000;

export class NodeHost {
  private stopped = false;
  private client: GatewayClient | undefined;
  private wake: (() => void) | undefined;
  private useDeviceToken = true;
  private announcedRequest: string | undefined;
  private exitCode = 0;
  /** Resolves when the host stops: 0 when asked to, 1 when retrying cannot help. */
  readonly done: Promise<number>;

  constructor(private readonly opts: NodeHostOptions) {
    this.done = this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.client?.close();
    this.wake?.();
  }

  get connected(): boolean {
    return this.client?.isOpen ?? false;
  }

  private async loop(): Promise<number> {
    let attempt = 0;
    while (!this.stopped) {
      const usedDeviceToken = this.useDeviceToken && this.opts.token === undefined && this.opts.tokens.get(this.opts.url) !== undefined;
      let onClose!: (err: GatewayTransportError) => void;
      const closed = new Promise<GatewayTransportError>((resolve) => (onClose = resolve));
      let client: GatewayClient;
      try {
        client = await this.connect(usedDeviceToken, onClose);
      } catch (err) {
        if (this.stopped) break;
        const step = afterConnectFailure(err, {
          attempt, usedDeviceToken, hasSharedSecret: this.opts.token !== undefined || this.opts.password !== undefined,
        });
        if (!(await this.follow(step))) return 1;
        if (step.kind === "retry") attempt++;
        continue;
      }
      const since = Date.now();
      const why = await this.serve(client, closed);
      if (this.stopped) break;
      if (Date.now() - since >= STABLE_MS) attempt = 0;
      const delayMs = backoffMs(attempt++);
      this.opts.log.warn(`disconnected (${why}); reconnecting in ${(delayMs / 1000).toFixed(1)}s`);
      await this.sleep(delayMs);
    }
    return this.exitCode;
  }

  /** Acts on a failed connect; false when the host should exit. */
  private async follow(step: NextStep): Promise<boolean> {
    const log = this.opts.log;
    switch (step.kind) {
      case "exit":
        log.error(`cannot connect to ${this.opts.url}: ${step.why}`);
        return false;
      case "drop-device-token":
        log.warn(`the gateway no longer accepts this node's device token (${step.why}); connecting with the shared secret`);
        this.opts.tokens.delete(this.opts.url);
        this.useDeviceToken = false;
        return true;
      case "await-approval":
        if (step.requestId !== this.announcedRequest) {
          this.announcedRequest = step.requestId;
          log.info(`waiting for approval of device ${this.opts.identity.deviceId}: on the gateway run \`openclaw devices approve ${step.requestId ?? "<requestId>"}\` (see \`openclaw devices list\`)`);
        }
        await this.sleep(this.opts.approvalPollMs ?? step.delayMs);
        return true;
      case "retry":
        log.warn(`connect to ${this.opts.url} failed (${step.why}); retrying in ${(step.delayMs / 1000).toFixed(1)}s`);
        await this.sleep(step.delayMs);
        return true;
    }
  }

  private connect(withDeviceToken: boolean, onClose: (err: GatewayTransportError) => void): Promise<GatewayClient> {
    const o = this.opts;
    // A shared secret given to this run wins over a stored token, as in the published node host.
    const auth = o.token !== undefined ? { token: o.token }
      : withDeviceToken ? { deviceToken: o.tokens.get(o.url)! }
      : o.password !== undefined ? { password: o.password } : {};
    return GatewayClient.connect({
      url: o.url, clientId: "node-host", mode: "node", role: "node", scopes: [], displayName: o.displayName,
      instanceId: o.instanceId, caps: ["system"], commands: o.commands, pathEnv: o.hostEnv.PATH ?? "", ...auth,
      timeoutMs: o.connectTimeoutMs ?? 15_000,
      sign: (params, nonce) => o.identity.signConnect(params, nonce),
      onClose,
    });
  }

  /** Serves one connection until it closes; returns why it closed. */
  private async serve(client: GatewayClient, closed: Promise<GatewayTransportError>): Promise<string> {
    const o = this.opts;
    this.client = client;
    this.announcedRequest = undefined;
    const hello = client.hello;
    if (hello.auth?.deviceToken) o.tokens.set(o.url, hello.auth.deviceToken, hello.auth.issuedAtMs);
    this.useDeviceToken = true;
    o.log.info(`connected to ${o.url} as node "${o.displayName}" (device ${o.identity.deviceId}, auth ${hello.auth?.method ?? "token"})`);
    const invokes = new InvokeServer(client, new Set(o.commands), o.hostEnv, o.log);
    let lastFrameAt = Date.now();
    const off = client.onEvent((frame) => {
      lastFrameAt = Date.now();
      this.onEvent(frame, invokes, client);
    });
    const tickMs = hello.policy?.tickIntervalMs || DEFAULT_TICK_MS;
    const watchdog = setInterval(() => {
      if (Date.now() - lastFrameAt > tickMs * 2) {
        o.log.warn(`no tick from the gateway for ${Math.round((Date.now() - lastFrameAt) / 1000)}s`);
        client.close();
      }
    }, Math.min(tickMs, 5_000));
    void this.reportStats(client);
    const stats = setInterval(() => void this.reportStats(client), o.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS);
    const err = await closed;
    clearInterval(watchdog);
    clearInterval(stats);
    off();
    invokes.cancelAll();
    this.client = undefined;
    if (err.closeCode === 4001) {
      // Removed or revoked: the token is dead; the next connect asks to be paired again.
      o.tokens.delete(o.url);
      this.useDeviceToken = false;
    }
    return err.message;
  }

  private onEvent(frame: EventFrame, invokes: InvokeServer, client: GatewayClient): void {
    const log = this.opts.log;
    switch (frame.event) {
      case "node.invoke.request": {
        const req = parseInvokeRequest(frame.payload, this.opts.identity.deviceId);
        if (req) invokes.handleRequest(req);
        return;
      }
      case "node.invoke.cancel":
        invokes.cancel((frame.payload as { invokeId?: unknown } | undefined)?.invokeId);
        return;
      case "node.pair.resolved": {
        const decision = (frame.payload as { decision?: unknown } | undefined)?.decision;
        const what = typeof decision === "string" && decision !== "" ? decision : "approved";
        log.info(`the gateway ${what} this node's commands`);
        // Stats sent while the surface was pending were refused; operators should not wait a minute.
        if (what === "approved") void this.reportStats(client);
        return;
      }
      default:
        return;
    }
  }

  private async reportStats(client: GatewayClient): Promise<void> {
    try {
      const payloadJSON = JSON.stringify(hostStats(this.opts.statsPath));
      await client.request("node.event", { event: "node.host.stats", payloadJSON }, { timeoutMs: 10_000 });
    } catch (err) {
      const message = (err as Error).message;
      if (/pairing changed|awaiting operator approval/.test(message)) {
        this.opts.log.info("this node's commands await approval: on the gateway run `openclaw nodes pending`, then `openclaw nodes approve <requestId>`");
      } else this.opts.log.debug(`host stats not delivered: ${message}`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

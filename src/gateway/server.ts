import type { Server, WebSocketHandler } from "bun";
import { join } from "node:path";
import { AgentRuntime } from "../agents/runtime.ts";
import { SessionStore } from "../agents/sessions.ts";
import { PairingHandle } from "../nodes/pairing-store.ts";
import { ExecApprovalsHandle } from "./approvals/store.ts";
import type { AgentService } from "../agents/types.ts";
import { SwappableAgents } from "../agents/swappable.ts";
import type { ToolServices } from "../agents/tools/types.ts";
import type { ProviderDeps } from "../agents/providers/transport.ts";
import { WorkspaceManagers, workspaceProvider } from "../agents/workspace-provider.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import type { HttpApp, HttpDeps } from "../http/app.ts";
import { createMethodRegistry } from "./methods/index.ts";
import type { GatewayOptions } from "./options.ts";
import { DEFAULT_HANDSHAKE_TIMEOUT_MS } from "./options.ts";
import { GatewayRuntime, type LiveConfig } from "./runtime.ts";
import { providerFromResolvedConfig } from "./reload/providers.ts";
import type { ConnState } from "./ws/conn.ts";
import { normalizeIp } from "../auth/peer.ts";
import { admitIngress } from "./ws/ingress.ts";
import type { TailscaleIngress } from "./tailscale/whois.ts";
import type { TailscaleExposure } from "./tailscale/expose.ts";
import { GatewayMetrics } from "../metrics/gateway-metrics.ts";
import { createWebSocketHandler, newConnState } from "./ws/handlers.ts";
import { PendingSockets } from "./ws/pending.ts";
import { ChannelsHandle } from "../channels/handle.ts";
import { loadChannelAdapter } from "../channels/adapters.ts";
import { CronHandle, cronStorePath } from "./cron/handle.ts";
import type { DiscoveryHandle } from "../discovery/handle.ts";

export interface StopOptions {
  reason?: string;
  restartExpectedMs?: number;
  /** Overrides GatewayOptions.drainTimeoutMs (a restart waits less than a shutdown). */
  drainTimeoutMs?: number;
}

export interface Gateway {
  readonly runtime: GatewayRuntime;
  readonly port: number;
  readonly hosts: string[];
  /** ws:// URL of the first listener, for clients and log lines. */
  readonly url: string;
  stop(opts?: StopOptions): Promise<void>;
  /** Applies a validated config whose changes are all hot-safe: new snapshot, agents rebuilt. */
  applyConfig(next: LiveConfig, opts?: { rebuildAgents?: boolean }): void;
}

/** Why start-up failed, with the exit code the supervisor should see. */
export class GatewayStartError extends Error {
  constructor(message: string, readonly exitCode = 1, readonly addressInUse = false) {
    super(message);
  }
}

function wsUrl(host: string, port: number): string {
  return `ws://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

type Fetch = (req: Request, server: Server<ConnState>) => Response | Promise<Response | undefined> | undefined;

function listen(host: string, port: number, fetch: Fetch, websocket: WebSocketHandler<ConnState>): Server<ConnState> {
  try {
    return Bun.serve<ConnState>({ hostname: host, port, fetch: fetch as never, websocket, reusePort: false });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EADDRINUSE") {
      throw new GatewayStartError(
        `another gateway instance is already listening on ${wsUrl(host, port)} | listen EADDRINUSE: address already in use ${host}:${port} | EADDRINUSE\n` +
          `If the gateway is supervised, stop it with: openclaw gateway stop\nPort ${port} is already in use.`,
        1,
        true,
      );
    }
    throw new GatewayStartError(`failed to bind gateway socket on ${wsUrl(host, port)}: ${e.message}`);
  }
}

/** Binds every host of the bind mode on one port; WebSocket upgrades on any path, the rest to Hono. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const metrics = new GatewayMetrics();
  // Tools reach the gateway's channels, nodes, approvals and cron; those exist once `gw` does, and
  // the glue loads with the first turn that uses tools.
  let toolServices: Promise<ToolServices> | undefined;
  const services = () => (toolServices ??= import("./tool-services.ts").then((m) => m.createToolServices(gw, { approvals: gw.approvals, cron: gw.cron })));
  // Called on provider responses only, by which time `gw` exists.
  const { agents, rebuild, closeAgents } = createAgents(options, metrics, services, (r) => gw.quotas.record(r));
  const ownsPairing = !options.pairingStore;
  const pairing = options.pairingStore ?? new PairingHandle(pairingStorePath(options.paths.stateDir));
  const gw = new GatewayRuntime(options, agents, metrics, pairing, new ExecApprovalsHandle(approvalsStorePath(options.paths.stateDir)));
  gw.channels = new ChannelsHandle({
    stateDir: options.paths.stateDir, env: process.env, agents, logger: options.logger, config: () => gw.config,
    loadAdapter: options.channelAdapters ?? ((id) => loadChannelAdapter(id, {
      stateDir: options.paths.stateDir,
      log: (channel, accountId) => {
        const l = options.logger.child(channel);
        return { debug: (m) => l.debug(`[${accountId}] ${m}`), info: (m) => l.info(`[${accountId}] ${m}`), warn: (m) => l.warn(`[${accountId}] ${m}`), error: (m) => l.error(`[${accountId}] ${m}`) };
      },
    })),
  });
  gw.cron = new CronHandle({
    path: cronStorePath(options.paths.stateDir), agents: () => agents, config: () => gw.config, log: options.logger.child("cron"),
    queueSystemEvent: (e) => gw.queueSystemEvent(e),
  });
  const methods = createMethodRegistry();
  const pending = new PendingSockets({
    timeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    budget: gw.admission,
    onTimeout: () => metrics.handshake("timeout"),
    onPressure: (cut, growth) => {
      metrics.handshake("memory_pressure", cut);
      gw.notePendingPressure(cut, growth);
    },
  });
  const httpLog = options.logger.child("gateway/http");
  const http = lazyHttpApp({
    config: () => gw.config,
    auth: () => gw.auth,
    agents,
    limiter: gw.limiter,
    originPolicy: () => gw.originPolicy(),
    metrics: { text: () => gw.metricsText(), httpRequest: (route, status) => metrics.httpRequest(route, status) },
    uptimeMs: () => gw.uptimeMs(),
    isDraining: () => gw.draining,
    hooks: { events: gw, delivery: gw.channels.delivery(), log: options.logger.child("gateway/hooks") },
    canvas: {
      stateDir: options.paths.stateDir, home: options.paths.home, skippedByEnv: options.skipCanvasHost === true,
      capabilities: gw.surfaces, log: options.logger.child("canvas"),
    },
    onError: (err, req) => httpLog.error(`${req.method} ${new URL(req.url).pathname} failed: ${(err as Error)?.stack ?? String(err)}`),
  });
  const websocket = createWebSocketHandler(gw, methods, pending);

  const fetch: Fetch = (req, server) => {
    if (req.headers.get("upgrade")?.toLowerCase() === "websocket") return upgrade(gw, req, server);
    return http.app ? http.app.fetch(req, { server }) : http.load().then((app) => app.fetch(req, { server }));
  };

  const servers: Server<ConnState>[] = [];
  const cleanup = () => {
    pending.stop();
    gw.cron.close();
    gw.close();
    closeAgents();
    if (ownsPairing) pairing.close();
    for (const s of servers) s.stop(true);
  };
  try {
    const [first, ...rest] = options.bindHosts;
    if (!first) throw new GatewayStartError("no bind host resolved");
    servers.push(listen(first, options.port, fetch, websocket));
    const port = servers[0]!.port!;
    for (const host of rest) {
      try {
        servers.push(listen(host, port, fetch, websocket));
      } catch (err) {
        // An extra loopback family (::1 without IPv6) is optional; the first listener is not.
        gw.log.warn(`could not also listen on ${wsUrl(host, port)}: ${(err as Error).message.split("\n")[0]}`);
      }
    }
    gw.port = port;
  } catch (err) {
    cleanup();
    throw err;
  }
  gw.hosts = servers.map((s) => s.hostname!);
  const tailscale = await exposeTailscale(options, gw, websocket, http, cleanup);
  if (tailscale) gw.tailscale = { mode: tailscale.mode, url: tailscale.url ?? null };
  const applyChannels = (config: OpenClawConfig) =>
    gw.channels.apply(config).catch((err: unknown) => gw.log.error(`channels: ${(err as Error)?.stack ?? String(err)}`));
  void applyChannels(gw.config);
  gw.cron.startIfStored();
  gw.burstGc.afterStart();
  // Discovery code loads only when some setting could turn it on (the default on Linux is off).
  let discovery: Promise<DiscoveryHandle> | undefined;
  const applyDiscovery = (config: OpenClawConfig) => {
    if (!discovery && !mightAdvertise(config, process.env)) return;
    discovery ??= import("../discovery/handle.ts").then((m) => {
      const handle = new m.DiscoveryHandle({
        env: process.env, log: options.logger.child("gateway/discovery"), port: gw.port, bindHosts: gw.hosts, stateDir: options.paths.stateDir,
      });
      gw.discovery = handle;
      return handle;
    });
    void discovery.then((d) => d.apply(config));
  };
  applyDiscovery(gw.config);

  const tick = setInterval(() => {
    gw.bus.broadcast("tick", { ts: Date.now() });
    if (gw.presence.prune()) gw.broadcastPresence();
  }, gw.policy.tickIntervalMs);
  const healthTimer = setInterval(() => gw.broadcastHealth(), gw.healthRefreshMs);

  let stopping: Promise<void> | null = null;
  const stop = (opts: StopOptions = {}) => {
    stopping ??= (async () => {
      gw.draining = true;
      // Prompts end as deny while their clients can still hear it.
      gw.approvals.closePending();
      clearInterval(tick);
      clearInterval(healthTimer);
      const payload: { reason: string; restartExpectedMs?: number } = { reason: opts.reason ?? "gateway stopping" };
      if (opts.restartExpectedMs !== undefined) payload.restartExpectedMs = opts.restartExpectedMs;
      gw.bus.broadcast("shutdown", payload);
      gw.bus.flush();
      for (const ws of [...gw.bus.all()]) ws.close(1012, "service restart");
      await waitUntil(() => gw.bus.size === 0, opts.drainTimeoutMs ?? options.drainTimeoutMs ?? 1000);
      await gw.channels.close();
      await tailscale?.stop();
      await discovery?.then((d) => d.close());
      cleanup();
      options.logger.flush();
    })();
    return stopping;
  };

  const applyConfig = (next: LiveConfig, o: { rebuildAgents?: boolean } = {}) => {
    if (o.rebuildAgents) rebuild(next.config);
    gw.applyLive(next);
    gw.cron.reconfigure();
    void applyChannels(next.config);
    applyDiscovery(next.config);
  };

  return { runtime: gw, port: gw.port, hosts: gw.hosts, url: wsUrl(first(gw.hosts), gw.port), stop, applyConfig };
}

/** Cheap pre-check of src/discovery/policy.ts: false means advertising is certainly off and nothing is published. */
function mightAdvertise(config: OpenClawConfig, env: Record<string, string | undefined>): boolean {
  if (config.discovery?.wideArea?.domain) return true;
  if (config.discovery?.mdns?.mode === "off") return false;
  const bonjour = (config.plugins?.entries as Record<string, { enabled?: boolean } | undefined> | undefined)?.bonjour;
  return /^(0|false|no|off)$/i.test(env.OPENCLAW_DISABLE_BONJOUR?.trim() ?? "") || process.platform === "darwin" || bonjour?.enabled === true;
}

/**
 * The WebSocket door, before any WebSocket state exists: a locked-out address gets 429, an
 * exhausted unauthenticated budget 503; otherwise the socket takes a budget slot and upgrades.
 */
function upgrade(gw: GatewayRuntime, req: Request, server: Server<ConnState>, tailscale?: TailscaleIngress): Response | undefined | Promise<Response | undefined> {
  const verdict = admitIngress(normalizeIp(server.requestIP(req)?.address), req.headers, gw.config, gw.auth, tailscale !== undefined);
  if (!verdict.ok) return verdict.response;
  const { peer } = verdict;
  const ip = peer.ip;
  const locked = gw.limiter.retryAfterMs(ip, gw.rateLimits());
  if (locked > 0) {
    gw.metrics.upgradeRefused("rate_limited");
    return new Response("Too many failed authentication attempts. Please try again later.", {
      status: 429,
      headers: { "Retry-After": String(Math.max(1, Math.ceil(locked / 1000))), "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const refusal = gw.admission.acquire(ip, gw.admissionLimits());
  if (refusal) {
    gw.noteAdmissionRefused(ip, refusal);
    gw.metrics.upgradeRefused(refusal === "address" ? "budget_address" : "budget_total");
    const scope = refusal === "address" ? "from this address" : "in total";
    return new Response(`Too many unauthenticated connections ${scope}. Please try again later.`, {
      status: 503,
      headers: { "Retry-After": "1", "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const headers = req.headers;
  const data = newConnState(ip, { origin: headers.get("origin") ?? undefined, host: headers.get("host") ?? undefined, localPeer: peer.localPeer, admitted: true });
  data.forwarded = peer.forwarded;
  if (peer.proxyUser) data.proxyUser = peer.proxyUser;
  const finish = (): Response | undefined => {
    if (server.upgrade(req, { data })) return undefined;
    gw.admission.release(ip);
    return new Response("WebSocket upgrade failed", { status: 400 });
  };
  const claim = peer.tailscaleClaim;
  if (!claim || !tailscale) return finish();
  // The login header is only a claim until whois says the tailnet address belongs to that login.
  return tailscale.confirm(claim.clientIp, claim.login).then((ok) => {
    if (ok) data.tailscaleUser = claim.login;
    return finish();
  });
}

/**
 * With tailscale serve/funnel: the managed loopback listener and its route, loaded only then.
 * Its requests are marked as coming through the Tailscale hop (forwarding headers required there).
 */
async function exposeTailscale(
  options: GatewayOptions, gw: GatewayRuntime, websocket: WebSocketHandler<ConnState>, http: ReturnType<typeof lazyHttpApp>, cleanup: () => void,
): Promise<TailscaleExposure | undefined> {
  const mode = options.tailscale?.mode ?? options.config.gateway?.tailscale?.mode ?? "off";
  if (mode === "off") return undefined;
  const { exposeOverTailscale, TailscaleStartError } = await import("./tailscale/expose.ts");
  try {
    return await exposeOverTailscale({
      mode, gatewayPort: gw.port, auth: gw.auth, env: options.tailscale?.env ?? process.env, log: options.logger.child("tailscale"),
      statusWaitMs: options.tailscale?.statusWaitMs, readyTimeoutMs: options.tailscale?.readyTimeoutMs,
      listen: (ingress) => {
        const fetch: Fetch = (req, server) => {
          if (req.headers.get("upgrade")?.toLowerCase() === "websocket") return upgrade(gw, req, server, ingress);
          const env = { server, ingress: "tailscale" as const };
          return http.app ? http.app.fetch(req, env) : http.load().then((app) => app.fetch(req, env));
        };
        const server = listen("127.0.0.1", 0, fetch, websocket);
        return { port: server.port!, stop: () => server.stop(true) };
      },
    });
  } catch (err) {
    cleanup();
    if (err instanceof TailscaleStartError) throw new GatewayStartError(err.message, err.exitCode);
    throw err;
  }
}

/**
 * The HTTP app is built on the first HTTP request: most gateways mostly serve WebSockets, and
 * Hono with the OpenAPI routes is a fifth of the start-up time and several megabytes.
 */
function lazyHttpApp(deps: HttpDeps): { app?: HttpApp; load(): Promise<HttpApp> } {
  let loading: Promise<HttpApp> | undefined;
  const holder: { app?: HttpApp; load(): Promise<HttpApp> } = {
    load: () =>
      (loading ??= import("../http/app.ts").then((m) => {
        holder.app = m.createHttpApp(deps);
        return holder.app;
      })),
  };
  return holder;
}

interface GatewayAgents {
  agents: AgentService;
  /** Rebuilds the roster and providers from a new config (a no-op for an injected service). */
  rebuild(config: OpenClawConfig): void;
  closeAgents(): void;
}

/**
 * The injected agent service, or one built from the config over a store in the state dir; either
 * way every turn and provider stream is counted in the gateway's metrics.
 */
function createAgents(
  options: GatewayOptions, metrics: GatewayMetrics, toolServices: () => Promise<ToolServices>, onResponse: ProviderDeps["onResponse"],
): GatewayAgents {
  if (options.agents) return { agents: metrics.instrumentAgents(options.agents), rebuild: () => {}, closeAgents: () => {} };
  const owned = !options.sessionStore;
  const store = options.sessionStore ?? SessionStore.open(sessionStorePath(options.paths.stateDir));
  const providerFactory = (id: string, config: OpenClawConfig) => {
    const provider = providerFromResolvedConfig(id, config, { onResponse });
    return provider && metrics.instrumentProvider(provider);
  };
  // One workspace manager for the gateway: its per-directory caches survive config reloads.
  const workspaces = new WorkspaceManagers();
  let facade: AgentService | undefined;
  const build = (config: OpenClawConfig) =>
    new AgentRuntime({
      config, store, logger: options.logger, providerFactory, onRawEvent: options.onRawModelEvent, toolServices,
      workspace: workspaceProvider(config, options.paths.stateDir, workspaces),
      // Tools (sessions_send) reach agents through the facade, so they follow a reload.
      self: () => facade!,
    });
  const agents = new SwappableAgents(build(options.config));
  facade = metrics.instrumentAgents(agents);
  return { agents: facade, rebuild: (config) => agents.replace(build(config)), closeAgents: () => owned && store.close() };
}

export function pairingStorePath(stateDir: string): string {
  return join(stateDir, "state", "pairing.sqlite");
}

export function approvalsStorePath(stateDir: string): string {
  return join(stateDir, "state", "exec-approvals.sqlite");
}

export function sessionStorePath(stateDir: string): string {
  return join(stateDir, "state", "sessions.sqlite");
}

function first(hosts: string[]): string {
  return hosts[0] ?? "127.0.0.1";
}

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await Bun.sleep(5);
}

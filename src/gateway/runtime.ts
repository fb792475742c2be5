import { hostname as osHostname, networkInterfaces, release } from "node:os";
import type { Health, Policy, StateVersion } from "../protocol/index.ts";
import { deviceFamilyOf, ErrorCodes, GatewayError } from "../protocol/index.ts";
import { BUILD_ID, VERSION } from "../version.ts";
import type { Logger } from "../logging/logger.ts";
import type { AgentService } from "../agents/types.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import type { AuthConfig } from "./auth.ts";

/** What a hot reload replaces as one unit. */
export interface LiveConfig {
  loaded: LoadedConfig;
  config: OpenClawConfig;
  auth: AuthConfig;
}
import { Bus } from "./bus.ts";
import { EventLoopMonitor } from "./health.ts";
import { agentSessions, healthAgents } from "./status-summary.ts";
import type { GatewayOptions } from "./options.ts";
import { DEFAULT_HEALTH_REFRESH_MS, DEFAULT_POLICY } from "./options.ts";
import { PresenceStore } from "./presence.ts";
import { RawJson } from "./ws/conn.ts";
import { FailedAuthLimiter, rateLimitSettings, type RateLimitSettings } from "../auth/limiter.ts";
import { checkOrigin, ownOriginsFor, type OriginPolicy } from "../auth/origin.ts";
import { admissionLimits, PendingBudget, type AdmissionLimits } from "./ws/admission.ts";
import { GatewayMetrics } from "../metrics/gateway-metrics.ts";
import { LogThrottle } from "../logging/throttle.ts";
import { PairingHandle, type PairingStore } from "../nodes/pairing-store.ts";
import { NodeInvocations } from "./node-invoke.ts";
import type { ChannelsHandle } from "../channels/handle.ts";
import type { CronHandle } from "./cron/handle.ts";
import type { DiscoveryStatus } from "../discovery/status.ts";
import { BurstCollector } from "./burst-gc.ts";
import { ProviderQuotas } from "./provider-quotas.ts";
import { SurfaceCapabilities } from "../http/canvas/surface.ts";
import { GatewayApprovals } from "./approvals/service.ts";
import { ExecApprovalsHandle } from "./approvals/store.ts";

export interface SystemEventRecord {
  text: string;
  ts: number;
  sessionKey?: string;
  source?: string;
}

const MAX_QUEUED_SYSTEM_EVENTS = 100;
/** A health RPC may serve a snapshot this old; the timer refreshes it anyway. */
const HEALTH_MAX_AGE_MS = 1_000;

function primaryIPv4(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const i of list ?? []) if (i.family === "IPv4" && !i.internal) return i.address;
  }
  return "127.0.0.1";
}

/** The domain state of one running gateway: presence, health, the socket bus. No sockets API here. */
export class GatewayRuntime {
  readonly bootId = crypto.randomUUID();
  readonly instanceId = crypto.randomUUID();
  readonly startedAt = Date.now();
  readonly policy: Policy;
  readonly presence: PresenceStore;
  readonly bus: Bus;
  readonly loop = new EventLoopMonitor();
  readonly log: Logger;
  readonly systemEvents: SystemEventRecord[] = [];
  /** Failed-auth lockouts per client address, shared by the WebSocket and HTTP doors. */
  readonly limiter = new FailedAuthLimiter();
  /** Slots for sockets that have not completed connect. */
  readonly admission = new PendingBudget();
  /** node.invoke calls waiting for their node. */
  readonly invocations = new NodeInvocations();
  /** Canvas capabilities handed out in hello-ok, each valid while its connection is open. */
  readonly surfaces = new SurfaceCapabilities();
  /** One full collection after a burst of handshakes, so the garbage they left goes back. */
  readonly burstGc = new BurstCollector();
  /**
   * Exec approvals: the host document and pending operator prompts. The exec tool's
   * ExecApprovalService; gateway-level, so it outlives agent rebuilds on reload.
   */
  readonly approvals: GatewayApprovals;
  /** Chat channels; set by startGateway (channel code loads only when a channel is configured). */
  channels!: ChannelsHandle;
  /** Scheduled jobs (the automations tool's CronToolService); set by startGateway, opened on first use. */
  cron!: CronHandle;
  /** The rate-limit headers of each provider/model's last response (usage.status). */
  readonly quotas = new ProviderQuotas();
  /** Bonjour state for `status`; set by startGateway once discovery code loads (absent: nothing could turn it on). */
  discovery?: { status(config: OpenClawConfig): DiscoveryStatus };
  /** The Tailscale route in front of the gateway; set by startGateway when serve/funnel is up. */
  tailscale: { mode: "off" | "serve" | "funnel"; url: string | null } = { mode: "off", url: null };
  readonly version = VERSION;
  readonly buildId = BUILD_ID;
  port = 0;
  hosts: string[] = [];
  private live: LiveConfig;
  draining = false;
  private healthVersion = 0;
  private healthCache: { at: number; value: Health; json: RawJson } | null = null;

  constructor(
    readonly options: GatewayOptions,
    readonly agents: AgentService,
    readonly metrics: GatewayMetrics = new GatewayMetrics(),
    /** Device pairing (gates 1 and 2), opened on first use; in memory when none is given (tests of other concerns). */
    private readonly pairingHandle: PairingHandle = new PairingHandle(":memory:"),
    /** The exec approvals document, opened on first use; in memory when none is given. */
    approvalsStore: ExecApprovalsHandle = new ExecApprovalsHandle(":memory:"),
  ) {
    this.live = { loaded: options.loaded, config: options.config, auth: options.auth };
    this.policy = { ...DEFAULT_POLICY, ...options.policy };
    this.log = options.logger.child("gateway");
    this.bus = new Bus({ maxBufferedBytes: this.policy.maxBufferedBytes, log: options.logger.child("gateway/ws"), observer: metrics });
    this.approvals = new GatewayApprovals({ store: approvalsStore, transport: this.bus, log: options.logger.child("approvals"), home: options.paths.home });
    this.presence = new PresenceStore({
      host: osHostname(), ip: primaryIPv4(), version: VERSION,
      platform: `${process.platform} ${release()}`,
      deviceFamily: deviceFamilyOf(), instanceId: this.instanceId,
    });
    this.refreshHealth();
  }

  /** Device pairing and node surfaces; the database opens the first time a device shows up. */
  get pairing(): PairingStore {
    try {
      return this.pairingHandle.get();
    } catch (err) {
      // Answered like any storage fault: the request fails, the gateway does not.
      this.log.error(`cannot open the pairing store ${this.pairingHandle.path}: ${(err as Error).message}`);
      throw new GatewayError(ErrorCodes.UNAVAILABLE, `device pairing store unavailable: ${(err as Error).message}`, { retryable: true });
    }
  }

  /** The active configuration; replaced as a whole by a hot reload, never edited in place. */
  get config(): OpenClawConfig {
    return this.live.config;
  }

  get loaded(): LoadedConfig {
    return this.live.loaded;
  }

  get auth(): AuthConfig {
    return this.live.auth;
  }

  /**
   * Swaps in a fully validated configuration. Clients see it as a health/stateVersion change; the
   * caller decides beforehand that every changed key is safe to apply without a restart.
   */
  applyLive(next: LiveConfig): void {
    const prev = this.live;
    this.live = next;
    this.closeStaleSecretSockets(prev.auth, next.auth);
    this.closeDisallowedOrigins();
    this.broadcastHealth();
  }

  /** A browser whose origin an edit of the allowlist no longer admits is disconnected (1008). */
  private closeDisallowedOrigins(): void {
    const policy = this.originPolicy();
    for (const ws of this.bus.all()) {
      const d = ws.data;
      if (!d.origin) continue;
      if (!checkOrigin({ origin: d.origin, host: d.host, localPeer: d.localPeer }, policy).ok) ws.close(1008, "origin not allowed");
    }
  }

  /**
   * After the shared secret changed (hot token edit, secrets.reload), sockets that authenticated
   * with the old one must reconnect: they are closed with 4001 "gateway auth changed". The close
   * waits one macrotask so a reply already being produced (secrets.reload's own) goes out first;
   * the set is taken now, so clients connecting with the new secret meanwhile are kept.
   */
  private closeStaleSecretSockets(prev: AuthConfig, next: AuthConfig): void {
    if (prev.mode === "none") return;
    const secretOf = (a: AuthConfig) => (a.mode === "token" ? a.token : a.mode === "password" ? a.password : undefined);
    if (prev.mode === next.mode && secretOf(prev) === secretOf(next)) return;
    const stale = [...this.bus.all()].filter((ws) => ws.data.authMethod === prev.mode);
    if (stale.length === 0) return;
    this.log.info(`gateway ${prev.mode} changed; closing ${stale.length} connection(s) that used the previous one (4001)`);
    setTimeout(() => {
      for (const ws of stale) ws.close(4001, "gateway auth changed");
    }, 0);
  }

  private readonly refusalLog = new LogThrottle(10_000);

  /** One warning per 10 s at most, with the count: a flood must not flood the log too. */
  noteAdmissionRefused(ip: string, scope: "address" | "total"): void {
    const refused = this.refusalLog.hit();
    if (refused === undefined) return;
    const limits = this.admissionLimits();
    const budget = scope === "address" ? `${limits.perAddress} per address (${ip})` : `${limits.total} in total`;
    this.log.warn(`refusing WebSocket upgrades (503): unauthenticated budget of ${budget} exhausted; ${refused} refused since last report`);
  }

  /** `GET /metrics`: the counters so far, plus connections, memory and loop lag sampled now. */
  metricsText(): string {
    const ready = new Map<string, number>();
    for (const ws of this.bus.all()) {
      const role = ws.data.role ?? "operator";
      ready.set(role, (ready.get(role) ?? 0) + 1);
    }
    const connections = [
      { role: "none", phase: "pending", count: this.admission.total },
      ...["operator", "node"].map((role) => ({ role, phase: "ready", count: ready.get(role) ?? 0 })),
    ];
    const loop = this.loop.snapshot();
    return this.metrics.render({
      connections,
      eventLoop: { p99Ms: loop.delayP99Ms, maxMs: loop.delayMaxMs },
      uptimeSeconds: Math.round(this.uptimeMs() / 1000),
      version: this.version,
    });
  }

  private readonly pressureLog = new LogThrottle(10_000);

  /** The pending-socket memory valve fired; one warning per 10 s at most. */
  notePendingPressure(cut: number, growthBytes: number): void {
    if (this.pressureLog.hit() === undefined) return;
    const mb = Math.round(growthBytes / 1024 / 1024);
    this.log.warn(`memory grew ${mb} MB while unauthenticated sockets were open; cut ${cut} that had not sent connect after 1 s`);
  }

  rateLimits(): RateLimitSettings {
    return rateLimitSettings(this.config);
  }

  admissionLimits(): AdmissionLimits {
    return admissionLimits(this.config);
  }

  originPolicy(): OriginPolicy {
    const ui = this.config.gateway?.controlUi;
    return {
      allowedOrigins: ui?.allowedOrigins ?? [],
      hostHeaderFallback: ui?.dangerouslyAllowHostHeaderOriginFallback === true,
      ownOrigins: ownOriginsFor(this.port, this.hosts),
    };
  }

  get healthRefreshMs(): number {
    return this.options.healthRefreshMs ?? DEFAULT_HEALTH_REFRESH_MS;
  }

  uptimeMs(): number {
    return Date.now() - this.startedAt;
  }

  stateVersion(): StateVersion {
    return { presence: this.presence.version, health: this.healthVersion };
  }

  connectionCounts(): { total: number; operators: number; nodes: number } {
    let nodes = 0;
    for (const ws of this.bus.all()) if (ws.data.role === "node") nodes++;
    return { total: this.bus.size, operators: this.bus.size - nodes, nodes };
  }

  /** The cached snapshot, refreshed when older than a second. */
  health(): { value: Health; json: RawJson } {
    const c = this.healthCache;
    if (c && Date.now() - c.at < HEALTH_MAX_AGE_MS) return c;
    return this.refreshHealth();
  }

  refreshHealth(): { value: Health; json: RawJson } {
    const started = performance.now();
    const value: Health = {
      ok: !this.draining,
      ts: Date.now(),
      durationMs: 0,
      uptimeMs: this.uptimeMs(),
      plugins: { loaded: [], errors: [], unavailable: [] },
      configReload: { hotReloadStatus: this.config.gateway?.reload?.mode === "off" ? "off" : "active" },
      channels: {},
      channelOrder: [],
      channelLabels: {},
      ...this.channels?.active?.healthSnapshot(),
      heartbeatSeconds: 0,
      defaultAgentId: this.agents.defaultAgentId(),
      agents: healthAgents(this.agents),
      sessions: agentSessions(this.agents, undefined, 5),
      connections: this.connectionCounts(),
      eventLoop: this.loop.snapshot(),
    };
    value.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    this.healthVersion++;
    this.healthCache = { at: Date.now(), value, json: new RawJson(JSON.stringify(value)) };
    return this.healthCache;
  }

  queueSystemEvent(record: SystemEventRecord): void {
    this.systemEvents.push(record);
    if (this.systemEvents.length > MAX_QUEUED_SYSTEM_EVENTS) this.systemEvents.shift();
  }

  broadcastPresence(): void {
    // Nodes get no presence: with only nodes connected, nobody needs the list built.
    if (!this.bus.reaches("presence")) return;
    this.bus.broadcast("presence", { presence: this.presence.list() }, this.stateVersion());
  }

  broadcastHealth(): void {
    const { json } = this.refreshHealth();
    this.bus.broadcast("health", json, this.stateVersion());
  }

  close(): void {
    this.burstGc.stop();
    this.invocations.close();
    this.approvals.close();
    this.loop.stop();
  }
}


import type { LoadedConfig } from "../config/load.ts";
import type { ResolvedPaths } from "../config/paths.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import type { Logger } from "../logging/logger.ts";
import type { Policy } from "../protocol/index.ts";
import type { AuthConfig } from "./auth.ts";
import type { AgentService } from "../agents/types.ts";
import type { SessionStore } from "../agents/sessions.ts";
import type { PairingHandle } from "../nodes/pairing-store.ts";
import type { ChannelAdapter, ChannelId } from "../channels/types.ts";
import type { ConfigFileHooks } from "./config-write.ts";

/** Everything a gateway is built from: an explicit snapshot, so tests can run many in one process. */
export interface GatewayOptions {
  config: OpenClawConfig;
  loaded: LoadedConfig;
  paths: ResolvedPaths;
  /** 0 picks a free port. */
  port: number;
  bind: string;
  bindHosts: string[];
  auth: AuthConfig;
  logger: Logger;
  policy?: Partial<Policy>;
  /** Close a socket that has not completed connect within this time (OPENCLAW_HANDSHAKE_TIMEOUT_MS). */
  handshakeTimeoutMs?: number;
  /** How often the health snapshot is refreshed and pushed as a `health` event. */
  healthRefreshMs?: number;
  /** `--raw-stream`: receives every raw model stream event of every agent turn. */
  onRawModelEvent?: (e: { runId: string; provider: string; model: string; event: unknown }) => void;
  /**
   * An open session store owned by the caller, which also closes it: `gateway run` keeps one across
   * in-process restarts. Absent, the gateway opens <state>/state/sessions.sqlite and closes it on stop.
   */
  sessionStore?: SessionStore;
  /** The device pairing store (opened on first use), owned like sessionStore; absent, one for <state>/state/pairing.sqlite. */
  pairingStore?: PairingHandle;
  /** The agent service; by default built from the config with its store under the state dir. */
  agents?: AgentService;
  /** Where channel adapters come from (tests give scripted ones); by default the compiled-in Telegram and WhatsApp. */
  channelAdapters?: (id: ChannelId) => Promise<ChannelAdapter>;
  /** Longest time `stop()` waits for sockets to close before it stops the listeners anyway. */
  drainTimeoutMs?: number;
  /**
   * `secrets.reload`: re-resolves the running config's SecretRefs and swaps the snapshot (provided
   * by bootGateway; absent, the method answers UNAVAILABLE). Throws when gateway auth cannot resolve.
   */
  reloadSecrets?: () => Promise<{ warningCount: number }>;
  /**
   * config.get/patch/apply: the env `${VAR}` substitution reads and the reload plan of a candidate
   * file (provided by bootGateway; absent, the process env and the key table alone).
   */
  configFile?: ConfigFileHooks;
  /** OPENCLAW_SKIP_CANVAS_HOST: no canvas routes, and no canvas URL in hello-ok, whatever the config says. */
  skipCanvasHost?: boolean;
  /**
   * `--tailscale` (mode; else gateway.tailscale.mode) and what the `tailscale` CLI runs with (env:
   * PATH and friends; the waits are shortened by tests).
   */
  tailscale?: { mode?: "off" | "serve" | "funnel"; env?: Record<string, string | undefined>; statusWaitMs?: number; readyTimeoutMs?: number };
  /** How WebSocket traffic is logged (`--ws-log`); default "auto". */
  wsLog?: "auto" | "full" | "compact";
}

export const DEFAULT_POLICY: Policy = {
  maxPayload: 26_214_400,
  maxBufferedBytes: 52_428_800,
  tickIntervalMs: 30_000,
};
/** Before connect a client is unauthenticated: it may send at most this much in one frame. */
export const MAX_PREAUTH_PAYLOAD_BYTES = 65_536;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 15_000;
export const DEFAULT_HEALTH_REFRESH_MS = 60_000;

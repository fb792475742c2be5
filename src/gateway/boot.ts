import { ConfigError, configErrorLine, formatConfigError, oneLine } from "../config/load.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { ResolvedPaths } from "../config/paths.ts";
import { checkStartupGuards, StartupGuardError } from "../config/guards.ts";
import type { GatewayFlags, GatewaySettings } from "../config/settings.ts";
import { resolveBindHosts, SettingsError } from "../config/settings.ts";
import { createLogger } from "../logging/logger.ts";
import { collectSecrets } from "../config/redact.ts";
import type { Logger } from "../logging/logger.ts";
import type { LogLevel } from "../logging/levels.ts";
import type { Gateway } from "./server.ts";
import type { GatewayOptions } from "./options.ts";
import { activateConfig, type Activation } from "./activate.ts";
import { previewConfigChange } from "./reload/preview.ts";
import { describeSecretFailures, SecretsUnavailableError } from "../config/secrets.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { GatewayStartError, pairingStorePath, sessionStorePath, startGateway } from "./server.ts";
import { PairingHandle } from "../nodes/pairing-store.ts";
import { SessionStore } from "../agents/sessions.ts";
import { VERSION } from "../version.ts";
import { forceFreePort, ForcePortError } from "./force.ts";
import { acquireGatewayLock, GatewayLockError, GatewayLockIOError, multiGatewayAllowed, type GatewayLock } from "./lock.ts";
import type { WsLogMode } from "./ws/ws-log.ts";
import { createRawStreamWriter, type RawModelEvent } from "../logging/raw-stream.ts";
import { createRedactor } from "../logging/redact.ts";
import { canvasSkippedByEnv } from "../http/canvas/surface.ts";

type Env = Record<string, string | undefined>;

export interface BootInput {
  env: Env;
  paths: ResolvedPaths;
  flags: GatewayFlags;
  allowUnconfigured: boolean;
  /** `--force`: stop whatever listens on the port before binding it. */
  force?: boolean;
  verbose?: boolean;
  /** `--ws-log`: how WebSocket traffic is logged (default auto). */
  wsLog?: WsLogMode;
  /** `--raw-stream`: where raw model stream events are appended (undefined: off). */
  rawStreamPath?: string;
  logLevel?: LogLevel;
  /** Writers for the lines a person needs (URL, token); injectable for tests. */
  stdout?: { write(s: string): unknown };
  stderr?: { write(s: string): unknown };
}

export interface Booted {
  gateway: Gateway;
  /** What the gateway runs on; a hot reload or secrets reload produces the next one. */
  activation: Activation;
  settings: GatewaySettings;
  loaded: LoadedConfig;
  logger: Logger;
  /** The state-dir lock (absent with OPENCLAW_ALLOW_MULTI_GATEWAY=1); the same handle across in-process restarts. */
  lock?: GatewayLock;
  /** The session store, opened once under the lock and kept across in-process restarts. */
  store: SessionStore;
  /** The device pairing store (opened on first use), kept the same way. */
  pairing: PairingHandle;
  /**
   * Makes a new activation current without a restart (hot reload, secrets reload): its secrets join
   * the logger's mask list first, then the gateway swaps its snapshot, then log levels follow and
   * unresolved references are warned about.
   */
  applyActivation(next: Activation, opts: { rebuildAgents: boolean }): void;
}

/** A start-up failure: the text for stderr and the exit code the supervisor sees (78 = config). */
export class BootError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

function toBootError(err: unknown): BootError {
  if (err instanceof ConfigError) return new BootError(`Gateway failed to start: ${formatConfigError(err)}`, 78);
  if (err instanceof SettingsError || err instanceof StartupGuardError || err instanceof ForcePortError) return new BootError(err.message, err.exitCode);
  if (err instanceof GatewayStartError) return new BootError(`Gateway failed to start: ${err.message}`, err.exitCode);
  if (err instanceof GatewayLockError || err instanceof GatewayLockIOError) return new BootError(`Gateway failed to start: ${err.message}`, err.exitCode);
  if (err instanceof SecretsUnavailableError) return new BootError(`Gateway failed to start: ${err.message}`, err.exitCode);
  // A domain error that carries its own exit code (StorageError: "cannot open session store <file>: …", 74)
  // is a known refusal: its message, not a stack trace.
  const exitCode = (err as { exitCode?: unknown } | null)?.exitCode;
  if (err instanceof Error && typeof exitCode === "number" && exitCode > 0) return new BootError(`Gateway failed to start: ${err.message}`, exitCode);
  return new BootError(`Gateway failed to start: ${(err as Error)?.stack ?? String(err)}`, 1);
}

function handshakeTimeout(env: Env): number | undefined {
  const n = Number(env.OPENCLAW_HANDSHAKE_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Everything a boot decides before it touches anything: what a restart checks before it stops the old gateway. */
export interface BootPlan {
  activation: Activation;
  hosts: string[];
  /** A line about the bind mode (e.g. tailnet fell back to loopback), logged at start. */
  note?: string;
  /** Risky-but-allowed setups, logged at start. */
  warnings: string[];
}

/**
 * Config → settings → secrets → bind plan → guards, with no side effect at all: start-up, and a
 * restart before it stops the running gateway, so a refusal never costs a working one.
 * Throws what the failing step threw (ConfigError, SettingsError, StartupGuardError, …).
 */
export async function planBoot(input: BootInput): Promise<BootPlan> {
  const activation = await activateConfig(input);
  return { activation, ...bindPlan(activation, input.allowUnconfigured) };
}

/** Where an activation would listen, and the start-up guards on it (throws StartupGuardError). */
export function bindPlan(activation: Activation, allowUnconfigured: boolean): Omit<BootPlan, "activation"> {
  const { loaded, settings } = activation;
  const { hosts, note } = resolveBindHosts(settings.bind, { customBindHost: settings.customBindHost });
  const warnings = checkStartupGuards({ loaded, settings, bindHosts: hosts, allowUnconfigured });
  return { hosts, note, warnings };
}

/** The one-line reason a plan was refused: file, key path and problem, for a restart that is skipped. */
export function describePlanFailure(err: unknown, file: string): string {
  if (err instanceof ConfigError) return configErrorLine(err);
  if (err instanceof SecretsUnavailableError) return `${file}: required secrets are unavailable: ${describeSecretFailures(err.failures)}`;
  if (err instanceof StartupGuardError) return `${file}: ${err.path ? `${err.path}: ` : ""}${oneLine(err.message)}`;
  return `${file}: ${oneLine((err as Error)?.message ?? String(err))}`;
}

export interface BootOptions {
  /** Computed beforehand (a restart plans before it stops the old gateway); read fresh otherwise. */
  plan?: BootPlan;
  /** The stores of the boot being replaced (a restart keeps them open instead of reopening them). */
  sessionStore?: SessionStore;
  pairingStore?: PairingHandle;
  /**
   * When the port is taken, keep trying this long (backoff 100 ms → 2 s) before giving up. A
   * restart uses it: the port it just released may be grabbed in between. 0 (start-up): fail at once.
   */
  bindRetryMs?: number;
}

/**
 * Plan → logger → lock → listeners, in that order, so that every refusal happens before anything
 * is bound or written. Throws BootError.
 */
export async function bootGateway(input: BootInput, opts: BootOptions = {}): Promise<Booted> {
  const { env, paths } = input;
  let logger: Logger | undefined;
  let lock: GatewayLock | undefined;
  let opened: SessionStore | undefined;
  let openedPairing: PairingHandle | undefined;
  try {
    const plan = opts.plan ?? (await planBoot(input));
    const { activation, hosts, note, warnings } = plan;
    const { loaded, settings } = activation;
    // One gateway per state dir. With --force the owner may be the listener about to be killed,
    // so the lock is taken after the port is freed, waiting for the old owner to go.
    const locking = !multiGatewayAllowed(env);
    if (locking && !input.force) lock = acquireGatewayLock(paths.stateDir);
    const held = new HeldSecrets(activation);
    logger = makeLogger(input, loaded, held);
    const log = logger.child("gateway");
    log.info(`starting gateway ${VERSION} (config ${loaded.exists ? loaded.path : "none: --allow-unconfigured"})`);
    for (const w of loaded.warnings) log.warn(`Config (${loaded.path}): ${w.message} at ${w.path}`);
    for (const w of warnings) log.warn(w);
    if (note) log.info(note);
    logSecretWarnings(logger, activation);
    if (input.force && settings.port > 0) await forceFreePort(settings.port, { host: hosts[0], log: (line) => log.info(line) });
    if (locking && !lock) lock = acquireGatewayLock(paths.stateDir, { waitMs: 3000 });
    if (!locking) log.warn("OPENCLAW_ALLOW_MULTI_GATEWAY=1: state-dir lock skipped; another gateway may share this state dir");
    const store = opts.sessionStore ?? (opened = SessionStore.open(sessionStorePath(paths.stateDir)));
    const pairing = opts.pairingStore ?? (openedPairing = new PairingHandle(pairingStorePath(paths.stateDir)));
    const options: GatewayOptions = {
      config: activation.config, loaded, paths, port: settings.port, bind: settings.bind, bindHosts: hosts,
      auth: settings.auth, logger, handshakeTimeoutMs: handshakeTimeout(env), wsLog: input.wsLog, sessionStore: store, pairingStore: pairing,
      skipCanvasHost: canvasSkippedByEnv(env.OPENCLAW_SKIP_CANVAS_HOST),
      tailscale: { mode: settings.tailscale, env },
      ...rawStreamOption(input, loaded, held, log),
      reloadSecrets: () => reloadSecrets(booted, input),
      configFile: { env, preview: (candidate) => previewConfigChange(booted.activation, candidate, input) },
    };
    const gateway = await startWithRetry(options, opts.bindRetryMs ?? 0, log);
    lock?.update({ port: gateway.port });
    const booted: Booted = {
      gateway, settings, loaded, logger, activation, lock, store, pairing,
      applyActivation: (next, o) => applyActivation(booted, held, input, next, o),
    };
    return booted;
  } catch (err) {
    const e = toBootError(err);
    logger?.child("gateway").error(e.message);
    logger?.close();
    opened?.close();
    openedPairing?.close();
    lock?.release();
    throw e;
  }
}

const BIND_RETRY_FIRST_MS = 100;
const BIND_RETRY_MAX_STEP_MS = 2000;

/** Binds, retrying a taken port with backoff for up to `budgetMs`; then the last error is thrown. */
async function startWithRetry(options: GatewayOptions, budgetMs: number, log: Logger): Promise<Gateway> {
  const deadline = Date.now() + budgetMs;
  let delay = BIND_RETRY_FIRST_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startGateway(options);
    } catch (err) {
      const taken = err instanceof GatewayStartError && err.addressInUse;
      if (!taken || Date.now() + delay > deadline) {
        if (taken && budgetMs > 0) {
          throw new GatewayStartError(`port ${options.port} is still taken by another process after ${attempt} attempt(s) over ${Math.round(budgetMs / 1000)}s; exiting so the supervisor can start the gateway again.\n${err.message}`);
        }
        throw err;
      }
      log.warn(`port ${options.port} is taken (EADDRINUSE); retrying in ${delay}ms (attempt ${attempt})`);
      await Bun.sleep(delay);
      delay = Math.min(delay * 2, BIND_RETRY_MAX_STEP_MS);
    }
  }
}

/**
 * `--raw-stream`: a writer masked like the log, handed to the agent runtime as `onRawModelEvent`
 * (GatewayOptions → AgentRuntimeOptions.onRawEvent).
 */
function rawStreamOption(
  input: BootInput, loaded: LoadedConfig, held: HeldSecrets, log: Logger,
): { onRawModelEvent?: (e: RawModelEvent) => void } {
  if (!input.rawStreamPath) return {};
  const writer = createRawStreamWriter({
    path: input.rawStreamPath,
    redactor: createRedactor({ patterns: loaded.config.logging?.redactPatterns, secrets: held.list }),
    onError: (err) => log.warn(`raw stream disabled (${input.rawStreamPath}): ${(err as Error)?.message ?? String(err)}`),
  });
  log.info(`raw stream: appending model stream events to ${writer.path}`);
  return { onRawModelEvent: (e) => writer.write(e) };
}

/**
 * Every secret an activation holds: the gateway's own credentials and every secret-bearing value
 * of the resolved config (what SecretRefs resolved to, API keys), never the references themselves.
 */
function secretsOf(a: Pick<Activation, "config" | "settings">): string[] {
  const own = [a.settings.auth.token, a.settings.auth.password].filter((s): s is string => !!s);
  return [...own, ...collectSecrets(a.config)];
}

/**
 * The secrets masked in logs: those of every activation of this boot, so a rotated-out value
 * stays masked too. The list is rebuilt only when an activation is added; the logger asks per line.
 */
class HeldSecrets {
  private all = new Set<string>();
  private cached: string[] = [];
  constructor(first: Activation) {
    this.add(first);
  }
  add(a: Activation): void {
    for (const s of secretsOf(a)) this.all.add(s);
    this.cached = [...this.all];
  }
  readonly list = (): string[] => this.cached;
}

/** File and console levels: --log-level beats the config, --verbose forces console debug. */
function logLevels(input: BootInput, config: OpenClawConfig): { fileLevel: LogLevel; consoleLevel: LogLevel } {
  const logging = config.logging ?? {};
  return {
    fileLevel: input.logLevel ?? logging.level ?? "info",
    consoleLevel: input.verbose ? "debug" : input.logLevel ?? logging.consoleLevel ?? "info",
  };
}

function logSecretWarnings(logger: Logger, a: Activation): void {
  const log = logger.child("secrets");
  for (const w of a.secretWarnings) {
    const provider = /^models\.providers\.([^.]+)\.apiKey$/.exec(w.path)?.[1];
    const effect = provider ? `model provider "${provider}" is unavailable` : "this key is unset";
    log.warn(`secret reference at ${w.path} not resolved (${w.reason}); ${effect}. Retry: openclaw secrets reload`);
  }
  if (a.secretsSkipped.length > 0) log.debug(`not resolved (unused by the gateway): ${a.secretsSkipped.join(", ")}`);
}

function applyActivation(b: Booted, held: HeldSecrets, input: BootInput, next: Activation, opts: { rebuildAgents: boolean }): void {
  held.add(next);
  b.gateway.applyConfig(next.live, { rebuildAgents: opts.rebuildAgents });
  b.logger.setLevels(logLevels(input, next.config));
  b.activation = next;
  b.settings = next.settings;
  b.loaded = next.loaded;
  logSecretWarnings(b.logger, next);
}

/**
 * `secrets.reload`: resolves the running config's references again (re-reading env, files and
 * commands) and swaps the snapshot. A failure on gateway auth throws and keeps the previous one.
 */
async function reloadSecrets(b: Booted, input: BootInput): Promise<{ warningCount: number }> {
  const log = b.logger.child("secrets");
  const prev = b.activation;
  let next: Activation;
  try {
    next = await activateConfig(input, { loaded: prev.loaded, previous: prev });
    if (next.settings.auth.mode !== prev.settings.auth.mode) {
      throw new Error(`gateway auth mode would change (${prev.settings.auth.mode} → ${next.settings.auth.mode}); restart the gateway instead`);
    }
  } catch (err) {
    const why = err instanceof SecretsUnavailableError ? `required secrets are unavailable: ${describeSecretFailures(err.failures)}` : (err as Error)?.message ?? String(err);
    log.warn(`secrets reload failed; keeping the previous secrets: ${why}`);
    throw err;
  }
  b.applyActivation(next, { rebuildAgents: true });
  log.info(`secrets reloaded (${next.secretWarnings.length} warning(s))`);
  return { warningCount: next.secretWarnings.length };
}

function makeLogger(input: BootInput, loaded: LoadedConfig, held: HeldSecrets): Logger {
  const logging = loaded.config.logging ?? {};
  const file = logging.file ?? null;
  return createLogger({
    file,
    dated: file ? undefined : { profile: input.paths.profile, dir: input.env.OPENCLAW_LOG_DIR || undefined },
    ...logLevels(input, loaded.config),
    consoleStyle: logging.consoleStyle,
    maxFileBytes: logging.maxFileBytes,
    maxFiles: logging.maxFiles,
    redactPatterns: logging.redactPatterns,
    secrets: held.list,
    stdout: input.stdout,
    stderr: input.stderr,
  });
}

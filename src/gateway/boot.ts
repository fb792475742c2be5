import { ConfigError, formatConfigError } from "../config/load.ts";
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
import { activateConfig, type Activation } from "./activate.ts";
import { describeSecretFailures, SecretsUnavailableError } from "../config/secrets.ts";
import type { OpenClawConfig } from "../config/schema.ts";
import { GatewayStartError, startGateway } from "./server.ts";
import { VERSION } from "../version.ts";
import { forceFreePort, ForcePortError } from "./force.ts";
import { acquireGatewayLock, GatewayLockError, GatewayLockIOError, multiGatewayAllowed, type GatewayLock } from "./lock.ts";
import type { WsLogMode } from "./ws/ws-log.ts";
import { createRawStreamWriter, type RawModelEvent } from "../logging/raw-stream.ts";
import { createRedactor } from "../logging/redact.ts";

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
  return new BootError(`Gateway failed to start: ${(err as Error)?.stack ?? String(err)}`, 1);
}

function handshakeTimeout(env: Env): number | undefined {
  const n = Number(env.OPENCLAW_HANDSHAKE_TIMEOUT_MS);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * Config → settings → guards → logger → listeners, in that order, so that every refusal
 * happens before anything is bound or written. Throws BootError.
 */
export async function bootGateway(input: BootInput): Promise<Booted> {
  const { env, paths } = input;
  let logger: Logger | undefined;
  let lock: GatewayLock | undefined;
  try {
    const activation = await activateConfig(input);
    const { loaded, settings } = activation;
    const { hosts, note } = resolveBindHosts(settings.bind, { customBindHost: settings.customBindHost });
    const warnings = checkStartupGuards({ loaded, settings, bindHosts: hosts, allowUnconfigured: input.allowUnconfigured });
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
    const gateway = await startGateway({
      config: activation.config, loaded, paths, port: settings.port, bind: settings.bind, bindHosts: hosts,
      auth: settings.auth, logger, handshakeTimeoutMs: handshakeTimeout(env), wsLog: input.wsLog,
      ...rawStreamOption(input, loaded, held, log),
      reloadSecrets: () => reloadSecrets(booted, input),
    });
    lock?.update({ port: gateway.port });
    const booted: Booted = {
      gateway, settings, loaded, logger, activation, lock,
      applyActivation: (next, opts) => applyActivation(booted, held, input, next, opts),
    };
    return booted;
  } catch (err) {
    const e = toBootError(err);
    logger?.child("gateway").error(e.message);
    logger?.close();
    lock?.release();
    throw e;
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

/** What a running gateway may ask of the loop that owns it. */
export interface ServeControls {
  /** Stops the gateway and boots it again in this process (same PID), re-reading the config. */
  restart(reason: string): void;
}

export interface ServeOptions {
  out?: { write(s: string): unknown };
  /** Called after every (re)boot, e.g. to start the config watcher of that boot. Returns a disposer. */
  onBooted?: (booted: Booted, controls: ServeControls) => (() => void) | void;
}

/** How long clients are told to wait before reconnecting after an in-process restart. */
const RESTART_EXPECTED_MS = 1000;
const RESTART_SIGNALS = ["SIGUSR1", "SIGUSR2"] as const;

/**
 * Runs the gateway in the foreground until SIGINT/SIGTERM (exit 0, bounded drain). SIGUSR1 and
 * SIGUSR2 restart it in this process when commands.restart allows it; a fatal error exits 1.
 * Resolves with the exit code. Throws BootError only when the first boot fails.
 */
export async function serve(input: BootInput, first?: Booted, opts: ServeOptions = {}): Promise<number> {
  const out = opts.out ?? process.stdout;
  let booted = first ?? (await bootGateway(input));
  let dispose: (() => void) | void;
  let state: "running" | "restarting" | "stopping" = "running";
  let finish!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (finish = resolve));
  const log = () => booted.logger.child("gateway");

  const started = (b: Booted) => {
    booted = b;
    announce(b, out);
    dispose = opts.onBooted?.(b, controls);
  };

  const shutdown = (signal: string) => {
    if (state === "stopping") return log().warn(`received ${signal} during shutdown; ignoring`);
    state = "stopping";
    log().info(`received ${signal}; shutting down`);
    const t0 = performance.now();
    dispose?.();
    // A stuck drain must not keep a supervisor waiting: exit anyway after the budget.
    const budget = setTimeout(() => {
      log().warn("shutdown drain budget exhausted; exiting");
      end(0);
    }, 5000);
    booted.gateway.stop({ reason: "gateway stopping" }).then(() => {
      clearTimeout(budget);
      log().info(`shutdown completed cleanly in ${Math.round(performance.now() - t0)}ms`);
      end(0);
    });
  };

  const controls: ServeControls = {
    restart(reason) {
      if (state !== "running") return log().info(`restart (${reason}) coalesced with the one under way`);
      state = "restarting";
      const t0 = performance.now();
      log().info(`restarting in process (${reason})`);
      dispose?.();
      void (async () => {
        await booted.gateway.stop({ reason: "gateway restarting", restartExpectedMs: RESTART_EXPECTED_MS, drainTimeoutMs: 250 });
        booted.logger.close();
        try {
          const next = await bootGateway(restartInput(input, booted));
          if ((state as string) === "stopping") return next.gateway.stop().then(() => end(0));
          state = "running";
          started(next);
          log().info(`restart completed in ${Math.round(performance.now() - t0)}ms (pid ${process.pid})`);
        } catch (err) {
          // Nothing is listening any more: exit non-zero so a supervisor starts us again.
          process.stderr.write(`${(err as Error).message}\n`);
          end(err instanceof BootError ? err.exitCode : 1);
        }
      })();
    },
  };

  const onRestartSignal = (signal: NodeJS.Signals) => {
    if (booted.loaded.config.commands?.restart === false) {
      log().warn(`${signal} restart ignored (not authorized; commands.restart=false).`);
      return;
    }
    controls.restart(signal);
  };
  const onFatal = (err: unknown) => {
    log().fatal(`fatal error: ${(err as Error)?.stack ?? String(err)}`);
    end(1);
  };
  const end = (code: number) => {
    process.off("SIGINT", shutdown);
    process.off("SIGTERM", shutdown);
    for (const s of RESTART_SIGNALS) process.off(s, onRestartSignal);
    process.off("uncaughtException", onFatal);
    process.off("unhandledRejection", onFatal);
    booted.logger.flush();
    booted.logger.close();
    booted.lock?.release();
    finish(code);
  };
  // Handlers go in before anything announces readiness: a supervisor may signal right after.
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  for (const s of RESTART_SIGNALS) process.on(s, onRestartSignal);
  process.on("uncaughtException", onFatal);
  process.on("unhandledRejection", onFatal);
  started(booted);
  return exited;
}

/**
 * A restart re-reads the config, but keeps what clients already hold: a token generated for this
 * process, and the port a `--port 0` run happened to get.
 */
function restartInput(input: BootInput, prev: Booted): BootInput {
  const flags = { ...input.flags };
  if (prev.settings.auth.source === "generated") flags.token = prev.settings.auth.token;
  if (String(flags.port) === "0") flags.port = prev.gateway.port;
  return { ...input, flags, force: false };
}

/** The lines a person (and the tests) wait for: where the gateway listens, and a generated token. */
function announce(b: Booted, out: { write(s: string): unknown }): void {
  const { gateway, settings, logger } = b;
  const log = logger.child("gateway");
  const hosts = gateway.hosts.map((h) => (h.includes(":") ? `[${h}]:${gateway.port}` : `${h}:${gateway.port}`));
  log.info(`listening on ${gateway.url} (${hosts.join(", ")}; PID ${process.pid})`);
  if (logger.file) log.info(`log file: ${logger.file}`);
  if (settings.auth.source === "generated") out.write(`Gateway token (generated for this run): ${settings.auth.token}\n`);
  out.write(`Gateway ready: ${gateway.url}  (connect with: openclaw gateway call health --url ${gateway.url} --token <token>)\n`);
}

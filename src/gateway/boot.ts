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
import { GatewayStartError, startGateway } from "./server.ts";
import { VERSION } from "../version.ts";
import { forceFreePort, ForcePortError } from "./force.ts";

type Env = Record<string, string | undefined>;

export interface BootInput {
  env: Env;
  paths: ResolvedPaths;
  flags: GatewayFlags;
  allowUnconfigured: boolean;
  /** `--force`: stop whatever listens on the port before binding it. */
  force?: boolean;
  verbose?: boolean;
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
  try {
    const activation = activateConfig(input);
    const { loaded, settings } = activation;
    const { hosts, note } = resolveBindHosts(settings.bind, { customBindHost: settings.customBindHost });
    const warnings = checkStartupGuards({ loaded, settings, bindHosts: hosts, allowUnconfigured: input.allowUnconfigured });
    logger = makeLogger(input, loaded, settings);
    const log = logger.child("gateway");
    log.info(`starting gateway ${VERSION} (config ${loaded.exists ? loaded.path : "none: --allow-unconfigured"})`);
    for (const w of loaded.warnings) log.warn(`Config (${loaded.path}): ${w.message} at ${w.path}`);
    for (const w of warnings) log.warn(w);
    if (note) log.info(note);
    if (input.force && settings.port > 0) await forceFreePort(settings.port, { host: hosts[0], log: (line) => log.info(line) });
    const gateway = await startGateway({
      config: activation.config, loaded, paths, port: settings.port, bind: settings.bind, bindHosts: hosts,
      auth: settings.auth, logger, handshakeTimeoutMs: handshakeTimeout(env),
    });
    return { gateway, settings, loaded, logger, activation };
  } catch (err) {
    const e = toBootError(err);
    logger?.child("gateway").error(e.message);
    logger?.close();
    throw e;
  }
}

/** Every secret the gateway holds: its own credentials and every secret-bearing config value (API keys). */
function secretsOf(loaded: LoadedConfig, settings: GatewaySettings): string[] {
  const own = [settings.auth.token, settings.auth.password].filter((s): s is string => !!s);
  return [...own, ...collectSecrets(loaded.config)];
}

function makeLogger(input: BootInput, loaded: LoadedConfig, settings: GatewaySettings): Logger {
  const logging = loaded.config.logging ?? {};
  const file = logging.file ?? null;
  // Collected once: the logger asks on every line.
  const secrets = secretsOf(loaded, settings);
  const consoleLevel: LogLevel = input.verbose ? "debug" : input.logLevel ?? logging.consoleLevel ?? "info";
  return createLogger({
    file,
    dated: file ? undefined : { profile: input.paths.profile, dir: input.env.OPENCLAW_LOG_DIR || undefined },
    fileLevel: input.logLevel ?? logging.level ?? "info",
    consoleLevel,
    consoleStyle: logging.consoleStyle,
    maxFileBytes: logging.maxFileBytes,
    maxFiles: logging.maxFiles,
    redactPatterns: logging.redactPatterns,
    secrets: () => secrets,
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

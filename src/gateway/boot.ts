import { ConfigError, formatConfigError, loadConfig } from "../config/load.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { ResolvedPaths } from "../config/paths.ts";
import { checkStartupGuards, StartupGuardError } from "../config/guards.ts";
import type { GatewayFlags, GatewaySettings } from "../config/settings.ts";
import { resolveBindHosts, resolveGatewaySettings, SettingsError } from "../config/settings.ts";
import { createLogger } from "../logging/logger.ts";
import { collectSecrets } from "../config/redact.ts";
import type { Logger } from "../logging/logger.ts";
import type { LogLevel } from "../logging/levels.ts";
import type { Gateway } from "./server.ts";
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
    const loaded = loadConfig(paths.configPath, env);
    const settings = resolveGatewaySettings({ flags: input.flags, env, config: loaded.config, paths });
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
      config: loaded.config, loaded, paths, port: settings.port, bind: settings.bind, bindHosts: hosts,
      auth: settings.auth, logger, handshakeTimeoutMs: handshakeTimeout(env),
    });
    return { gateway, settings, loaded, logger };
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

/**
 * Runs a booted gateway in the foreground: prints where it listens (and a generated token, which
 * the redacting logger would mask), then turns SIGINT/SIGTERM into a bounded graceful stop.
 */
export function runForeground(booted: Booted, out: { write(s: string): unknown } = process.stdout): Promise<number> {
  const { gateway, settings, logger } = booted;
  const log = logger.child("gateway");
  // Handlers go in before anything announces readiness: a supervisor may signal right after.
  const exited = handleSignals(gateway, logger);
  const hosts = gateway.hosts.map((h) => (h.includes(":") ? `[${h}]:${gateway.port}` : `${h}:${gateway.port}`));
  log.info(`listening on ${gateway.url} (${hosts.join(", ")}; PID ${process.pid})`);
  if (logger.file) log.info(`log file: ${logger.file}`);
  if (settings.auth.source === "generated") {
    out.write(`Gateway token (generated for this run): ${settings.auth.token}\n`);
  }
  out.write(`Gateway ready: ${gateway.url}  (connect with: openclaw gateway call health --url ${gateway.url} --token <token>)\n`);
  return exited;
}

/** SIGINT/SIGTERM become one bounded graceful stop (exit 0); an uncaught error exits 1. */
function handleSignals(gateway: Gateway, logger: Logger): Promise<number> {
  const log = logger.child("gateway");
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        log.warn(`received ${signal} during shutdown; ignoring`);
        return;
      }
      stopping = true;
      log.info(`received ${signal}; shutting down`);
      const started = performance.now();
      // A stuck drain must not keep a supervisor waiting: exit anyway after the budget.
      const budget = setTimeout(() => {
        log.warn("shutdown drain budget exhausted; exiting");
        finish(0);
      }, 5000);
      gateway.stop({ reason: "gateway stopping" }).then(() => {
        clearTimeout(budget);
        log.info(`shutdown completed cleanly in ${Math.round(performance.now() - started)}ms`);
        finish(0);
      });
    };
    const onFatal = (err: unknown) => {
      log.fatal(`fatal error: ${(err as Error)?.stack ?? String(err)}`);
      finish(1);
    };
    const finish = (code: number) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      logger.flush();
      logger.close();
      resolve(code);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("uncaughtException", onFatal);
    process.on("unhandledRejection", onFatal);
  });
}

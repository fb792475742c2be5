/**
 * Config hot reload: on a file change, the new file goes through the same activation as start-up
 * (load + validate → secrets → settings); an invalid result is logged and the last good config
 * keeps serving (the file is never rewritten). A valid one is diffed against the running config,
 * planned (./plan.ts) and applied hot, by an in-process restart, or not at all.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { ConfigError, configErrorLine, oneLine, validateConfig } from "../../config/load.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import { describeSecretFailures, SecretsUnavailableError } from "../../config/secrets.ts";
import { SettingsError } from "../../config/settings.ts";
import { bindPlan } from "../boot.ts";
import type { Logger } from "../../logging/logger.ts";
import { activateConfig, type Activation, type ActivationInput } from "../activate.ts";
import { DEFAULT_RELOAD_MODE, type ReloadPlan } from "./plan.ts";
import { planActivationChange } from "./preview.ts";
import { MISSING_FILE_HASH, watchConfigFile, type ConfigWatchOptions } from "./watch.ts";

/** What the reloader drives: the current activation of one boot and the ways to replace it. */
export interface ReloadTarget {
  readonly activation: Activation;
  /** Makes `next` current without a restart: snapshot swap, agents rebuilt on request, log levels. */
  apply(next: Activation, opts: { rebuildAgents: boolean }): void;
  restart(reason: string): void;
  readonly logger: Logger;
}

export interface ReloadInput extends ActivationInput {
  allowUnconfigured: boolean;
}

export type ReloadOutcome =
  | { kind: "skipped"; reason: string }
  | { kind: "unchanged" }
  | { kind: "off"; plan: ReloadPlan }
  | { kind: "none" | "hot" | "restart"; plan: ReloadPlan; elapsedMs: number };

function skipReason(err: unknown, file: string): string {
  if (err instanceof ConfigError) return `(invalid config): ${configErrorLine(err)}`;
  if (err instanceof SecretsUnavailableError) return `(required secrets are unavailable): ${describeSecretFailures(err.failures)}`;
  if (err instanceof SettingsError) return `(invalid config): ${file}: ${oneLine((err as Error).message)}`;
  return `: ${oneLine((err as Error)?.message ?? String(err))}`;
}

function get(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** A copy of `base` with each of `paths` taken from `source` (set, or deleted when absent there). */
export function takePaths(base: OpenClawConfig, source: OpenClawConfig, paths: readonly string[]): OpenClawConfig {
  const out = structuredClone(base) as Record<string, unknown>;
  for (const dotted of paths) {
    const path = dotted.split(".");
    const value = get(source, path);
    let parent = out;
    for (const key of path.slice(0, -1)) {
      const next = parent[key];
      if (next === null || typeof next !== "object" || Array.isArray(next)) {
        if (value === undefined) break;
        parent[key] = {};
      }
      parent = parent[key] as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    if (value === undefined) delete parent[last];
    else parent[last] = structuredClone(value);
  }
  return out as OpenClawConfig;
}

const list = (paths: readonly string[]) => paths.join(", ");

/**
 * Evaluates the config file once against the running activation and acts on it. `firstEventAt`
 * (performance.now()) is when the file event arrived; the applied line reports the time since.
 */
export async function evaluateConfigChange(target: ReloadTarget, input: ReloadInput, firstEventAt = performance.now()): Promise<ReloadOutcome> {
  const log = target.logger.child("reload");
  const prev = target.activation;
  const file = prev.loaded.path;
  let next: Activation;
  try {
    next = await activateConfig(input, { previous: prev });
  } catch (err) {
    const reason = skipReason(err, file);
    log.warn(`config reload skipped ${reason}`);
    return { kind: "skipped", reason };
  }
  if (!next.loaded.exists) {
    const reason = `(config file missing): ${file}`;
    log.warn(`config reload skipped ${reason}`);
    return { kind: "skipped", reason };
  }
  const { paths, mode, plan } = planActivationChange(prev, next);
  if (paths.length === 0) {
    // Comments or formatting only: keep the snapshot's text and hash current, nothing else changes.
    log.debug(`config file rewritten without effective changes: ${file}`);
    if (mode !== "off") target.apply(next, { rebuildAgents: false });
    return { kind: "unchanged" };
  }
  log.info(`config change detected; evaluating reload (${list(paths)})`);
  const elapsed = () => Math.round(performance.now() - firstEventAt);

  if (mode === "off" && plan.ignored.length > 0) {
    log.warn(`config change not applied (reload.mode=off); restart the gateway to apply (${list(plan.ignored)})`);
  }

  if (plan.action === "restart") {
    try {
      bindPlan(next, input.allowUnconfigured);
    } catch (err) {
      const reason = `(gateway would refuse to start): ${oneLine((err as Error).message)}`;
      log.warn(`config reload skipped ${reason}`);
      return { kind: "skipped", reason };
    }
    const why = mode === "restart" ? [...plan.restart, ...plan.hot].sort() : plan.restart;
    log.warn(`config change requires gateway restart (${list(why)}) — restarting`);
    target.restart(`config reload: ${list(why)}`);
    return { kind: "restart", plan, elapsedMs: elapsed() };
  }

  if (mode === "off" && plan.none.length === 0) return { kind: "off", plan };
  let effective = next;
  if (plan.ignored.length > 0) {
    if (mode !== "off") log.warn(`config change requires gateway restart (${list(plan.ignored)}) — ignored (reload.mode=${mode})`);
    // Only what this mode applies runs (off: just the "none" paths, e.g. reload.mode itself): the
    // running config with those paths taken from the file.
    try {
      const taken = mode === "off" ? plan.none : [...plan.hot, ...plan.none];
      const source = validateConfig(takePaths(prev.loaded.config, next.loaded.config, taken), file);
      effective = await activateConfig(input, { loaded: { ...next.loaded, config: source }, previous: prev });
    } catch (err) {
      const reason = skipReason(err, file);
      log.warn(`config reload skipped ${reason}`);
      return { kind: "skipped", reason };
    }
  }
  const rebuildAgents = plan.action === "hot" && plan.hot.some((p) => /^(agents|models|tools)(\.|$)/.test(p));
  target.apply(effective, { rebuildAgents });
  if (mode === "off") return { kind: "off", plan };
  if (plan.action === "hot") {
    const ms = elapsed();
    log.info(`config hot reload applied (${list(plan.hot)}) in ${ms}ms`);
    return { kind: "hot", plan, elapsedMs: ms };
  }
  log.info(`config change needs no reload action (${list(plan.none)})`);
  return { kind: "none", plan, elapsedMs: elapsed() };
}

export interface ReloaderOptions extends Partial<Pick<ConfigWatchOptions, "debounceMs" | "maxWaitMs">> {
  /** Called after every evaluation (tests). */
  onOutcome?: (outcome: ReloadOutcome) => void;
}

/**
 * Watches the active config file and evaluates every content change, one at a time (a change
 * that arrives during an evaluation is evaluated right after it). Returns the disposer.
 */
export function startConfigReloader(target: ReloadTarget, input: ReloadInput, opts: ReloaderOptions = {}): () => void {
  const log = target.logger.child("reload");
  const path = target.activation.loaded.path;
  let running = false;
  let pending: number | undefined;
  let stopped = false;

  const run = async (firstEventAt: number) => {
    if (running) {
      pending ??= firstEventAt;
      return;
    }
    running = true;
    try {
      const outcome = await evaluateConfigChange(target, input, firstEventAt);
      // A restart disposes this watcher once it really goes ahead; one that is refused keeps it.
      opts.onOutcome?.(outcome);
    } catch (err) {
      log.error(`config reload failed: ${(err as Error)?.stack ?? String(err)}`);
    } finally {
      running = false;
    }
    if (pending !== undefined && !stopped) {
      const t = pending;
      pending = undefined;
      void run(t);
    }
  };

  if (!existsSync(dirname(path))) {
    // --allow-unconfigured without a config directory: nothing to watch until a restart.
    log.debug(`not watching ${path}: its directory does not exist`);
    return () => {};
  }
  const loaded = target.activation.loaded;
  const watcher = watchConfigFile(path, (change) => !stopped && void run(change.firstEventAt), {
    initialHash: loaded.exists ? loaded.hash : MISSING_FILE_HASH,
    debounceMs: opts.debounceMs,
    maxWaitMs: opts.maxWaitMs,
    onError: (err) => log.warn(`config watch error (${path}): ${err.message}`),
  });
  // An edit made between reading the config and starting to watch would otherwise go unnoticed.
  watcher.check();
  log.debug(`watching ${path} (reload.mode=${target.activation.loaded.config.gateway?.reload?.mode ?? DEFAULT_RELOAD_MODE})`);
  return () => {
    stopped = true;
    watcher.close();
  };
}

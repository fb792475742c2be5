/**
 * The foreground loop of `gateway run`: signals, in-process restarts, fatal errors. A restart plans
 * the next boot completely before it touches the running gateway, so a bad edit or a port that is
 * taken costs nothing: the old gateway keeps serving and says why in one log line.
 */
import { BootError, bootGateway, describePlanFailure, planBoot, type BootInput, type BootPlan, type Booted } from "./boot.ts";

/** What a running gateway may ask of the loop that owns it. */
export interface ServeControls {
  /** Stops the gateway and boots it again in this process (same PID), re-reading the config. */
  restart(reason: string): void;
}

export interface ServeOptions {
  out?: { write(s: string): unknown };
  /** Called after every (re)boot, e.g. to start the config watcher of that boot. Returns a disposer. */
  onBooted?: (booted: Booted, controls: ServeControls) => (() => void) | void;
  /** How long a restart keeps trying a port taken in between before it exits non-zero (default 30 s). */
  rebindBudgetMs?: number;
  /** Runs after the old listeners closed and before the new ones bind (tests take the port here). */
  beforeRebind?: () => void | Promise<void>;
  /** Called when a restart was refused and the running gateway kept (tests). */
  onRestartSkipped?: (reason: string) => void;
}

/** How long clients are told to wait before reconnecting after an in-process restart. */
const RESTART_EXPECTED_MS = 1000;
const RESTART_SIGNALS = ["SIGUSR1", "SIGUSR2"] as const;
const DEFAULT_REBIND_BUDGET_MS = 30_000;

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

  /** The next boot, fully checked against the running one; undefined (and logged) when refused. */
  const planRestart = async (reason: string): Promise<BootPlan | undefined> => {
    const next = restartInput(input, booted);
    try {
      const plan = await planBoot(next);
      const port = plan.activation.settings.port;
      if (port !== 0 && port !== booted.gateway.port) await ensurePortFree(plan.hosts[0] ?? "127.0.0.1", port);
      return plan;
    } catch (err) {
      const why = describePlanFailure(err, booted.loaded.path);
      log().error(`restart (${reason}) skipped; the gateway keeps running with the last good config: ${why}`);
      opts.onRestartSkipped?.(why);
      return undefined;
    }
  };

  const controls: ServeControls = {
    restart(reason) {
      if (state !== "running") return log().info(`restart (${reason}) coalesced with the one under way`);
      state = "restarting";
      const t0 = performance.now();
      void (async () => {
        const plan = await planRestart(reason);
        if ((state as string) === "stopping") return;
        if (!plan) {
          state = "running";
          return;
        }
        log().info(`restarting in process (${reason})`);
        dispose?.();
        await booted.gateway.stop({ reason: "gateway restarting", restartExpectedMs: RESTART_EXPECTED_MS, drainTimeoutMs: 250 });
        booted.logger.close();
        try {
          await opts.beforeRebind?.();
          const bindRetryMs = opts.rebindBudgetMs ?? DEFAULT_REBIND_BUDGET_MS;
          const next = await bootGateway(restartInput(input, booted), { plan, bindRetryMs, sessionStore: booted.store, pairingStore: booted.pairing });
          if ((state as string) === "stopping") return next.gateway.stop().then(() => end(0));
          state = "running";
          started(next);
          log().info(`restart completed in ${Math.round(performance.now() - t0)}ms (pid ${process.pid})`);
        } catch (err) {
          // Nothing is listening any more: exit non-zero so a supervisor starts us again.
          (input.stderr ?? process.stderr).write(`${(err as Error).message}\n`);
          end(err instanceof BootError && err.exitCode !== 0 ? err.exitCode : 1);
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
    booted.store.close();
    booted.pairing.close();
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

/** A restart to a new port checks that port first: once the old listener is closed it is too late. */
async function ensurePortFree(host: string, port: number): Promise<void> {
  try {
    const probe = Bun.listen({ hostname: host, port, socket: { data() {} } });
    probe.stop(true);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`gateway.port: port ${port} on ${host} is not available (${code ?? (err as Error).message})`);
  }
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

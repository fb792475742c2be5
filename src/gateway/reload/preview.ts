/**
 * What a config change would do to the running gateway, decided the one way the reloader decides
 * it: the changed key paths of two activations, the reload mode of the new one, and the plan. A
 * config write asks the same question before it touches the file, so its answer (hot or restart)
 * is the one the watcher will act on.
 */
import type { LoadedConfig } from "../../config/load.ts";
import { activateConfig, type Activation, type ActivationInput } from "../activate.ts";
import { bindPlan } from "../boot.ts";
import { DEFAULT_RELOAD_MODE, diffPaths, planReload, type ReloadMode, type ReloadPlan } from "./plan.ts";

export interface ActivationChange {
  /** Changed key paths, sorted: of the file as written and of what it resolves to. */
  paths: string[];
  mode: ReloadMode;
  plan: ReloadPlan;
}

/**
 * The plan for going from `prev` to `next`. A secret edit is hot only under the same auth mode,
 * and not when the gateway would have to mint a token: a generated token is printed at start-up,
 * so that takes a restart.
 */
export function planActivationChange(prev: Activation, next: Activation): ActivationChange {
  // A rotated secret behind an unchanged reference shows up as the key it feeds.
  const paths = [...new Set([...diffPaths(prev.loaded.config, next.loaded.config), ...diffPaths(prev.config, next.config)])].sort();
  const mode: ReloadMode = next.loaded.config.gateway?.reload?.mode ?? DEFAULT_RELOAD_MODE;
  const minted = next.settings.auth.source === "generated" && prev.settings.auth.source !== "generated";
  const plan = planReload(paths, mode, { authModeUnchanged: prev.settings.auth.mode === next.settings.auth.mode && !minted });
  return { paths, mode, plan };
}

/** A change that will not take effect without a restart: one the gateway restarts for, or one its mode sets aside. */
export function needsRestart(plan: ReloadPlan): boolean {
  return plan.action === "restart" || plan.ignored.length > 0;
}

export interface PreviewInput extends ActivationInput {
  allowUnconfigured: boolean;
}

/**
 * Activates a candidate file against the running activation without applying it: validation,
 * SecretRef resolution and settings, then the plan; a change that restarts must also pass the
 * start-up guards, since a restart that would be refused leaves a file the gateway cannot start
 * with. Throws what activation or the guards throw.
 */
export async function previewConfigChange(prev: Activation, loaded: LoadedConfig, input: PreviewInput): Promise<ActivationChange> {
  const next = await activateConfig(input, { loaded, previous: prev });
  const change = planActivationChange(prev, next);
  if (needsRestart(change.plan)) bindPlan(next, input.allowUnconfigured);
  return change;
}

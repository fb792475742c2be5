export { classifyPath, diffPaths, planReload, RELOAD_TABLE, type ReloadMode, type ReloadPlan } from "./plan.ts";
export { evaluateConfigChange, startConfigReloader, takePaths, type ReloadTarget, type ReloadInput, type ReloadOutcome, type ReloaderOptions } from "./reloader.ts";
export { watchConfigFile } from "./watch.ts";
export { needsRestart, planActivationChange, previewConfigChange, type ActivationChange, type PreviewInput } from "./preview.ts";

import type { Booted } from "../boot.ts";
import type { ServeControls } from "../serve.ts";
import { startConfigReloader, type ReloadInput, type ReloaderOptions } from "./reloader.ts";

/** `serve`'s onBooted for `gateway run`: watches the config of each boot; the disposer stops it. */
export function configReloader(input: ReloadInput, opts: ReloaderOptions = {}) {
  return (booted: Booted, controls: ServeControls): (() => void) =>
    startConfigReloader(
      {
        get activation() {
          return booted.activation;
        },
        apply: (next, o) => booted.applyActivation(next, o),
        restart: (reason) => controls.restart(reason),
        logger: booted.logger,
      },
      input,
      opts,
    );
}

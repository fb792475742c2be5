/**
 * `plugins.*`: the published gateway's plugin switches. Only the bundled `canvas` plugin is built
 * in here (the canvas host); entries for other plugins, and plugin keys we do not implement, are
 * accepted and ignored so a config written for the published gateway still loads.
 */
import { z } from "zod";

/** Built on first use (z.lazy in the root schema): a config without plugins never constructs it. */
function build() {
  const CanvasHostSchema = z
    .object({
      enabled: z.boolean().optional().describe("Serve canvas documents on the gateway port under /__openclaw__/canvas/ (default true)"),
      root: z
        .string()
        .min(1)
        .optional()
        .describe("Directory served as the canvas (default <state>/canvas/documents; ~ expands to home, a relative path is under the state dir)"),
      liveReload: z.boolean().optional().describe("Reload open canvas pages when a file under the root changes (default true)"),
    })
    .strict()
    .describe("The canvas host: documents for nodes and browsers, served on the gateway port");

  const CanvasEntrySchema = z
    .object({
      enabled: z.boolean().optional().describe("Load the canvas plugin (default true); false turns the canvas host off"),
      config: z
        .object({ host: CanvasHostSchema.optional() })
        .loose()
        .optional()
        .describe("The canvas plugin's settings (keys other than host are accepted and ignored)"),
    })
    .loose()
    .describe("The bundled canvas plugin");

  const OtherEntrySchema = z
    .object({
      enabled: z.boolean().optional().describe("Load this plugin (accepted for compatibility; only canvas is built in)"),
      config: z.record(z.string(), z.unknown()).optional().describe("The plugin's own settings (accepted and ignored)"),
    })
    .loose()
    .describe("Another plugin's entry (accepted and ignored: only canvas is built in)");

  const plugins = z
    .object({
      enabled: z.boolean().optional().describe("Load plugins at all (default true); false also turns the canvas host off"),
      entries: z
        .object({ canvas: CanvasEntrySchema.optional() })
        .catchall(OtherEntrySchema)
        .optional()
        .describe("Per-plugin switches and settings, keyed by plugin id"),
    })
    .loose()
    .describe("Plugins (only the bundled canvas plugin is built in; other plugin keys are accepted and ignored)");

  return { plugins };
}

let built: ReturnType<typeof build> | undefined;
export function pluginsSchemas(): ReturnType<typeof build> {
  return (built ??= build());
}

export type PluginsConfig = z.infer<ReturnType<typeof build>["plugins"]>;

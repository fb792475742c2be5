/**
 * The turn's view of the workspace: resolve the agent's directory from the config snapshot,
 * create and seed it on first use, and hand back the system prompt section. The manager (and its
 * per-directory caches) outlives config reloads; the config is read per build.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import type { WorkspaceProvider } from "./turn.ts";
import type { WorkspaceManager } from "./workspace.ts";

/** One per gateway; the workspace code (and its seed texts) loads with the first turn that uses tools. */
export class WorkspaceManagers {
  private loaded?: Promise<{ manager: WorkspaceManager; mod: typeof import("./workspace.ts") }>;

  load() {
    return (this.loaded ??= import("./workspace.ts").then((mod) => ({ mod, manager: mod.createWorkspaceManager() })));
  }
}

export function workspaceProvider(config: OpenClawConfig, stateDir: string, managers: WorkspaceManagers): WorkspaceProvider {
  return {
    async prepare(agentId) {
      const { mod, manager } = await managers.load();
      const dir = mod.resolveWorkspaceDir(config, agentId, stateDir);
      await manager.ensure(dir, { skipBootstrap: mod.resolveSkipBootstrap(config, agentId) });
      const { text } = await manager.prompt(dir);
      return { dir, prompt: text };
    },
  };
}

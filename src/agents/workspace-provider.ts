/**
 * The turn's view of the workspace: resolve the agent's directory from the config snapshot,
 * create and seed it on first use, and hand back the system prompt section. The manager (and its
 * per-directory caches) outlives config reloads; the config is read per build.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import type { WorkspaceProvider } from "./turn.ts";
import { resolveSkipBootstrap, resolveWorkspaceDir, type WorkspaceManager } from "./workspace.ts";

export function workspaceProvider(config: OpenClawConfig, stateDir: string, manager: WorkspaceManager): WorkspaceProvider {
  return {
    async prepare(agentId) {
      const dir = resolveWorkspaceDir(config, agentId, stateDir);
      await manager.ensure(dir, { skipBootstrap: resolveSkipBootstrap(config, agentId) });
      const { text } = await manager.prompt(dir);
      return { dir, prompt: text };
    },
  };
}

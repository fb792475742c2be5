/**
 * The agent workspace: the directory an agent's file tools and exec work in, seeded with a few
 * Markdown files (AGENTS, SOUL, IDENTITY, USER, BOOTSTRAP) that are injected into its system prompt.
 * Created on an agent's first run, not at gateway start.
 */
import { existsSync } from "node:fs";
import { mkdir, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { OpenClawConfig } from "../config/schema.ts";
import { expandHome, resolveHome } from "../config/paths.ts";
import { resolveAgents } from "./agents-config.ts";
import { buildWorkspacePrompt, type PromptCache, type WorkspacePrompt } from "./workspace-prompt.ts";
import { WORKSPACE_FILES, WORKSPACE_TEMPLATES } from "./workspace-templates.ts";

export { PROMPT_FILE_MAX_CHARS, PROMPT_TOTAL_MAX_CHARS, type InjectedFile, type WorkspacePrompt } from "./workspace-prompt.ts";
export { BOOTSTRAP_FILE, WORKSPACE_FILES, WORKSPACE_TEMPLATES, type WorkspaceFileName } from "./workspace-templates.ts";

const AGENT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/i;
const GIT_INIT_TIMEOUT_MS = 10_000;

/**
 * Where `agentId`'s workspace is. Its own `agents.entries.<id>.workspace` wins. The default agent
 * (also the only one when no roster is configured) then takes `agents.defaults.workspace`, then
 * `OPENCLAW_WORKSPACE_DIR`, then `<stateDir>/workspace`. Any other agent without its own setting gets
 * a directory of its own so two agents never share BOOTSTRAP.md or notes: `<agents.defaults.workspace>/<id>`
 * when that root is configured, else `<stateDir>/workspace-<id>`. `~` is expanded; a relative path
 * is taken relative to the state dir (the gateway's cwd is not meaningful when it runs as a service).
 */
export function resolveWorkspaceDir(config: OpenClawConfig, agentId: string, stateDir: string, env: Record<string, string | undefined> = process.env): string {
  if (!AGENT_ID.test(agentId)) throw new Error(`Invalid agent id for a workspace: ${JSON.stringify(agentId)}`);
  const home = resolveHome(env);
  const norm = (p: string) => resolve(stateDir, expandHome(p.trim(), home));
  const set = (p: string | undefined) => (p !== undefined && p.trim() !== "" ? p : undefined);

  const own = set(config.agents?.entries?.[agentId]?.workspace);
  if (own) return norm(own);
  const root = set(config.agents?.defaults?.workspace);
  const isDefault = resolveAgents(config).get(agentId)?.isDefault ?? false;
  if (!isDefault) return root ? join(norm(root), agentId) : join(resolve(stateDir), `workspace-${agentId}`);
  if (root) return norm(root);
  const fromEnv = set(env.OPENCLAW_WORKSPACE_DIR);
  if (fromEnv) return norm(fromEnv);
  return join(resolve(stateDir), "workspace");
}

/** `agents.entries.<id>.skipBootstrap`, else `agents.defaults.skipBootstrap`, else false. */
export function resolveSkipBootstrap(config: OpenClawConfig, agentId: string): boolean {
  return config.agents?.entries?.[agentId]?.skipBootstrap ?? config.agents?.defaults?.skipBootstrap ?? false;
}

export interface EnsureWorkspaceOptions {
  /** Create the directory but write no files (agents.*.skipBootstrap). */
  skipBootstrap?: boolean;
  /** Run `git init` in a freshly seeded workspace when git is on PATH (default true). */
  git?: boolean;
}

export interface EnsureWorkspaceResult {
  /** The directory did not exist and was made now. */
  created: boolean;
  /** Files written by this call (all five on a brand-new workspace, else none). */
  seeded: string[];
  /** `git init` ran and succeeded in this call. */
  gitInitialized: boolean;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** `git init` without a commit; a failure (no git, odd config) only means no repository. */
async function gitInit(dir: string): Promise<boolean> {
  const git = Bun.which("git");
  if (!git || (await exists(join(dir, ".git")))) return false;
  try {
    // GIT_DIR and friends inherited from a parent git process would point init somewhere else.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GIT_")));
    const proc = Bun.spawn([git, "init", "--quiet"], { cwd: dir, env, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    const timer = setTimeout(() => proc.kill(), GIT_INIT_TIMEOUT_MS);
    try {
      return (await proc.exited) === 0;
    } finally {
      clearTimeout(timer);
    }
  } catch {
    return false;
  }
}

/**
 * Makes `dir` (0700) and, when it holds none of the workspace files, seeds them and runs `git init`.
 * Existing files are never overwritten, even when racing another writer.
 */
export async function ensureWorkspace(dir: string, opts: EnsureWorkspaceOptions = {}): Promise<EnsureWorkspaceResult> {
  const result: EnsureWorkspaceResult = { created: false, seeded: [], gitInitialized: false };
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error(`The workspace path exists but is not a directory: ${dir}`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    result.created = true;
  }
  if (opts.skipBootstrap) return result;
  const present = await Promise.all(WORKSPACE_FILES.map((name) => exists(join(dir, name))));
  // Any one of them means the workspace has been set up (maybe by hand): leave it as it is.
  if (present.some(Boolean)) return result;
  for (const name of WORKSPACE_FILES) {
    try {
      await writeFile(join(dir, name), WORKSPACE_TEMPLATES[name], { flag: "wx", mode: 0o600 });
      result.seeded.push(name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
  if (opts.git !== false && result.seeded.length > 0) result.gitInitialized = await gitInit(dir);
  return result;
}

/** The workspace-files prompt section for `dir`, read fresh (see WorkspaceManager.prompt for the cached one). */
export function workspacePrompt(dir: string): Promise<WorkspacePrompt> {
  return buildWorkspacePrompt(resolve(dir));
}

export interface WorkspaceManager {
  /** ensureWorkspace, done once per directory: later calls cost one stat and report nothing new. */
  ensure(dir: string, opts?: EnsureWorkspaceOptions): Promise<EnsureWorkspaceResult>;
  /** The prompt section; unchanged files are served from memory. */
  prompt(dir: string): Promise<WorkspacePrompt>;
}

/** One per gateway (or per test): owns the "already ensured" set and the prompt file cache. */
export function createWorkspaceManager(defaults: Pick<EnsureWorkspaceOptions, "git"> = {}): WorkspaceManager {
  const ensured = new Map<string, Promise<EnsureWorkspaceResult>>();
  const cache: PromptCache = new Map();
  const nothingNew = (): EnsureWorkspaceResult => ({ created: false, seeded: [], gitInitialized: false });
  return {
    async ensure(dir, opts = {}) {
      const abs = resolve(dir);
      const key = `${abs}\0${opts.skipBootstrap === true}`;
      const prior = ensured.get(key);
      // Concurrent first calls share one run; only that run reports what it created. (A sync check:
      // this runs on every turn, and a thread-pool round trip costs far more than the stat.)
      if (prior && (await prior.then(() => true, () => false)) && existsSync(abs)) return nothingNew();
      const run = ensureWorkspace(abs, { ...defaults, ...opts });
      ensured.set(key, run);
      run.catch(() => {
        if (ensured.get(key) === run) ensured.delete(key);
      });
      return run;
    },
    prompt: (dir) => buildWorkspacePrompt(resolve(dir), cache),
  };
}

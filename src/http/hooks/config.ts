/**
 * `hooks.*` from the live config, resolved once per config snapshot (a reload replaces the
 * snapshot, never edits it, so the object identity is the version).
 */
import { secretEquals } from "../../auth/secret.ts";
import type { OpenClawConfig } from "../../config/schema.ts";
import {
  DEFAULT_HOOKS_PATH,
  normalizeHooksPath,
  normalizeSessionKeyPrefixes,
  type HookMappingConfig,
  type HooksConfig,
} from "../../config/sections/hooks.ts";

export interface ResolvedMapping {
  id: string;
  /** Normalised sub-path to match, or undefined for any. */
  matchPath?: string;
  matchSource?: string;
  config: HookMappingConfig;
}

export interface ResolvedHooks {
  /** The section it was resolved from. */
  source: HooksConfig;
  basePath: string;
  token: string;
  /** undefined: every agent; an empty set denies all. */
  allowedAgentIds?: ReadonlySet<string>;
  defaultSessionKey?: string;
  allowRequestSessionKey: boolean;
  allowedSessionKeyPrefixes?: readonly string[];
  mappings: readonly ResolvedMapping[];
}

/** Leading and trailing slashes removed; undefined when nothing is left. */
export function normalizeSubPath(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim().replace(/^\/+/, "").replace(/\/+$/, "");
  return trimmed || undefined;
}

function resolve(hooks: HooksConfig): ResolvedHooks | undefined {
  const token = hooks.token?.trim();
  const basePath = normalizeHooksPath(hooks.path);
  // The schema refuses both while enabled; a snapshot that slipped past it serves nothing.
  if (!token || basePath === "") return undefined;
  const allowed = hooks.allowedAgentIds?.map((id) => id.trim().toLowerCase()).filter(Boolean);
  return {
    source: hooks,
    basePath,
    token,
    allowedAgentIds: hooks.allowedAgentIds === undefined || allowed?.includes("*") ? undefined : new Set(allowed),
    defaultSessionKey: hooks.defaultSessionKey?.trim() || undefined,
    allowRequestSessionKey: hooks.allowRequestSessionKey === true,
    allowedSessionKeyPrefixes: normalizeSessionKeyPrefixes(hooks.allowedSessionKeyPrefixes),
    mappings: (hooks.mappings ?? []).map((m, i) => ({
      id: m.id?.trim() || `mapping-${i + 1}`,
      matchPath: normalizeSubPath(m.match?.path),
      matchSource: m.match?.source?.trim() || undefined,
      config: m,
    })),
  };
}

const cache = new WeakMap<HooksConfig, ResolvedHooks | null>();

/** The served hooks, or undefined while they are off. */
export function resolveHooks(config: OpenClawConfig): ResolvedHooks | undefined {
  const hooks = config.hooks;
  if (hooks?.enabled !== true) return undefined;
  let resolved = cache.get(hooks);
  if (resolved === undefined) {
    resolved = resolve(hooks) ?? null;
    cache.set(hooks, resolved);
  }
  return resolved ?? undefined;
}

/** Whether the live config still serves hooks as `before` did (a reload may have changed them mid-request). */
export function hooksUnchanged(config: OpenClawConfig, before: ResolvedHooks): boolean {
  const now = resolveHooks(config);
  return now === before || (now !== undefined && JSON.stringify(now.source) === JSON.stringify(before.source));
}

/**
 * The path the router sees: the routes are registered under the default `/hooks`, so a request
 * under a configured `hooks.path` is routed as if it were there. The hook door checks the real
 * path again, so `/hooks/…` itself is not served when another base is configured.
 */
export function routedHookPath(path: string, config: OpenClawConfig): string {
  const base = resolveHooks(config)?.basePath;
  if (base === undefined || base === DEFAULT_HOOKS_PATH) return path;
  if (path === base || path.startsWith(`${base}/`)) return DEFAULT_HOOKS_PATH + path.slice(base.length);
  return path;
}

/**
 * The warning for a hooks.token equal to the gateway's shared secret (hooks then grant what the
 * gateway token grants). The hook routes log it once per config; gateway start-up may log it too
 * (this module loads no HTTP code).
 */
export function hookTokenReuseWarning(hooks: { token?: string } | undefined, auth: { mode: string; token?: string; password?: string }): string | undefined {
  const token = hooks?.token?.trim();
  if (!token) return undefined;
  const secret = auth.mode === "token" ? auth.token : auth.mode === "password" ? auth.password : undefined;
  if (secret === undefined || !secretEquals(token, secret)) return undefined;
  return `hooks.token is the same as the gateway ${auth.mode}; anyone who can send hooks can also operate the gateway. Set a distinct hooks.token.`;
}

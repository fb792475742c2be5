/**
 * What a config edit needs: each changed key path is classified by the longest matching prefix of
 * one table; a path no entry matches needs a restart. The reload mode then turns the classes
 * into one action.
 */
import { isSecretRef } from "../../config/secrets.ts";

export type ReloadClass = "hot" | "restart" | "none";
export type ReloadMode = "off" | "hot" | "restart" | "hybrid";
export const DEFAULT_RELOAD_MODE: ReloadMode = "hybrid";

/** `gateway.auth.token`/`password`: hot while the resolved auth mode stays the same, else restart. */
type TableEntry = ReloadClass | "auth-secret";

/**
 * The one classification table (key-path prefix → class). "none": nothing to do beyond swapping
 * the snapshot; "hot": applied to the running gateway (read per use, agents rebuilt, log levels
 * set); "restart": needs new listeners or a new logger.
 */
export const RELOAD_TABLE: Readonly<Record<string, TableEntry>> = {
  $schema: "none",
  meta: "none",
  "gateway.reload": "none",
  "gateway.remote": "none",
  // A provider edit shows up as the keys it feeds (gateway.auth.token, models.providers.*.apiKey):
  // every activation resolves all references again.
  secrets: "none",

  "gateway.http": "hot",
  "gateway.tools": "hot",
  "gateway.auth.rateLimit": "hot",
  "gateway.controlUi": "hot",
  "gateway.handshake": "hot",
  "gateway.nodes": "hot",
  // Read per request / per upgrade by the proxy attribution and trusted-proxy auth.
  "gateway.trustedProxies": "hot",
  "gateway.allowRealIpFallback": "hot",
  "gateway.auth.trustedProxy": "hot",
  "gateway.auth.allowTailscale": "hot",
  "gateway.auth.token": "auth-secret",
  "gateway.auth.password": "auth-secret",
  "logging.level": "hot",
  "logging.consoleLevel": "hot",
  agents: "hot",
  models: "hot",
  // Tool policy and settings are read per turn from the rebuilt agents' snapshot.
  tools: "hot",
  // The scheduler re-reads cron.* on every config swap (enabled, concurrency).
  cron: "hot",
  commands: "hot",
  // Each account restarts only when its own section changed; policies apply to the next message.
  channels: "hot",
  session: "hot",
  // The hook routes resolve hooks.* from the live config on every request.
  hooks: "hot",
  // The canvas routes and the URL handed out at connect read these per request (the only built-in plugin).
  "plugins.enabled": "hot",
  "plugins.entries.canvas": "hot",
  // The advertiser re-decides on every config swap (stop, re-announce or start); wideArea stays restart.
  "discovery.mdns": "hot",
  "plugins.entries.bonjour": "hot",

  "gateway.mode": "restart",
  "gateway.port": "restart",
  "gateway.bind": "restart",
  "gateway.customBindHost": "restart",
  "gateway.auth.mode": "restart",
  // The Tailscale route is claimed at start-up and released at stop.
  "gateway.tailscale": "restart",
  // The logger's file, rotation, style and redaction are fixed when it is created.
  logging: "restart",
};

export interface ClassifyContext {
  /** Whether the resolved auth mode (token/password/none) is the same before and after. */
  authModeUnchanged?: boolean;
}

/** The longest table prefix that matches the path on a segment boundary, or undefined. */
export function matchPrefix(path: string): string | undefined {
  let best: string | undefined;
  for (const prefix of Object.keys(RELOAD_TABLE)) {
    if ((path === prefix || path.startsWith(prefix + ".")) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best;
}

export function classifyPath(path: string, ctx: ClassifyContext = {}): ReloadClass {
  const prefix = matchPrefix(path);
  const entry = prefix === undefined ? "restart" : RELOAD_TABLE[prefix]!;
  if (entry === "auth-secret") return ctx.authModeUnchanged ? "hot" : "restart";
  return entry;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The key paths whose values differ, as deep as both sides are objects (an added or removed
 * object is listed leaf by leaf); arrays and SecretRefs are compared whole. Sorted.
 */
export function diffPaths(oldConfig: unknown, newConfig: unknown): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string[]) => {
    const container = (v: unknown) => isPlainObject(v) && !isSecretRef(v);
    if ((container(a) || a === undefined) && (container(b) || b === undefined) && (a !== undefined || b !== undefined)) {
      const ao = (a ?? {}) as Record<string, unknown>;
      const bo = (b ?? {}) as Record<string, unknown>;
      for (const key of new Set([...Object.keys(ao), ...Object.keys(bo)])) walk(ao[key], bo[key], [...path, key]);
      if (path.length > 0 && Object.keys(ao).length + Object.keys(bo).length === 0 && (a === undefined) !== (b === undefined)) {
        out.push(path.join("."));
      }
      return;
    }
    if (!deepEqual(a, b)) out.push(path.length ? path.join(".") : "<root>");
  };
  walk(oldConfig, newConfig, []);
  return [...new Set(out)].sort();
}

export interface ReloadPlan {
  /** Changed paths by class. */
  hot: string[];
  restart: string[];
  none: string[];
  /** Changed paths this mode will not apply (restart-needing ones in hot mode; all of them in off mode). */
  ignored: string[];
  action: "none" | "hot" | "restart";
}

/**
 * off: apply nothing (the file is still watched and validated). hot: apply the hot paths, ignore
 * the rest. restart: restart for any change that is not "none". hybrid: hot when every path is
 * hot-safe, restart when any needs it.
 */
export function planReload(paths: readonly string[], mode: ReloadMode = DEFAULT_RELOAD_MODE, ctx: ClassifyContext = {}): ReloadPlan {
  const plan: ReloadPlan = { hot: [], restart: [], none: [], ignored: [], action: "none" };
  for (const p of paths) plan[classifyPath(p, ctx)].push(p);
  switch (mode) {
    case "off":
      plan.ignored = [...plan.hot, ...plan.restart];
      break;
    case "hot":
      plan.ignored = [...plan.restart];
      if (plan.hot.length > 0) plan.action = "hot";
      break;
    case "restart":
      if (plan.hot.length + plan.restart.length > 0) plan.action = "restart";
      break;
    case "hybrid":
      plan.action = plan.restart.length > 0 ? "restart" : plan.hot.length > 0 ? "hot" : "none";
      break;
  }
  return plan;
}

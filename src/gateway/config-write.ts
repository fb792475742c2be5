/**
 * config.patch / config.apply: a client's edit becomes a new config file, checked the way the
 * gateway itself would check it before a byte is written. The write is all this does: the file
 * watcher sees the new file and the reload plan applies it hot or restarts, as it would for an
 * edit made by hand. The reply's `requiresRestart` is that same plan, computed up front.
 *
 * Order of refusals (each leaves the file untouched): read-only → base hash → JSON5 → list
 * entries dropped without replacePaths → redaction markers with nothing to restore → gateway.mode
 * removed → validation (every issue) → secrets/settings/start-up guards → the file changed while
 * this ran.
 */
import { statSync } from "node:fs";
import { readConfigFileState, type ConfigFileState } from "../config/file-state.ts";
import { ROOT_PATH, type ConfigIssue } from "../config/issues.ts";
import { parseJson5 } from "../config/json5.ts";
import { ConfigError, hashConfigText, loadConfigText, oneLine, readConfigText, type LoadedConfig } from "../config/load.ts";
import { unconfirmedArrayRemovals, applyMergePatch } from "../config/merge-patch.ts";
import { collectSecrets, REDACTED, redactConfig, restoreRedacted } from "../config/redact.ts";
import { StartupGuardError } from "../config/guards.ts";
import { SecretsUnavailableError } from "../config/secrets.ts";
import { SettingsError } from "../config/settings.ts";
import { writeFileAtomic } from "../config/write-file.ts";
import { ErrorCodes, GatewayError } from "../protocol/index.ts";
import { VERSION } from "../version.ts";
import { DEFAULT_RELOAD_MODE, diffPaths, planReload } from "./reload/plan.ts";
import { needsRestart, type ActivationChange } from "./reload/preview.ts";
import type { GatewayRuntime } from "./runtime.ts";

type Env = Record<string, string | undefined>;

/** What a gateway started by bootGateway knows about its config that the runtime alone does not. */
export interface ConfigFileHooks {
  /** The environment `${VAR}` substitution reads. */
  env: Env;
  /** What the running gateway would do with this file (the reloader's plan, secrets resolved). Throws when it would refuse it. */
  preview(loaded: LoadedConfig): Promise<ActivationChange>;
}

export type ConfigWriteKind = "patch" | "apply";

export interface ConfigWriteRequest {
  kind: ConfigWriteKind;
  /** JSON5: a merge patch (patch) or the whole document (apply). */
  raw: string;
  baseHash?: string;
  /** Arrays (dotted paths) the patch may shorten. */
  replacePaths?: string[];
  sessionKey?: string;
  note?: string;
}

export interface ConfigWriteResult {
  ok: true;
  path: string;
  hash: string;
  config: unknown;
  changedPaths: string[];
  sentinel: {
    persisted: boolean;
    payload: {
      kind: `config-${ConfigWriteKind}`;
      status: "ok" | "skipped";
      ts: number;
      sessionKey?: string;
      message: string | null;
      stats: { requiresRestart: boolean };
    };
  };
}

export const CONFIG_WRITE_ERRORS = {
  baseHashRequired: "config base hash required; re-run config.get and retry",
  stale: "config changed since last load; re-run config.get and retry",
  readonly: "config writes are disabled on this gateway (OPENCLAW_CONFIG_READONLY)",
} as const;

const invalid = (message: string, details?: unknown) =>
  new GatewayError(ErrorCodes.INVALID_REQUEST, message, details === undefined ? {} : { details });

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

const truthy = (v: string | undefined) => v !== undefined && !["", "0", "false", "no", "off"].includes(v.trim().toLowerCase());

function issuesError(prefix: string, issues: readonly ConfigIssue[]): GatewayError {
  return invalid(`${prefix}: ${issues.map((i) => `${i.path}: ${oneLine(i.message)}`).join("; ")}`, { issues });
}

/**
 * A gateway started without bootGateway (tests of other concerns): the process environment, and
 * the plan from the key table alone (no secret resolution, auth mode as written).
 */
function fallbackHooks(gw: GatewayRuntime): ConfigFileHooks {
  return {
    env: process.env,
    async preview(loaded) {
      const prev = gw.loaded.config;
      const paths = diffPaths(prev, loaded.config);
      const mode = loaded.config.gateway?.reload?.mode ?? DEFAULT_RELOAD_MODE;
      const plan = planReload(paths, mode, { authModeUnchanged: prev.gateway?.auth?.mode === loaded.config.gateway?.auth?.mode });
      return { paths, mode, plan };
    },
  };
}

export function configFileHooks(gw: GatewayRuntime): ConfigFileHooks {
  return gw.options.configFile ?? fallbackHooks(gw);
}

function readCurrent(path: string, env: Env): ConfigFileState {
  try {
    return readConfigFileState(path, env);
  } catch (err) {
    const reason = err instanceof ConfigError ? err.issues.map((i) => i.message).join("; ") : (err as Error).message;
    throw new GatewayError(ErrorCodes.UNAVAILABLE, `cannot read the config file ${path}: ${reason}`);
  }
}

function checkBaseHash(current: ConfigFileState, baseHash: string | undefined): void {
  // Creating the file has nothing to race with; once it exists every write names what it saw.
  if (!current.exists) return;
  if (!baseHash) throw invalid(CONFIG_WRITE_ERRORS.baseHashRequired);
  if (baseHash !== current.hash) throw invalid(CONFIG_WRITE_ERRORS.stale);
}

function parseRaw(req: ConfigWriteRequest): Record<string, unknown> {
  const what = req.kind === "patch" ? "config.patch raw (a JSON5 merge patch)" : "config.apply raw (the whole config, JSON5)";
  const parsed = parseJson5(req.raw);
  if (!parsed.ok) throw invalid(`${what} does not parse: ${parsed.message} at ${parsed.line}:${parsed.column}`);
  if (!isObject(parsed.value)) throw invalid(`${what} must be an object`);
  return parsed.value;
}

/** The document to write, as the client meant it: the patch merged (or the new document), secrets restored. */
function candidateDocument(req: ConfigWriteRequest, current: ConfigFileState, fallbackParsed: unknown): { base: unknown; doc: Record<string, unknown> } {
  const input = parseRaw(req);
  let doc = input;
  let base = current.parsed ?? fallbackParsed;
  if (req.kind === "patch") {
    if (current.parsed === undefined) {
      throw invalid(`the config file ${current.path} does not parse (${current.issues.map((i) => i.message).join("; ")}); fix it by hand or replace it with config.apply`);
    }
    base = current.parsed;
    const removals = unconfirmedArrayRemovals(base, input, req.replacePaths);
    if (removals.length > 0) {
      throw invalid(
        `config.patch would remove entries from ${removals.join(", ")}; send the complete list and name it in replacePaths to confirm`,
        { paths: removals },
      );
    }
    doc = applyMergePatch(base, input) as Record<string, unknown>;
  }
  const secrets = [...collectSecrets(current.parsed), ...collectSecrets(current.loaded?.config)];
  const restored = restoreRedacted(doc, current.parsed ?? {}, secrets);
  if (restored.unresolved.length > 0) {
    throw invalid(
      `${restored.unresolved.join(", ")}: ${JSON.stringify(REDACTED)} is the placeholder config.get shows for a secret, ` +
        "and there is no stored value at that path to keep; send the real value",
      { paths: restored.unresolved },
    );
  }
  doc = restored.value as Record<string, unknown>;
  const before = isObject(base) && isObject(base.gateway) ? base.gateway.mode : undefined;
  const after = isObject(doc.gateway) ? doc.gateway.mode : undefined;
  if (typeof before === "string" && after === undefined) {
    throw invalid("config write rejected: it removes gateway.mode, without which the gateway refuses to start", {
      issues: [{ path: "gateway.mode", message: "required once set" }],
    });
  }
  return { base, doc };
}

/** OpenClaw-owned writes say which version wrote the file, and when. */
function stamp(doc: Record<string, unknown>): Record<string, unknown> {
  const meta = isObject(doc.meta) ? doc.meta : {};
  return { ...doc, meta: { ...meta, lastTouchedVersion: VERSION, lastTouchedAt: new Date().toISOString() } };
}

async function preview(hooks: ConfigFileHooks, loaded: LoadedConfig): Promise<ActivationChange> {
  try {
    return await hooks.preview(loaded);
  } catch (err) {
    if (err instanceof ConfigError) throw issuesError("invalid config", err.issues);
    if (err instanceof SecretsUnavailableError) {
      throw issuesError("config write rejected: required secrets are unavailable", err.failures.map((f) => ({ path: f.path, message: f.reason })));
    }
    if (err instanceof StartupGuardError) {
      throw issuesError("config write rejected: the gateway would refuse to start with it", [{ path: err.path ?? ROOT_PATH, message: err.message }]);
    }
    if (err instanceof SettingsError) throw issuesError("invalid config", [{ path: ROOT_PATH, message: err.message }]);
    throw err;
  }
}

/** Writes the new text over the file: a copy of the old bytes in `.bak`, the file's own mode kept (0600 for a new one). */
function writeConfigText(current: ConfigFileState, text: string): void {
  let mode = 0o600;
  if (current.exists) {
    try {
      mode = statSync(current.path).mode & 0o777;
    } catch {
      // Gone since it was read: the hash check just before this would normally have caught it.
    }
    writeFileAtomic(`${current.path}.bak`, current.raw ?? "", 0o600);
  }
  writeFileAtomic(current.path, text, mode);
}

export async function writeConfig(gw: GatewayRuntime, req: ConfigWriteRequest): Promise<ConfigWriteResult> {
  const hooks = configFileHooks(gw);
  if (truthy(hooks.env.OPENCLAW_CONFIG_READONLY)) throw invalid(CONFIG_WRITE_ERRORS.readonly);
  const path = gw.loaded.path;
  const current = readCurrent(path, hooks.env);
  checkBaseHash(current, req.baseHash);
  const { base, doc } = candidateDocument(req, current, gw.loaded.parsed);
  const changedPaths = diffPaths(base, doc);
  const payload = (status: "ok" | "skipped", requiresRestart: boolean): ConfigWriteResult["sentinel"]["payload"] => ({
    kind: `config-${req.kind}`, status, ts: Date.now(), ...(req.sessionKey ? { sessionKey: req.sessionKey } : {}),
    message: req.note ?? null, stats: { requiresRestart },
  });

  if (changedPaths.length === 0 && current.loaded && current.exists) {
    // Nothing to change: the file (and its comments) stay as they are.
    return {
      ok: true, path, hash: current.hash, config: redactConfig(current.loaded.config), changedPaths: [],
      sentinel: { persisted: false, payload: payload("skipped", false) },
    };
  }

  const text = `${JSON.stringify(stamp(doc), null, 2)}\n`;
  let loaded: LoadedConfig;
  try {
    loaded = loadConfigText(path, text, hooks.env);
  } catch (err) {
    if (err instanceof ConfigError) throw issuesError("invalid config", err.issues);
    throw err;
  }
  const change = await preview(hooks, loaded);
  const requiresRestart = needsRestart(change.plan);

  // The preview awaited: another writer (or an editor) may have been faster.
  const now = readConfigText(path);
  if ((now === null ? null : hashConfigText(now)) !== (current.exists ? current.hash : null)) throw invalid(CONFIG_WRITE_ERRORS.stale);
  writeConfigText(current, text);
  gw.log.info(
    `config.${req.kind} wrote ${path} (${changedPaths.join(", ")})` +
      (requiresRestart ? `; restart required (reload.mode=${change.mode})` : ""),
  );
  return {
    ok: true, path, hash: loaded.hash, config: redactConfig(loaded.config), changedPaths,
    sentinel: { persisted: false, payload: payload("ok", requiresRestart) },
  };
}

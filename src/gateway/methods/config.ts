import { ErrorCodes, GatewayError, configMethods } from "../../protocol/index.ts";
import { readConfigFileState } from "../../config/file-state.ts";
import { ConfigError } from "../../config/load.ts";
import { collectSecrets, redactConfig, redactText } from "../../config/redact.ts";
import { configJsonSchema } from "../../config/schema.ts";
import { lookupSchemaPath, SchemaPathError } from "../../config/schema-lookup.ts";
import { VERSION } from "../../version.ts";
import { configFileHooks, writeConfig } from "../config-write.ts";
import type { GatewayRuntime } from "../runtime.ts";
import { implement } from "./registry.ts";

/**
 * The file on disk when it is ahead of the running config (a reload still pending, reload.mode=off,
 * an edit that does not validate), so the hash handed out is the one a write is checked against.
 * A missing file or one equal to the running config: the running snapshot.
 */
function describeConfig(gw: GatewayRuntime) {
  const running = gw.loaded;
  let disk;
  try {
    disk = readConfigFileState(running.path, configFileHooks(gw).env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    disk = undefined;
  }
  const ahead = disk !== undefined && disk.exists && disk.hash !== running.hash;
  const loaded = ahead ? disk!.loaded : running;
  const parsed = ahead ? disk!.parsed : running.parsed;
  const raw = ahead ? disk!.raw : running.raw;
  const config = loaded?.config ?? running.config;
  const secrets = [...collectSecrets(parsed), ...collectSecrets(config), ...collectSecrets(running.parsed), ...collectSecrets(running.config)];
  const redacted = redactConfig(config);
  return {
    path: running.path,
    exists: ahead ? true : running.exists,
    raw: raw === null ? null : redactText(raw, secrets),
    parsed: parsed === undefined ? null : redactConfig(parsed),
    resolved: redacted,
    config: redacted,
    valid: loaded !== undefined,
    hash: ahead ? disk!.hash : running.hash,
    issues: ahead ? disk!.issues : [],
    warnings: loaded?.warnings ?? [],
    includedPaths: [],
  };
}

export const configGetMethod = implement(configMethods.configGet, (_params, { gw }) => describeConfig(gw));

export const configSchemaMethod = implement(configMethods.configSchema, () => ({
  schema: configJsonSchema(),
  uiHints: {},
  version: VERSION,
  generatedAt: new Date().toISOString(),
}));

export const configSchemaLookupMethod = implement(configMethods.configSchemaLookup, (p) => {
  try {
    return lookupSchemaPath(configJsonSchema(), p.path);
  } catch (err) {
    if (err instanceof SchemaPathError) throw new GatewayError(ErrorCodes.INVALID_REQUEST, err.message);
    throw err;
  }
});

export const configPatchMethod = implement(configMethods.configPatch, (p, { gw }) =>
  writeConfig(gw, { kind: "patch", raw: p.raw, baseHash: p.baseHash, replacePaths: p.replacePaths, sessionKey: p.sessionKey, note: p.note }),
);

export const configApplyMethod = implement(configMethods.configApply, (p, { gw }) =>
  writeConfig(gw, { kind: "apply", raw: p.raw, baseHash: p.baseHash, sessionKey: p.sessionKey, note: p.note }),
);

/**
 * The config file as it is on disk right now, valid or not. The running gateway keeps the last
 * accepted config; a writer (and config.get, which hands out the hash writers must send back)
 * needs the file itself, which can be ahead of it: a reload still debouncing, reload.mode=off,
 * or an edit that does not validate.
 */
import { ConfigError, hashConfigText, loadConfigText, readConfigText, type LoadedConfig } from "./load.ts";
import type { ConfigIssue } from "./issues.ts";
import { parseJson5 } from "./json5.ts";

export interface ConfigFileState {
  path: string;
  exists: boolean;
  raw: string | null;
  /** Same form as LoadedConfig.hash (of "" when the file is missing). */
  hash: string;
  /** The document as written, when it parses (`{}` for a missing file). */
  parsed?: unknown;
  /** Set when the file is missing or valid. */
  loaded?: LoadedConfig;
  /** Why it is not valid (parse or validation), one entry per problem. */
  issues: ConfigIssue[];
}

/** Reads and checks the file without throwing for bad content; an unreadable file throws ConfigError. */
export function readConfigFileState(path: string, env: Record<string, string | undefined>): ConfigFileState {
  const raw = readConfigText(path);
  if (raw === null) {
    const loaded: LoadedConfig = { path, exists: false, raw: null, parsed: {}, config: {}, warnings: [], hash: hashConfigText("") };
    return { path, exists: false, raw: null, hash: loaded.hash, parsed: {}, loaded, issues: [] };
  }
  const hash = hashConfigText(raw);
  const parse = parseJson5(raw);
  const parsed = parse.ok ? parse.value : undefined;
  try {
    return { path, exists: true, raw, hash, parsed, loaded: loadConfigText(path, raw, env), issues: [] };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { path, exists: true, raw, hash, parsed, issues: err.issues };
  }
}

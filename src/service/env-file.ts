/**
 * `<stateDir>/gateway.env`: the service's secrets (gateway token/password, anything the operator
 * adds), kept out of every unit, plist and task. KEY=VALUE lines in the subset that systemd's
 * `EnvironmentFile=` and a POSIX shell read alike; launchd and Windows services have no such
 * directive, so `gateway run` reads the file itself when OPENCLAW_ENV_FILE names it.
 */
import { readFileSync } from "node:fs";

export const ENV_FILE_NAME = "gateway.env";
export const ENV_FILE_MODE = 0o600;
/** Set in launchd/Windows service environments; `gateway run` loads the file before booting. */
export const ENV_FILE_VAR = "OPENCLAW_ENV_FILE";

export const ENV_FILE_HEADER = [
  "# OpenClaw gateway service secrets (mode 0600): loaded by the gateway service, never written into",
  "# the unit, plist or task. KEY=VALUE per line; `openclaw gateway install --force` keeps added keys.",
];

export class EnvFileError extends Error {
  override name = "EnvFileError";
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BARE = /^[A-Za-z0-9_@%+=:,./-]*$/;

/** A double-quoted value: `\\`, `\"`, `\``, `\$` are escapes; other backslashes are literal. */
function unquoteDouble(v: string, where: string): string {
  let out = "";
  for (let i = 1; i < v.length; i++) {
    const c = v[i]!;
    if (c === "\\" && i + 1 < v.length && '"\\`$'.includes(v[i + 1]!)) {
      out += v[++i];
    } else if (c === '"') {
      if (v.slice(i + 1).trim() !== "") throw new EnvFileError(`${where}: text after the closing quote`);
      return out;
    } else {
      out += c;
    }
  }
  throw new EnvFileError(`${where}: unterminated double-quoted value`);
}

function parseValue(raw: string, where: string): string {
  const v = raw.trim();
  if (v.startsWith('"')) return unquoteDouble(v, where);
  if (v.startsWith("'")) {
    const close = v.indexOf("'", 1);
    if (close === -1) throw new EnvFileError(`${where}: unterminated single-quoted value`);
    if (v.slice(close + 1).trim() !== "") throw new EnvFileError(`${where}: text after the closing quote`);
    return v.slice(1, close);
  }
  return v;
}

/** Parses the file's text; `source` names it in errors. Later assignments of a key win. */
export function parseEnvFile(text: string, source = "env file"): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) return;
    const where = `${source}:${i + 1}`;
    const eq = trimmed.indexOf("=");
    const key = eq === -1 ? "" : trimmed.slice(0, eq).trim();
    if (!KEY.test(key)) throw new EnvFileError(`${where}: expected KEY=VALUE`);
    out[key] = parseValue(trimmed.slice(eq + 1), where);
  });
  return out;
}

export function formatEnvValue(value: string): string {
  if (/[\r\n\0]/.test(value)) throw new EnvFileError("env file values cannot contain newlines or NUL");
  if (BARE.test(value)) return value;
  return `"${value.replace(/["\\`$]/g, (c) => `\\${c}`)}"`;
}

export function formatEnvFile(values: Record<string, string>, header: readonly string[] = ENV_FILE_HEADER): string {
  const lines = [...header];
  for (const [key, value] of Object.entries(values)) {
    if (!KEY.test(key)) throw new EnvFileError(`invalid env file key ${JSON.stringify(key)}`);
    lines.push(`${key}=${formatEnvValue(value)}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The file's values, or undefined when it does not exist. */
export function readEnvFile(path: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new EnvFileError(`cannot read ${path}: ${(err as Error).message}`);
  }
  return parseEnvFile(text, path);
}

/**
 * What `gateway run` does first when OPENCLAW_ENV_FILE is set: the file's values override the
 * inherited environment, as systemd's EnvironmentFile= overrides Environment=. A missing file is
 * a warning (the unit's `EnvironmentFile=-` is optional too); an unreadable or malformed one throws.
 */
export function applyEnvFile(env: Record<string, string | undefined>): { path?: string; keys: string[]; warning?: string } {
  const path = env[ENV_FILE_VAR]?.trim();
  if (!path) return { keys: [] };
  const values = readEnvFile(path);
  if (values === undefined) return { path, keys: [], warning: `${ENV_FILE_VAR}: ${path} not found; continuing without it` };
  for (const [k, v] of Object.entries(values)) env[k] = v;
  return { path, keys: Object.keys(values) };
}

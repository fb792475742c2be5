/**
 * SecretRef resolution: `{source, provider?, id}` on a secret-bearing key is replaced by the value
 * an env var, a file or a command yields. The result is an in-memory config the process runs on;
 * the file and `LoadedConfig.config` keep the references. Reasons never contain secret values.
 */
import { lstatSync, readFileSync } from "node:fs";
import { isAbsolute } from "node:path";
import { expandHome } from "./paths.ts";
import type { OpenClawConfig } from "./schema.ts";
import {
  isSecretRef,
  type SecretProviderConfig,
  type SecretRef,
} from "./sections/secrets.ts";

export { isSecretRef, SecretRefSchema, type SecretRef } from "./sections/secrets.ts";

type Env = Record<string, string | undefined>;

export const DEFAULT_SECRET_PROVIDER = "default";
export const DEFAULT_EXEC_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_SECRET_BYTES = 1024 * 1024;
export const EXEC_PROTOCOL_VERSION = 1;

/** A reference that could not be resolved: the key path and why (never the value). */
export interface SecretFailure {
  path: string;
  reason: string;
}

/**
 * Which keys a process needs: the gateway serves with gateway.auth.* and calls model providers;
 * a client connects with gateway.auth.* (local) or gateway.remote.*.
 */
export type SecretSurface = "gateway" | "client";

export interface SecretResolution {
  /** A deep copy with every reference of the surface replaced by its value; failed and skipped ones are removed. */
  config: OpenClawConfig;
  /** Key paths whose reference resolved. */
  resolved: string[];
  failures: SecretFailure[];
  /** References on keys this surface does not use; not resolved (and removed from `config`). */
  skipped: string[];
}

export interface ResolveOptions {
  env: Env;
  /** For `~/` in provider paths. */
  home: string;
  surface?: SecretSurface;
}

interface Site {
  path: string[];
  ref: SecretRef;
}

const GATEWAY_AUTH_KEYS = [["gateway", "auth", "token"], ["gateway", "auth", "password"]];
const REMOTE_KEYS = [["gateway", "remote", "token"], ["gateway", "remote", "password"]];

function get(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function setOrDelete(obj: unknown, path: readonly string[], value: string | undefined): void {
  const parent = get(obj, path.slice(0, -1));
  if (parent === null || typeof parent !== "object") return;
  const key = path[path.length - 1]!;
  if (value === undefined) delete (parent as Record<string, unknown>)[key];
  else (parent as Record<string, unknown>)[key] = value;
}

/** Every secret-bearing key of the config, by surface: [used here, not used here]. */
function secretKeys(config: OpenClawConfig, surface: SecretSurface): [string[][], string[][]] {
  const providerKeys = Object.keys(config.models?.providers ?? {}).map((id) => ["models", "providers", id, "apiKey"]);
  return surface === "gateway"
    ? [[...GATEWAY_AUTH_KEYS, ...providerKeys], REMOTE_KEYS]
    : [[...GATEWAY_AUTH_KEYS, ...REMOTE_KEYS], providerKeys];
}

/** The key paths (dotted) that hold a SecretRef in this config, whatever the surface. */
export function secretRefPaths(config: OpenClawConfig): string[] {
  const [used, unused] = secretKeys(config, "gateway");
  return [...used, ...unused].filter((p) => isSecretRef(get(config, p))).map((p) => p.join("."));
}

const unresolvedByConfig = new WeakMap<object, ReadonlyMap<string, string>>();

/** The references of a resolved config that failed, by key path: lets a consumer say why a key is missing. */
export function unresolvedSecretsOf(config: OpenClawConfig): ReadonlyMap<string, string> {
  return unresolvedByConfig.get(config) ?? new Map();
}

/** Carries the unresolved-reference notes over to a config derived from a resolved one. */
export function withUnresolvedSecrets<T extends OpenClawConfig>(config: T, failures: readonly SecretFailure[]): T {
  unresolvedByConfig.set(config, new Map(failures.map((f) => [f.path, f.reason])));
  return config;
}

/** Resolves every SecretRef the surface uses. Never throws for a bad reference: it becomes a failure. */
export async function resolveConfigSecrets(config: OpenClawConfig, opts: ResolveOptions): Promise<SecretResolution> {
  const out = structuredClone(config);
  const [used, unused] = secretKeys(config, opts.surface ?? "gateway");
  const skipped = unused.filter((p) => isSecretRef(get(config, p)));
  for (const p of skipped) setOrDelete(out, p, undefined);
  const sites: Site[] = [];
  for (const p of used) {
    const v = get(config, p);
    if (isSecretRef(v)) sites.push({ path: p, ref: v });
  }
  const result: SecretResolution = { config: out, resolved: [], failures: [], skipped: skipped.map((p) => p.join(".")) };
  if (sites.length === 0) return withResolution(result);

  const values = await resolveRefs(sites.map((s) => s.ref), config.secrets?.providers ?? {}, opts);
  sites.forEach((site, i) => {
    const path = site.path.join(".");
    const v = values[i]!;
    if ("value" in v) {
      setOrDelete(out, site.path, v.value);
      result.resolved.push(path);
    } else {
      setOrDelete(out, site.path, undefined);
      result.failures.push({ path, reason: v.reason });
    }
  });
  return withResolution(result);
}

function withResolution(r: SecretResolution): SecretResolution {
  withUnresolvedSecrets(r.config, r.failures);
  return r;
}

type Outcome = { value: string } | { reason: string };

function checked(value: unknown, what: string): Outcome {
  if (typeof value !== "string") return { reason: `${what}: not a string` };
  if (value === "") return { reason: `${what}: empty value` };
  return { value };
}

/** Resolves refs in order, batching by provider: one file read or one command run per provider. */
export async function resolveRefs(
  refs: readonly SecretRef[],
  providers: Record<string, SecretProviderConfig>,
  opts: { env: Env; home: string },
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(refs.length);
  const batches = new Map<string, { cfg: SecretProviderConfig; idx: number[] }>();
  refs.forEach((ref, i) => {
    const alias = ref.provider ?? DEFAULT_SECRET_PROVIDER;
    const cfg = providers[alias];
    if (ref.source === "env") {
      outcomes[i] = resolveEnvRef(ref, alias, ref.provider === undefined ? undefined : cfg, opts.env);
      return;
    }
    if (cfg === undefined) {
      outcomes[i] = { reason: `secret provider "${alias}" is not configured (secrets.providers.${alias})` };
      return;
    }
    if (cfg.source !== ref.source) {
      outcomes[i] = { reason: `secret provider "${alias}" is a ${cfg.source} provider, not ${ref.source}` };
      return;
    }
    const batch = batches.get(alias) ?? { cfg, idx: [] };
    batch.idx.push(i);
    batches.set(alias, batch);
  });
  await Promise.all(
    [...batches].map(async ([alias, { cfg, idx }]) => {
      const ids = idx.map((i) => refs[i]!.id);
      const got =
        cfg.source === "file" ? readFileProvider(alias, cfg, ids, opts.home)
        : cfg.source === "exec" ? await runExecProvider(alias, cfg, ids, opts)
        : ids.map(() => ({ reason: `secret provider "${alias}" cannot serve this reference` }));
      idx.forEach((refIndex, k) => (outcomes[refIndex] = got[k]!));
    }),
  );
  return outcomes;
}

/** Env refs need no provider; a named one must be an env provider (or the built-in "default"). */
function resolveEnvRef(ref: SecretRef, alias: string, cfg: SecretProviderConfig | undefined, env: Env): Outcome {
  if (ref.provider !== undefined && cfg === undefined && alias !== DEFAULT_SECRET_PROVIDER) {
    return { reason: `secret provider "${alias}" is not configured (secrets.providers.${alias})` };
  }
  if (cfg !== undefined && cfg.source !== "env") return { reason: `secret provider "${alias}" is a ${cfg.source} provider, not env` };
  if (cfg?.source === "env" && cfg.allowlist && !cfg.allowlist.includes(ref.id)) {
    return { reason: `env provider "${alias}": ${ref.id} is not in its allowlist` };
  }
  const value = env[ref.id];
  return value === undefined || value === "" ? { reason: `environment variable ${ref.id} is not set` } : { value };
}

// ---------------------------------------------------------------------------------------------
// file

function isPosix(): boolean {
  return process.platform !== "win32";
}

/** Why a file may not hold secrets, or undefined when it may. */
function unsafeFile(path: string, maxBytes: number): string | undefined {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `${path}: no such file` : `${path}: cannot read (${code ?? "error"})`;
  }
  if (st.isSymbolicLink()) return `${path} is a symlink (not allowed)`;
  if (!st.isFile()) return `${path} is not a regular file`;
  if (st.nlink !== 1) return `${path} has ${st.nlink} hard links (must have exactly one)`;
  if (isPosix() && (st.mode & 0o077) !== 0) return `${path} is accessible to group/others (chmod 600 it)`;
  if (st.size > maxBytes) return `${path} is larger than ${maxBytes} bytes`;
  return undefined;
}

/** RFC 6901; undefined when the pointer does not lead anywhere. */
export function readJsonPointer(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  if (!pointer.startsWith("/")) return undefined;
  let cur = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9]\d*)$/.test(key)) return undefined;
      cur = cur[Number(key)];
    } else if (cur !== null && typeof cur === "object" && Object.hasOwn(cur, key)) {
      cur = (cur as Record<string, unknown>)[key];
    } else {
      return undefined;
    }
  }
  return cur;
}

function readFileProvider(
  alias: string,
  cfg: Extract<SecretProviderConfig, { source: "file" }>,
  ids: string[],
  home: string,
): Outcome[] {
  const label = `file provider "${alias}"`;
  const path = expandHome(cfg.path, home);
  const fail = (reason: string) => ids.map(() => ({ reason: `${label}: ${reason}` }));
  if (!isAbsolute(path)) return fail(`${cfg.path} is not an absolute path`);
  const unsafe = unsafeFile(path, cfg.maxBytes ?? DEFAULT_MAX_SECRET_BYTES);
  if (unsafe) return fail(unsafe);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    return fail(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if ((cfg.mode ?? "json") === "singleValue") {
    const value = text.replace(/\r?\n$/, "");
    return ids.map((id) => (id === "value" ? checked(value, `${label}: ${path}`) : { reason: `${label}: singleValue mode only serves id "value", not "${id}"` }));
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return fail(`${path} is not valid JSON`);
  }
  return ids.map((id) => {
    const v = readJsonPointer(doc, id);
    if (v === undefined) return { reason: `${label}: nothing at JSON pointer ${id} in ${path}` };
    return checked(v, `${label}: JSON pointer ${id}`);
  });
}

// ---------------------------------------------------------------------------------------------
// exec

function unsafeCommand(path: string): string | undefined {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? `${path}: no such file` : `${path}: cannot stat (${code ?? "error"})`;
  }
  if (st.isSymbolicLink()) return `${path} is a symlink (not allowed)`;
  if (!st.isFile()) return `${path} is not a regular file`;
  if (isPosix()) {
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) return `${path} is not owned by the current user`;
    if ((st.mode & 0o022) !== 0) return `${path} is writable by group/others`;
    if ((st.mode & 0o100) === 0) return `${path} is not executable`;
  }
  return undefined;
}

async function readCapped(reader: { read(): Promise<{ done: boolean; value?: Uint8Array }>; cancel(): Promise<void> }, max: number): Promise<string | null> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done || !value) break;
    size += value.byteLength;
    if (size > max) {
      void reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function runExecProvider(
  alias: string,
  cfg: Extract<SecretProviderConfig, { source: "exec" }>,
  ids: string[],
  opts: { env: Env; home: string },
): Promise<Outcome[]> {
  const label = `exec provider "${alias}"`;
  const fail = (reason: string) => ids.map(() => ({ reason: `${label}: ${reason}` }));
  const command = expandHome(cfg.command, opts.home);
  if (!isAbsolute(command)) return fail(`${cfg.command} is not an absolute path`);
  const unsafe = unsafeCommand(command);
  if (unsafe) return fail(unsafe);
  const env: Record<string, string> = {};
  for (const name of cfg.passEnv ?? []) {
    const v = opts.env[name];
    if (v !== undefined) env[name] = v;
  }
  const timeoutMs = cfg.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
  const maxBytes = cfg.maxOutputBytes ?? DEFAULT_MAX_SECRET_BYTES;
  const unique = [...new Set(ids)];
  let proc: Bun.Subprocess<"pipe", "pipe", "ignore">;
  try {
    // Its own process group, so a timeout also stops whatever the command started.
    proc = Bun.spawn([command, ...(cfg.args ?? [])], { stdin: "pipe", stdout: "pipe", stderr: "ignore", env, detached: isPosix() });
  } catch (err) {
    return fail(`cannot start ${command} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const killAll = () => {
    try {
      if (isPosix()) process.kill(-proc.pid, "SIGKILL");
      else proc.kill("SIGKILL");
    } catch {
      proc.kill("SIGKILL");
    }
  };
  const reader = proc.stdout.getReader();
  const work = (async (): Promise<{ text: string | null; code: number }> => {
    try {
      proc.stdin.write(JSON.stringify({ protocolVersion: EXEC_PROTOCOL_VERSION, provider: alias, ids: unique }));
      await proc.stdin.end();
    } catch {
      // A command that exits without reading stdin is judged by its output below.
    }
    const text = await readCapped(reader, maxBytes);
    if (text === null) killAll();
    return { text, code: await proc.exited };
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
  const outcome = await Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  if (outcome === "timeout") {
    killAll();
    void reader.cancel().catch(() => {});
    void work.catch(() => {});
    return fail(`timed out after ${timeoutMs}ms`);
  }
  const { text, code } = outcome;
  if (text === null) return fail(`printed more than ${maxBytes} bytes`);
  if (code !== 0) return fail(`exited with code ${code}`);
  let reply: { protocolVersion?: unknown; values?: unknown; errors?: unknown };
  try {
    reply = JSON.parse(text);
  } catch {
    return fail("printed something that is not JSON");
  }
  if (reply === null || typeof reply !== "object" || reply.protocolVersion !== EXEC_PROTOCOL_VERSION) {
    return fail(`did not answer with protocolVersion ${EXEC_PROTOCOL_VERSION}`);
  }
  const values = (reply.values ?? {}) as Record<string, unknown>;
  const errors = (reply.errors ?? {}) as Record<string, { code?: unknown } | undefined>;
  return ids.map((id) => {
    if (values !== null && typeof values === "object" && Object.hasOwn(values, id)) return checked(values[id], `${label}: id "${id}"`);
    const e = errors !== null && typeof errors === "object" && Object.hasOwn(errors, id) ? errors[id] : undefined;
    if (e) return { reason: `${label}: reported ${typeof e.code === "string" ? e.code : "an error"} for id "${id}"` };
    return { reason: `${label}: no value for id "${id}"` };
  });
}

// ---------------------------------------------------------------------------------------------

/**
 * `path (reason); …` for log lines: the log's masking reads `token: word` as a credential, so
 * "gateway.auth.token: environment variable …" would lose its first word there.
 */
export function describeSecretFailures(failures: readonly SecretFailure[]): string {
  return failures.map((f) => `${f.path} (${f.reason})`).join("; ");
}

/** Thrown by activation when a reference the process cannot run without is unresolved. */
export class SecretsUnavailableError extends Error {
  override name = "SecretsUnavailableError";
  readonly exitCode = 1;
  constructor(readonly failures: readonly SecretFailure[]) {
    super(`required secrets are unavailable: ${failures.map((f) => `${f.path}: ${f.reason}`).join("; ")}`);
  }
}

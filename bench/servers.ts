// bench/servers.ts: the gateway and the bare server as long-running processes, each in the same
// private sandbox (temporary HOME and state dir, no inherited OPENCLAW_* settings), so a bench run
// never reads or writes ~/.openclaw or /tmp/openclaw.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { pollHello } from "./measure/session.ts";
import { exitFlag, spawnServer, terminate } from "./measure/spawn.ts";
import { ROOT, STUB_SCRIPT, shellQuote } from "./options.ts";

export const SIDES = ["gateway", "bare"] as const;
export type Side = (typeof SIDES)[number];

/** What every server of one run shares. */
export interface Sandbox {
  token: string;
  /** Temporary directory for logs and HOME; removed at the end of the run. */
  dir: string;
  env: Record<string, string>;
  /** Prepended to every server command line (CPU pinning). */
  prefix: string;
}

export interface Server {
  side: Side;
  cmd: string;
  url: string;
  pid: number;
  proc: Subprocess;
  log: string;
}

const live = new Set<Subprocess>();

/** Ends every server still running; for exits that cannot wait for an orderly stop. */
export function killLive(): void {
  for (const p of live) p.kill("SIGKILL");
}

function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/** Fills {port} (a free one) and {token} into a command template; also gives the URL it will serve. */
export function instantiate(template: string, token: string): { cmd: string; url: string } {
  const port = freePort();
  const cmd = template.replaceAll("{port}", String(port)).replaceAll("{token}", token);
  return { cmd, url: `ws://127.0.0.1:${port}` };
}

export function logTail(path: string, lines = 15): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}

/** Environment for every process we start: a private HOME and state dir, no inherited OPENCLAW_* settings. */
export function isolatedEnv(home: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("OPENCLAW_")) env[k] = v;
  const state = join(home, ".openclaw");
  mkdirSync(state, { recursive: true });
  Object.assign(env, {
    HOME: home,
    USERPROFILE: home,
    OPENCLAW_HOME: home,
    OPENCLAW_STATE_DIR: state,
    OPENCLAW_LOG_DIR: join(home, "logs"),
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_STATE_HOME: join(home, ".local", "state"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    XDG_CACHE_HOME: join(home, ".cache"),
    NO_COLOR: "1",
  });
  return env;
}

/** Starts a server and returns once it has answered a handshake; throws with its output otherwise. */
export async function launch(side: Side, template: string, box: Sandbox): Promise<Server> {
  const { cmd, url } = instantiate(template, box.token);
  const log = join(box.dir, `${side}.log`);
  const proc = spawnServer(box.prefix + cmd, { cwd: ROOT, env: box.env, logFile: log });
  live.add(proc);
  const exited = exitFlag(proc);
  const poll = await pollHello(url, box.token, {
    gone: exited,
    deadline: performance.now() + 60_000,
    intervalMs: 20,
    attemptTimeoutMs: () => 5_000,
  });
  if (Number.isFinite(poll.helloAt)) return { side, cmd, url, pid: proc.pid, proc, log };
  await stop(proc);
  throw new Error(
    `${side} did not answer a handshake (${exited() ? `exited with code ${proc.exitCode}` : "timed out"}; last: ${poll.lastError})\n` +
      `  command: ${cmd}\n  output:\n${logTail(log).replace(/^/gm, "    ")}`,
  );
}

export async function stop(proc: Subprocess): Promise<void> {
  if (proc.exitCode === null && proc.signalCode === null) await terminate(proc);
  live.delete(proc);
}

/** The scripted OpenAI-compatible upstream (test/fixtures/openai-stub.ts, in a process of its own), for the http group. */
export interface Upstream {
  /** Base URL ending in /v1, as the stub prints it. */
  url: string;
  pid: number;
  proc: Subprocess;
  log: string;
}

/** Starts the upstream stub on a port of its own choosing and returns once it has printed its URL. */
export async function launchUpstream(box: Sandbox): Promise<Upstream> {
  if (!existsSync(STUB_SCRIPT)) throw new Error(`upstream stub not found at ${STUB_SCRIPT}`);
  const cmd = `${shellQuote(process.execPath)} ${shellQuote(STUB_SCRIPT)} --port 0`;
  const log = join(box.dir, "openai-stub.log");
  const proc = spawnServer(box.prefix + cmd, { cwd: ROOT, env: box.env, logFile: log });
  live.add(proc);
  const exited = exitFlag(proc);
  const deadline = performance.now() + 30_000;
  while (!exited() && performance.now() < deadline) {
    const url = /openai-stub listening on (http:\/\/\S+\/v1)/.exec(logTail(log, 50))?.[1];
    if (url !== undefined) return { url, pid: proc.pid, proc, log };
    await Bun.sleep(20);
  }
  await stop(proc);
  throw new Error(
    `upstream stub did not start (${exited() ? `exited with code ${proc.exitCode}` : "timed out"})\n` +
      `  command: ${cmd}\n  output:\n${logTail(log).replace(/^/gm, "    ")}`,
  );
}

/**
 * Writes ~/.openclaw/openclaw.json under `home` for the http group: token auth, the OpenAI-compatible
 * endpoints on, and the default agent's model served by the upstream stub. `extra` adds top-level
 * sections (the channels group's `channels` and `session`).
 */
export function writeHttpGatewayConfig(home: string, token: string, upstreamUrl: string, extra: Record<string, unknown> = {}): string {
  const config = {
    gateway: {
      mode: "local",
      auth: { mode: "token", token },
      http: { endpoints: { chatCompletions: { enabled: true }, responses: { enabled: true } } },
    },
    models: {
      providers: {
        stub: { baseUrl: upstreamUrl, apiKey: "sk-local", api: "openai-completions", models: [{ id: "echo", name: "Echo" }] },
      },
    },
    agents: { defaults: { model: { primary: "stub/echo" } } },
    ...extra,
  };
  const dir = join(home, ".openclaw");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "openclaw.json");
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

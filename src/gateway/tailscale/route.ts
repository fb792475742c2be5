/**
 * Claiming a Tailscale Serve/Funnel route for the gateway, the way the published gateway drives
 * the CLI: `version`, `status --json` (waiting for the daemon), `serve status --json`, the removal
 * of a legacy root route that targets the gateway port, then a foreground
 * `tailscale serve|funnel --yes --bg=false <port>` held for the gateway's lifetime (ready on
 * "Press Ctrl+C to exit.") and a last `status --json` for the tailnet name. A permission error is
 * retried once under `sudo -n`.
 */
import { commandLine, runCommand, TailscaleCommandError, type Env } from "./exec.ts";

export type TailscaleMode = "serve" | "funnel";

export interface RouteLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface RouteOptions {
  mode: TailscaleMode;
  binary: string;
  /** The dedicated loopback listener the route proxies to. */
  managedPort: number;
  /** The configured gateway port: a legacy root route pointing at it is removed. */
  gatewayPort: number;
  env: Env;
  log: RouteLog;
  /** How long to wait for the daemon to leave NoState/Starting (default 90 s). */
  statusWaitMs?: number;
  /** How long the foreground claim may take to print its ready line (default 15 s). */
  readyTimeoutMs?: number;
}

export interface ClaimedRoute {
  /** https://<magicdns>/ when the tailnet name is known. */
  url?: string;
  /** `["sudo", "-n"]` when the CLI needed it (whois then uses it too). */
  prefix: string[];
  /** SIGTERM to the foreground claim, SIGKILL after 2 s; resolves when it has exited. */
  release(): Promise<void>;
}

export const READY_LINE = "Press Ctrl+C to exit.";
const COMMAND_TIMEOUT_MS = 10_000;
const OPERATOR_HINT = "Run `sudo tailscale set --operator=$USER` once so the gateway can manage Tailscale Serve without root.";

function permissionDenied(text: string): boolean {
  return /access denied|permission denied|operation not permitted|must be root|requires root|run with sudo|--operator/i.test(text);
}

function outputOf(err: unknown): string {
  const r = (err as TailscaleCommandError).result;
  return r ? `${r.stdout}\n${r.stderr}` : String((err as Error)?.message ?? err);
}

class Cli {
  prefix: string[] = [];
  constructor(private readonly o: RouteOptions) {}

  argv(args: string[]): string[] {
    return [...this.prefix, this.o.binary, ...args];
  }

  /** One command; a permission refusal switches to `sudo -n` for it and every later call. */
  async run(args: string[]): Promise<string> {
    try {
      return (await runCommand(this.argv(args), this.o.env, COMMAND_TIMEOUT_MS)).stdout;
    } catch (err) {
      if (this.prefix.length || !permissionDenied(outputOf(err))) throw err;
      this.prefix = ["sudo", "-n"];
      try {
        return (await runCommand(this.argv(args), this.o.env, COMMAND_TIMEOUT_MS)).stdout;
      } catch (again) {
        throw new TailscaleCommandError(`${(again as Error).message}\n${OPERATOR_HINT}`, (again as TailscaleCommandError).result);
      }
    }
  }
}

interface Status {
  BackendState?: string;
  Self?: { DNSName?: string };
}

async function readStatus(cli: Cli): Promise<Status> {
  return JSON.parse(await cli.run(["status", "--json"])) as Status;
}

/** Polls while the daemon is unreachable or still starting; a missing binary is left for the next step to report. */
async function waitForDaemon(cli: Cli, o: RouteOptions): Promise<void> {
  const deadline = Date.now() + (o.statusWaitMs ?? 90_000);
  for (;;) {
    let state: string | undefined;
    try {
      state = (await readStatus(cli)).BackendState;
      if (state !== "NoState" && state !== "Starting") return;
    } catch (err) {
      if ((err as TailscaleCommandError).missing) return;
    }
    if (Date.now() >= deadline) throw new Error(`tailscale daemon not ready after ${Math.round((o.statusWaitMs ?? 90_000) / 1000)}s (state: ${state ?? "unreachable"})`);
    await Bun.sleep(500);
  }
}

/** A root handler on :443 proxying to the gateway port: what an older release left behind with --bg. */
function hasLegacyRoute(serveStatus: string, gatewayPort: number): boolean {
  let parsed: { Web?: Record<string, { Handlers?: Record<string, { Proxy?: string }> }> };
  try {
    parsed = JSON.parse(serveStatus || "{}");
  } catch {
    return false;
  }
  const target = new RegExp(`^https?://(127\\.0\\.0\\.1|localhost):${gatewayPort}/?$`);
  return Object.entries(parsed.Web ?? {}).some(([hostPort, web]) => hostPort.endsWith(":443") && target.test(web.Handlers?.["/"]?.Proxy ?? ""));
}

/** The foreground claim: resolves once it printed the ready line; rejects with what it printed otherwise. */
function spawnClaim(cli: Cli, o: RouteOptions): Promise<{ proc: Bun.Subprocess; output: () => string }> {
  const argv = cli.argv([o.mode, "--yes", "--bg=false", String(o.managedPort)]);
  let proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  try {
    proc = Bun.spawn(argv, { env: o.env as Record<string, string>, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  } catch {
    return Promise.reject(new TailscaleCommandError(`Command failed with ENOENT: ${commandLine(argv)} spawn ${commandLine([argv[0]!])} ENOENT`, undefined, true));
  }
  let text = "";
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => settle(() => {
      proc.kill("SIGKILL");
      reject(new Error(`${commandLine(argv)} did not print "${READY_LINE}" within ${(o.readyTimeoutMs ?? 15_000) / 1000}s`));
    }), o.readyTimeoutMs ?? 15_000);
    // Both streams are drained for the claim's whole life, so it never blocks on a full pipe.
    const pump = async (stream: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) {
        text += decoder.decode(chunk, { stream: true });
        if (text.includes(READY_LINE)) settle(() => resolve({ proc, output: () => text }));
      }
    };
    void pump(proc.stdout);
    void pump(proc.stderr);
    void proc.exited.then((code) =>
      settle(() => reject(new TailscaleCommandError(`Command failed with exit code ${code}: ${commandLine(argv)}\n${text.trim()}`, { code, stdout: text, stderr: "" }))),
    );
  });
}

async function claimForeground(cli: Cli, o: RouteOptions): Promise<Bun.Subprocess> {
  try {
    return (await spawnClaim(cli, o)).proc;
  } catch (err) {
    const out = outputOf(err);
    const conflict = /listener already exists for port (\d+)/i.exec(out);
    if (conflict) throw new Error(`Tailscale ${o.mode} route conflict: another process owns the Tailscale listener for port ${conflict[1]} (check \`tailscale serve status\`)`);
    if (cli.prefix.length || !permissionDenied(out)) throw err;
    cli.prefix = ["sudo", "-n"];
    try {
      return (await spawnClaim(cli, o)).proc;
    } catch (again) {
      throw new Error(`${(again as Error).message}\n${OPERATOR_HINT}`);
    }
  }
}

export async function claimRoute(o: RouteOptions): Promise<ClaimedRoute> {
  const cli = new Cli(o);
  // `version` only proves the binary; its failure is reported by the first command that matters.
  await cli.run(["version"]).catch(() => undefined);
  await waitForDaemon(cli, o);
  const serveStatus = await cli.run(["serve", "status", "--json"]);
  if (hasLegacyRoute(serveStatus, o.gatewayPort)) {
    await cli.run(["serve", "--yes", "--https=443", "--set-path=/", "off"]);
    o.log.info(`removed the root route to port ${o.gatewayPort}: route adopted from a previous OpenClaw release`);
  }
  const proc = await claimForeground(cli, o);
  let released = false;
  void proc.exited.then((code) => {
    if (!released) o.log.warn(`tailscale ${o.mode} exited (code ${code}); the tailnet route is gone until the gateway restarts`);
  });
  let url: string | undefined;
  try {
    const name = (await readStatus(cli)).Self?.DNSName?.replace(/\.$/, "");
    if (name) url = `https://${name}/`;
  } catch {
    url = undefined;
  }
  o.log.info(url ? `${o.mode} enabled: ${url} (WS via wss://${new URL(url).host})` : `${o.mode} enabled (tailnet name unknown)`);
  return {
    url,
    prefix: cli.prefix,
    async release() {
      if (released) return;
      released = true;
      proc.kill("SIGTERM");
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(2_000).then(() => false)]);
      if (!exited) {
        proc.kill("SIGKILL");
        await proc.exited;
      }
    },
  };
}

/**
 * The SSH tunnel of `gateway probe --ssh`: the system `ssh -N -L` forwarding a free local port to
 * the remote gateway's loopback port, started and stopped by the probe. Readiness is the local
 * port accepting a connection, since ssh prints nothing when a forward comes up.
 */
import type { Subprocess } from "bun";

export interface SshTarget {
  user?: string;
  host: string;
  port?: number;
}

export class SshTunnelError extends Error {
  override name = "SshTunnelError";
}

/** `user@host[:port]`, `host`, `user@[v6]:port`; anything else is a clear error. */
export function parseSshTarget(text: string): SshTarget {
  const t = text.trim();
  const m = /^(?:([^@\s:]+)@)?(\[[0-9a-fA-F:.]+\]|[^@\s:[\]]+)(?::(\d{1,5}))?$/.exec(t);
  if (!m) throw new SshTunnelError(`invalid --ssh target ${JSON.stringify(text)} (use user@host or user@host:port)`);
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new SshTunnelError(`invalid --ssh port ${m[3]} (use 1-65535)`);
  const out: SshTarget = { host: m[2]!.replace(/^\[|\]$/g, "") };
  if (m[1]) out.user = m[1];
  if (port !== undefined) out.port = port;
  return out;
}

export function formatSshTarget(t: SshTarget): string {
  const host = t.host.includes(":") ? `[${t.host}]` : t.host;
  return `${t.user ? `${t.user}@` : ""}${host}${t.port ? `:${t.port}` : ""}`;
}

export interface SshTunnelOptions {
  target: SshTarget;
  identity?: string;
  /** The gateway's port on the remote host (its loopback). */
  remotePort: number;
  timeoutMs: number;
  /** PATH to find `ssh` on (the caller's environment, so tests can put a fake first). */
  PATH: string | undefined;
  env?: Record<string, string | undefined>;
}

export interface SshTunnel {
  localPort: number;
  argv: string[];
  pid: number;
  close(): Promise<void>;
}

/** A port nobody listens on right now: bind port 0, read it, let it go. */
function freeLocalPort(): number {
  const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = l.port;
  l.stop(true);
  return port;
}

async function accepts(port: number): Promise<boolean> {
  try {
    const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
    s.end();
    return true;
  } catch {
    return false;
  }
}

async function stop(proc: Subprocess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill("SIGTERM");
  const killed = await Promise.race([proc.exited.then(() => true), Bun.sleep(1500).then(() => false)]);
  if (!killed) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
}

export function sshArgv(ssh: string, o: Pick<SshTunnelOptions, "target" | "identity" | "remotePort">, localPort: number): string[] {
  const argv = [ssh, "-N", "-L", `${localPort}:127.0.0.1:${o.remotePort}`];
  // Never prompt (a probe has no terminal to ask on) and fail at once when the forward cannot be set up.
  argv.push("-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", "-o", "ConnectTimeout=5");
  if (o.identity) argv.push("-i", o.identity);
  if (o.target.port) argv.push("-p", String(o.target.port));
  const host = o.target.host;
  argv.push(o.target.user ? `${o.target.user}@${host}` : host);
  return argv;
}

/** Starts the tunnel and resolves once the local port forwards; throws SshTunnelError otherwise. */
export async function openSshTunnel(o: SshTunnelOptions): Promise<SshTunnel> {
  const ssh = Bun.which("ssh", { PATH: o.PATH ?? "" });
  if (!ssh) throw new SshTunnelError("ssh not found on PATH: install an OpenSSH client or open the tunnel yourself (ssh -N -L …) and use --url");
  const localPort = freeLocalPort();
  const argv = sshArgv(ssh, o, localPort);
  let proc: Subprocess<"ignore", "ignore", "pipe">;
  try {
    proc = Bun.spawn(argv, { stdin: "ignore", stdout: "ignore", stderr: "pipe", env: { ...(o.env ?? process.env), PATH: o.PATH ?? "" } });
  } catch (err) {
    throw new SshTunnelError(`could not start ssh: ${(err as Error).message}`);
  }
  let stderr = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) stderr = (stderr + decoder.decode(chunk)).slice(-2000);
  })().catch(() => {});
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      await Promise.race([reading, Bun.sleep(100)]);
      const why = stderr.trim().split("\n").filter(Boolean).pop();
      throw new SshTunnelError(`ssh exited with ${proc.exitCode ?? proc.signalCode} before the tunnel was up${why ? `: ${why}` : ""}`);
    }
    if (await accepts(localPort)) break;
    if (Date.now() > deadline) {
      await stop(proc);
      throw new SshTunnelError(`ssh tunnel to ${formatSshTarget(o.target)} not ready after ${o.timeoutMs}ms`);
    }
    await Bun.sleep(25);
  }
  return { localPort, argv, pid: proc.pid, close: () => stop(proc) };
}

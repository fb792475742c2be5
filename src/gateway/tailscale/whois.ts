/**
 * `tailscale whois --json <ip>` behind a small cache: a confirmed login for 60 s, a failure for
 * 5 s, each lookup bounded by 5 s, and concurrent lookups of one address sharing one process.
 */
import { runCommand, type Env } from "./exec.ts";

/** What the WebSocket upgrade asks of the Tailscale side: does this tailnet address belong to this login? */
export interface TailscaleIngress {
  confirm(clientIp: string, login: string): Promise<boolean>;
}

export interface WhoisOptions {
  binary: string;
  env: Env;
  okTtlMs?: number;
  errorTtlMs?: number;
  timeoutMs?: number;
  /** The sudo prefix the route claim ended up needing, if any. */
  prefix?: () => string[];
  now?: () => number;
}

interface Entry {
  login?: string;
  expiresAt: number;
}

export class TailscaleWhois implements TailscaleIngress {
  readonly #cache = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<string | undefined>>();

  constructor(private readonly opts: WhoisOptions) {}

  async confirm(clientIp: string, login: string): Promise<boolean> {
    const found = await this.login(clientIp);
    return found !== undefined && found.toLowerCase() === login.trim().toLowerCase();
  }

  /** The login that owns `ip` on the tailnet, or undefined (unknown address, or whois failed). */
  login(ip: string): Promise<string | undefined> {
    const now = (this.opts.now ?? Date.now)();
    const hit = this.#cache.get(ip);
    if (hit && hit.expiresAt > now) return Promise.resolve(hit.login);
    const running = this.#inflight.get(ip);
    if (running) return running;
    const lookup = this.#lookup(ip).finally(() => this.#inflight.delete(ip));
    this.#inflight.set(ip, lookup);
    return lookup;
  }

  async #lookup(ip: string): Promise<string | undefined> {
    const { opts } = this;
    let login: string | undefined;
    try {
      const argv = [...(opts.prefix?.() ?? []), opts.binary, "whois", "--json", ip];
      const { stdout } = await runCommand(argv, opts.env, opts.timeoutMs ?? 5_000);
      const parsed = JSON.parse(stdout) as { UserProfile?: { LoginName?: unknown } };
      const name = parsed.UserProfile?.LoginName;
      if (typeof name === "string" && name.trim()) login = name.trim();
    } catch {
      login = undefined;
    }
    const ttl = login ? (opts.okTtlMs ?? 60_000) : (opts.errorTtlMs ?? 5_000);
    this.#cache.set(ip, { login, expiresAt: (opts.now ?? Date.now)() + ttl });
    return login;
  }
}

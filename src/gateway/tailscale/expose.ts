/**
 * Tailscale Serve/Funnel in front of the gateway: a dedicated loopback listener on an ephemeral
 * port (the configured port stays an ordinary listener), the claimed route to it, and the whois
 * lookups that turn a Serve identity header into a connect identity. Loaded only when
 * `gateway.tailscale.mode` (or `--tailscale`) is serve or funnel. Fails closed: the gateway does
 * not start without its route.
 */
import type { AuthConfig } from "../auth.ts";
import { resolveTailscaleBinary, type Env } from "./exec.ts";
import { claimRoute, type RouteLog, type TailscaleMode } from "./route.ts";
import { TailscaleWhois, type TailscaleIngress } from "./whois.ts";

export interface ExposeOptions {
  mode: TailscaleMode;
  gatewayPort: number;
  auth: AuthConfig;
  env: Env;
  log: RouteLog;
  /** Binds the managed listener on 127.0.0.1:0 with requests marked as coming from the Tailscale hop; returns its port and a stop. */
  listen(ingress: TailscaleIngress): { port: number; stop(): void };
  statusWaitMs?: number;
  readyTimeoutMs?: number;
}

export interface TailscaleExposure {
  mode: TailscaleMode;
  managedPort: number;
  url?: string;
  stop(): Promise<void>;
}

/** Why start-up refused, with the exit code (78: configuration; 1: the route could not be claimed). */
export class TailscaleStartError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

export const FUNNEL_NEEDS_PASSWORD = "tailscale funnel requires gateway auth mode=password (set gateway.auth.password or OPENCLAW_GATEWAY_PASSWORD)";

/** Funnel publishes the gateway to the internet, where only the password stands in the way. */
export function checkTailscaleAuth(mode: TailscaleMode, auth: AuthConfig): void {
  if (mode === "funnel" && (auth.mode !== "password" || !auth.password)) throw new TailscaleStartError(FUNNEL_NEEDS_PASSWORD, 78);
}

export async function exposeOverTailscale(o: ExposeOptions): Promise<TailscaleExposure> {
  checkTailscaleAuth(o.mode, o.auth);
  const binary = resolveTailscaleBinary(o.env);
  let prefix: string[] = [];
  const whois = new TailscaleWhois({ binary, env: o.env, prefix: () => prefix });
  const listener = o.listen(whois);
  try {
    const route = await claimRoute({
      mode: o.mode, binary, managedPort: listener.port, gatewayPort: o.gatewayPort, env: o.env, log: o.log,
      statusWaitMs: o.statusWaitMs, readyTimeoutMs: o.readyTimeoutMs,
    });
    prefix = route.prefix;
    return {
      mode: o.mode,
      managedPort: listener.port,
      url: route.url,
      async stop() {
        await route.release();
        listener.stop();
      },
    };
  } catch (err) {
    listener.stop();
    throw new TailscaleStartError(`[tailscale] ${o.mode} failed: ${(err as Error)?.message ?? String(err)}`, 1);
  }
}

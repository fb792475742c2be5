/**
 * The gateway's side of discovery: on start and on every config swap it decides whether to
 * advertise (policy.ts, no mDNS code) and only then loads the responder. Changes are applied one
 * at a time, in order, so a quick off/on edit never leaves two advertisements behind.
 */
import type { OpenClawConfig } from "../config/schema.ts";
import type { Logger } from "../logging/logger.ts";
import type { Advertisement } from "./advertiser.ts";
import { decideBonjour, type BonjourDecision, type HostProbe } from "./policy.ts";
import type { AdvertiseSpec } from "./spec.ts";
import { notAdvertising, type DiscoveryStatus } from "./status.ts";

type Env = Record<string, string | undefined>;

export interface DiscoveryDeps {
  env: Env;
  log: Logger;
  port: number;
  bindHosts: readonly string[];
  stateDir: string;
  platform?: NodeJS.Platform;
  host?: HostProbe;
}

export class DiscoveryHandle {
  private queue: Promise<void> = Promise.resolve();
  private active?: { ad: Advertisement; spec: AdvertiseSpec };
  private wideAreaDone = false;
  private zoneFile: string | null = null;
  private last?: { decision: BonjourDecision; config: OpenClawConfig };
  private closed = false;

  constructor(private readonly deps: DiscoveryDeps) {}

  /** Brings the advertisement in line with `config`; never rejects (failures are logged). */
  apply(config: OpenClawConfig): Promise<void> {
    this.queue = this.queue.then(() => (this.closed ? undefined : this.reconcile(config))).catch((err: unknown) => {
      this.deps.log.warn(`bonjour: ${(err as Error)?.message ?? String(err)}`);
    });
    return this.queue;
  }

  /** Stops advertising with goodbye packets; later apply() calls do nothing. */
  close(): Promise<void> {
    this.closed = true;
    this.queue = this.queue
      .then(() => this.stopActive("gateway stopping"))
      .catch((err: unknown) => this.deps.log.warn(`bonjour: stopping failed: ${(err as Error)?.message ?? String(err)}`));
    return this.queue;
  }

  /** The name in use right now (after conflict renaming), if advertising. */
  advertisedName(): string | undefined {
    return this.active?.ad.name();
  }

  /** For `status`: what is advertised now (as of the last applied config), or why nothing is. */
  status(fallback: OpenClawConfig): DiscoveryStatus {
    const last = this.last ?? { decision: decideBonjour(fallback, this.deps.env, { platform: this.deps.platform, host: this.deps.host }), config: fallback };
    const off = notAdvertising(last.decision, last.config, this.zoneFile);
    const active = this.active;
    if (!active) return off;
    return {
      ...off,
      mdns: {
        ...off.mdns, advertising: true, instanceName: active.ad.name(), hostname: active.ad.hostname(), state: active.ad.state(),
        interfaces: active.spec.interfaces ?? null,
      },
    };
  }

  private async reconcile(config: OpenClawConfig): Promise<void> {
    const { env, log } = this.deps;
    if (!this.wideAreaDone && config.discovery?.wideArea?.domain) {
      this.wideAreaDone = true;
      const { publishWideAreaZone } = await import("./wide-area.ts");
      this.zoneFile = (await publishWideAreaZone({ config, env, port: this.deps.port, bindHosts: this.deps.bindHosts, stateDir: this.deps.stateDir, log })) ?? null;
    }
    const decision = decideBonjour(config, env, { platform: this.deps.platform, host: this.deps.host });
    this.last = { decision, config };
    if (!decision.enabled || decision.mode === "off") {
      if (this.active) await this.stopActive(decision.reason);
      else log.debug(`bonjour: not advertising (${decision.reason})`);
      return;
    }
    const { buildAdvertiseSpec, resolveTailnetDns } = await import("./spec.ts");
    const tailnetDns = decision.mode === "full" ? await resolveTailnetDns(config, env) : undefined;
    const spec = buildAdvertiseSpec({ config, env, mode: decision.mode, port: this.deps.port, bindHosts: this.deps.bindHosts, tailnetDns });
    const active = this.active;
    if (active && sameExceptTxt(active.spec, spec)) {
      if (JSON.stringify(active.spec.txt) !== JSON.stringify(spec.txt)) {
        active.ad.updateTxt(spec.txt);
        active.spec = spec;
        log.info(`bonjour: TXT updated (mode=${decision.mode})`);
      }
      return;
    }
    if (active) await this.stopActive("advertisement changed");
    const { startAdvertiser } = await import("./advertiser.ts");
    const advertiseTimeoutMs = Number(env.OPENCLAW_GATEWAY_DISCOVERY_ADVERTISE_TIMEOUT_MS) || undefined;
    this.active = { ad: await startAdvertiser(spec, log, { advertiseTimeoutMs }), spec };
  }

  private async stopActive(reason: string): Promise<void> {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    await active.ad.stop();
    this.deps.log.info(`bonjour: stopped advertising ${active.ad.name()} (${reason})`);
  }
}

function sameExceptTxt(a: AdvertiseSpec, b: AdvertiseSpec): boolean {
  return JSON.stringify({ ...a, txt: null }) === JSON.stringify({ ...b, txt: null });
}

/**
 * The Bonjour responder, on @homebridge/ciao: it probes for the name (renaming "name (2)" on a
 * conflict), announces, answers on the chosen interfaces, and sends goodbyes (TTL 0) on stop.
 * Imported only when advertising is on.
 */
import ciao, { type CiaoService, type Responder } from "@homebridge/ciao";
import type { Logger } from "../logging/logger.ts";
import type { AdvertiseSpec } from "./spec.ts";
import { SERVICE_TYPE } from "./txt.ts";

export interface Advertisement {
  /** The instance name in use (after any conflict renaming). */
  name(): string;
  fqdn(): string;
  /** The host name in use (after any conflict renaming), e.g. "gw.local". */
  hostname(): string;
  /** The library's state: probing, announcing, announced, … */
  state(): string;
  /** Replaces the TXT record in place (announced again by the library). */
  updateTxt(txt: Record<string, string>): void;
  /** Goodbye packets, then the sockets close. Safe to call more than once. */
  stop(): Promise<void>;
}

export const DEFAULT_ADVERTISE_TIMEOUT_MS = 5000;

export async function startAdvertiser(spec: AdvertiseSpec, log: Logger, opts: { advertiseTimeoutMs?: number } = {}): Promise<Advertisement> {
  const responder: Responder = ciao.getResponder(spec.interfaces ? { interface: spec.interfaces } : undefined);
  const service: CiaoService = responder.createService({
    name: spec.name,
    type: SERVICE_TYPE,
    port: spec.port,
    domain: "local",
    hostname: spec.hostLabel,
    txt: spec.txt,
    ...(spec.restrictedAddresses ? { restrictedAddresses: spec.restrictedAddresses } : {}),
    disabledIpv6: spec.disabledIpv6,
  });
  let current = spec.name;
  service.on("name-change", (name: string) => {
    current = name;
    log.info(`bonjour: name conflict resolved; newName=${name}`);
  });
  service.on("hostname-change", (host: string) => log.info(`bonjour: hostname conflict resolved; newHostname=${host}`));

  const timeoutMs = opts.advertiseTimeoutMs ?? DEFAULT_ADVERTISE_TIMEOUT_MS;
  const slow = setTimeout(() => log.warn(`bonjour: advertising is taking longer than ${timeoutMs}ms (state=${service.serviceState})`), timeoutMs);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      clearTimeout(slow);
      try {
        await service.end();
        await service.destroy();
      } finally {
        await responder.shutdown();
      }
    })());
  // Probing runs in the background: the gateway does not wait on the network to start serving.
  service
    .advertise()
    .then(() => {
      clearTimeout(slow);
      if (stopped) return;
      log.info(`bonjour: advertised gateway fqdn=${service.getFQDN()} host=${service.getHostname()} port=${spec.port} state=${service.serviceState}`);
    })
    .catch((err: unknown) => {
      clearTimeout(slow);
      if (!stopped) log.warn(`bonjour: advertising failed: ${(err as Error)?.message ?? String(err)}`);
    });
  return {
    name: () => current,
    fqdn: () => service.getFQDN(),
    hostname: () => service.getHostname().replace(/\.$/, ""),
    state: () => String(service.serviceState),
    updateTxt: (txt) => service.updateTxt(txt),
    stop,
  };
}

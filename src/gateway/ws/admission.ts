/**
 * The budget for sockets that have not completed `connect`: per client address and in total.
 * It is checked before the upgrade, so a flood of sockets that never authenticate costs a counter
 * each and an HTTP 503, never WebSocket state. Loopback is counted like any other address.
 */
import type { OpenClawConfig } from "../../config/schema.ts";

export interface AdmissionLimits {
  perAddress: number;
  total: number;
}

/** Above a thousand per address: a burst of 1,000 legitimate handshakes from one host all get in. */
export const DEFAULT_ADMISSION: Readonly<AdmissionLimits> = Object.freeze({ perAddress: 2048, total: 8192 });

export function admissionLimits(config: OpenClawConfig): AdmissionLimits {
  const h = config.gateway?.handshake;
  return { perAddress: h?.maxPendingPerAddress ?? DEFAULT_ADMISSION.perAddress, total: h?.maxPendingTotal ?? DEFAULT_ADMISSION.total };
}

export type AdmissionRefusal = "address" | "total";

export class PendingBudget {
  readonly #perAddress = new Map<string, number>();
  #total = 0;

  /** Takes one slot for `ip`, or says which budget is exhausted. */
  acquire(ip: string, limits: AdmissionLimits): AdmissionRefusal | null {
    if (this.#total >= limits.total) return "total";
    const held = this.#perAddress.get(ip) ?? 0;
    if (held >= limits.perAddress) return "address";
    this.#perAddress.set(ip, held + 1);
    this.#total++;
    return null;
  }

  release(ip: string): void {
    const held = this.#perAddress.get(ip);
    if (held === undefined) return;
    if (held <= 1) this.#perAddress.delete(ip);
    else this.#perAddress.set(ip, held - 1);
    this.#total--;
  }

  get total(): number {
    return this.#total;
  }

  heldBy(ip: string): number {
    return this.#perAddress.get(ip) ?? 0;
  }
}

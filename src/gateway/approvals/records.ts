/**
 * Approval records in memory: pending ones with their expiry timer and waiters, and settled ones
 * kept a while (10 min, at most 500) so approval.get, waitDecision and a repeated resolve can
 * still answer about them. Records do not survive a gateway restart: nothing could be waiting.
 */
import type { ExecDecision } from "../../agents/tools/types.ts";

export type ApprovalStatus = "pending" | "allowed" | "denied" | "expired" | "cancelled";
/** Why a record left pending: an operator, expiry, nobody to ask, the run ended, the gateway stopped, or a verdict it could not accept. */
export type TerminalReason = "user" | "timeout" | "no-route" | "run-aborted" | "gateway-restart" | "malformed-verdict";

export interface Resolver {
  kind: "device" | "runtime";
  id?: string;
}

export interface ApprovalRecord {
  id: string;
  /** exec.approval.requested's `request`, as sent. */
  request: Record<string, unknown> & { allowedDecisions: ExecDecision[] };
  createdAtMs: number;
  expiresAtMs: number;
  /** Who asked through exec.approval.request (absent for the gateway's own exec tool). */
  requestedByConnId?: string;
  requestedByDeviceId?: string;
  status: ApprovalStatus;
  /** What the requester is told: an operator's decision, deny when closed, null on expiry or no route. */
  decision: ExecDecision | null;
  terminalReason?: TerminalReason;
  resolvedAtMs?: number;
  /** Display name or client id of the operator (exec.approval.resolved's resolvedBy). */
  resolvedBy?: string | null;
  resolver?: Resolver;
}

export interface Settlement {
  status: Exclude<ApprovalStatus, "pending">;
  decision: ExecDecision | null;
  terminalReason: TerminalReason;
  resolvedBy?: string | null;
  resolver?: Resolver;
}

export const DEFAULT_APPROVAL_TIMEOUT_MS = 30 * 60_000;
const KEEP_SETTLED_MS = 10 * 60_000;
const MAX_SETTLED = 500;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Live {
  record: ApprovalRecord;
  timer: Timer;
  waiters: Array<(r: ApprovalRecord) => void>;
}

export type Lookup = { kind: "found"; record: ApprovalRecord } | { kind: "none" } | { kind: "ambiguous" };

export class ApprovalRecords {
  private live = new Map<string, Live>();
  private settled = new Map<string, ApprovalRecord>();

  constructor(
    /** Told about every settlement (the service sends exec.approval.resolved). */
    private readonly onSettled: (record: ApprovalRecord) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get pendingCount(): number {
    return this.live.size;
  }

  has(id: string): boolean {
    this.prune();
    return this.live.has(id) || this.settled.has(id);
  }

  create(fields: Pick<ApprovalRecord, "id" | "request" | "requestedByConnId" | "requestedByDeviceId">, timeoutMs: number): ApprovalRecord {
    const createdAtMs = this.now();
    const record: ApprovalRecord = { ...fields, createdAtMs, expiresAtMs: createdAtMs + timeoutMs, status: "pending", decision: null };
    const timer = setTimeout(() => this.settle(record.id, { status: "expired", decision: null, terminalReason: "timeout" }), Math.min(timeoutMs, MAX_TIMER_MS));
    timer.unref?.();
    this.live.set(record.id, { record, timer, waiters: [] });
    return record;
  }

  get(id: string): ApprovalRecord | undefined {
    this.prune();
    return this.live.get(id)?.record ?? this.settled.get(id);
  }

  pending(): ApprovalRecord[] {
    return [...this.live.values()].map((l) => l.record);
  }

  /** By full id, or by an id prefix that only one visible record has. */
  lookup(input: string, state: "pending" | "settled", visible: (r: ApprovalRecord) => boolean): Lookup {
    this.prune();
    const pool = state === "pending" ? [...this.live.values()].map((l) => l.record) : [...this.settled.values()];
    const exact = pool.find((r) => r.id === input);
    if (exact) return visible(exact) ? { kind: "found", record: exact } : { kind: "none" };
    if (input.length < 4) return { kind: "none" };
    const hits = pool.filter((r) => r.id.startsWith(input) && visible(r));
    if (hits.length === 1) return { kind: "found", record: hits[0]! };
    return hits.length === 0 ? { kind: "none" } : { kind: "ambiguous" };
  }

  /** Ends a pending record once; later calls (a second resolve, expiry after abort) return undefined. */
  settle(id: string, s: Settlement): ApprovalRecord | undefined {
    const l = this.live.get(id);
    if (!l) return undefined;
    this.live.delete(id);
    clearTimeout(l.timer);
    const r = l.record;
    r.status = s.status;
    r.decision = s.decision;
    r.terminalReason = s.terminalReason;
    r.resolvedAtMs = this.now();
    r.resolvedBy = s.resolvedBy ?? null;
    if (s.resolver) r.resolver = s.resolver;
    this.settled.set(id, r);
    this.prune();
    for (const w of l.waiters) w(r);
    this.onSettled(r);
    return r;
  }

  /** Resolves when the record settles (at once if it has); undefined for an unknown id. */
  wait(id: string): Promise<ApprovalRecord> | undefined {
    const l = this.live.get(id);
    if (l) return new Promise((resolve) => l.waiters.push(resolve));
    const done = this.get(id);
    return done ? Promise.resolve(done) : undefined;
  }

  /** Every pending record ends with the same settlement (gateway stop). */
  settleAll(s: Settlement): void {
    for (const id of [...this.live.keys()]) this.settle(id, s);
  }

  private prune(): void {
    const cutoff = this.now() - KEEP_SETTLED_MS;
    for (const [id, r] of this.settled) {
      if (this.settled.size <= MAX_SETTLED && (r.resolvedAtMs ?? 0) >= cutoff) break;
      this.settled.delete(id);
    }
  }
}

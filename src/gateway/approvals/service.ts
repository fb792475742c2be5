/**
 * Exec approvals on the gateway: the host document (policy, allowlists) and the operator round
 * trip. It is gateway state, not agent state: an agents rebuild on reload keeps every pending
 * record, and the exec tool reaches it as `gw.approvals` (an ExecApprovalService).
 */
import type {
  ExecApprovalInput, ExecApprovalService, ExecAsk, ExecDecision, ExecPolicy, ExecSecurity,
} from "../../agents/tools/types.ts";
import type { Logger } from "../../logging/logger.ts";
import { ErrorCodes, GatewayError } from "../../protocol/index.ts";
import type { ConnState, GatewaySocket } from "../ws/conn.ts";
import { allowAlwaysEntry, findMatch } from "./allowlist.ts";
import { audienceOf, canSee } from "./audience.ts";
import {
  allowlistFor, combinePolicy, hostPolicy, InvalidDocumentError, normalizeDocument, type ApprovalsDocument,
} from "./document.ts";
import { ApprovalRecords, DEFAULT_APPROVAL_TIMEOUT_MS, type ApprovalRecord, type Resolver, type Settlement } from "./records.ts";
import { ApprovalsStoreError, type ApprovalsSnapshot, type ExecApprovalsHandle } from "./store.ts";
import { listEntry, requestPayload, type RequestFields } from "./views.ts";

/** The socket side the service needs: filtered broadcasts (with seq) and the live sockets. */
export interface ApprovalsTransport {
  broadcast(event: string, payload: unknown, stateVersion: undefined, scope: string, only: (d: ConnState) => boolean): void;
  all(): Iterable<GatewaySocket>;
}

export interface GatewayApprovalsDeps {
  store: ExecApprovalsHandle;
  transport: ApprovalsTransport;
  log: Logger;
  /** Expands `~` in allowlist path patterns. */
  home: string;
}

/** When the document cannot be read, exec is refused rather than allowed. */
const FAIL_CLOSED: ExecPolicy = { security: "deny", ask: "always", askFallback: "deny" };
const MAX_PENDING = 500;
const APPROVAL_ID = /^[A-Za-z0-9._:][A-Za-z0-9._:-]{0,127}$/;

export interface OpenOptions {
  timeoutMs?: number;
  id?: string;
  /** The exec.approval.request caller; absent for the gateway's own exec tool. */
  requester?: ConnState;
}

function abortError(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException("This operation was aborted", "AbortError");
}

export class GatewayApprovals implements ExecApprovalService {
  readonly records: ApprovalRecords;

  constructor(private readonly deps: GatewayApprovalsDeps) {
    this.records = new ApprovalRecords((r) => this.announceResolved(r));
  }

  // ---- the host document ------------------------------------------------------------------

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      this.deps.log.error(`exec approvals store ${this.deps.store.path}: ${(err as Error).message}`);
      throw new GatewayError(ErrorCodes.UNAVAILABLE, `exec approvals unavailable: ${(err as Error).message}`, { retryable: !(err instanceof ApprovalsStoreError) });
    }
  }

  /** exec.approvals.get: the stored document (the empty one is written on first read). */
  snapshot(): ApprovalsSnapshot {
    return this.read(() => this.deps.store.get().ensure());
  }

  /**
   * exec.approvals.set: replaces the document when `baseHash` still names the stored one. A host
   * that never stored one accepts a write without a hash.
   */
  replaceDocument(file: unknown, baseHash: string | undefined): ApprovalsSnapshot {
    let doc: ApprovalsDocument;
    try {
      doc = normalizeDocument(file);
    } catch (err) {
      if (err instanceof InvalidDocumentError) throw new GatewayError(ErrorCodes.INVALID_REQUEST, err.message);
      throw err;
    }
    return this.read(() => {
      const store = this.deps.store.get();
      const current = store.read();
      if (current.exists && !baseHash) {
        throw new GatewayError(ErrorCodes.INVALID_REQUEST, "exec approvals base hash required; re-run exec.approvals.get and retry");
      }
      const next = store.replace(doc, baseHash ?? current.hash);
      if (!next) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "exec approvals changed since last load; re-run exec.approvals.get and retry");
      return next;
    });
  }

  private document(): ApprovalsDocument | undefined {
    try {
      return this.deps.store.get().read().file;
    } catch (err) {
      this.deps.log.error(`exec approvals store ${this.deps.store.path}: ${(err as Error).message}; exec is refused until it is fixed`);
      return undefined;
    }
  }

  effectivePolicy(agentId: string, requested: { security: ExecSecurity; ask: ExecAsk }): ExecPolicy {
    const doc = this.document();
    return doc ? combinePolicy(requested, hostPolicy(doc, agentId)) : FAIL_CLOSED;
  }

  allowlisted(agentId: string, argv: string[], resolvedPath: string | null): boolean {
    const doc = this.document();
    return doc !== undefined && findMatch(allowlistFor(doc, agentId), { argv, resolvedPath, home: this.deps.home }) !== undefined;
  }

  rememberAllowAlways(agentId: string, argv: string[], resolvedPath: string | null, command: string): void {
    const now = Date.now();
    const entry = allowAlwaysEntry(argv, resolvedPath, command, now, crypto.randomUUID());
    this.read(() =>
      this.deps.store.get().update((doc) => {
        const agents = (doc.agents ??= {});
        const agent = (agents[agentId] ??= {});
        const list = (agent.allowlist ??= []);
        const same = list.find((e) => e.pattern === entry.pattern && e.argPattern === entry.argPattern);
        if (same) Object.assign(same, { lastUsedAt: now, lastUsedCommand: command });
        else list.push(entry);
      }),
    );
  }

  // ---- records and the round trip ---------------------------------------------------------

  /** Creates a pending record (exec.approval.request's checks on id and volume included). */
  open(fields: RequestFields, opts: OpenOptions = {}): ApprovalRecord {
    if (this.records.pendingCount >= MAX_PENDING) {
      throw new GatewayError(ErrorCodes.UNAVAILABLE, `too many pending approvals (${MAX_PENDING}); resolve some first`, { retryable: true });
    }
    const id = opts.id ?? crypto.randomUUID();
    if (opts.id !== undefined) {
      if (!APPROVAL_ID.test(id)) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "approval id must be 1-128 letters, digits or . _ : -");
      if (id.startsWith("plugin:")) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "approval ids starting with plugin: are reserved");
      if (this.records.has(id)) throw new GatewayError(ErrorCodes.INVALID_REQUEST, "approval id already pending");
    }
    const requester = opts.requester;
    return this.records.create(
      {
        id,
        request: requestPayload(fields),
        ...(requester ? { requestedByConnId: requester.connId } : {}),
        ...(requester?.deviceId ? { requestedByDeviceId: requester.deviceId } : {}),
      },
      opts.timeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS,
    );
  }

  /**
   * Offers a record to the approval clients that may see it (not its own requester). With none,
   * it ends at once as `no-route` and false is returned: nobody could ever answer. A requester
   * that routes prompts itself (`keepWithoutRoute`) keeps the record pending instead.
   */
  offer(r: ApprovalRecord, opts: { exclude?: string; keepWithoutRoute?: boolean } = {}): boolean {
    const only = audienceOf(r, { exclude: opts.exclude });
    const reached = [...this.deps.transport.all()].some((ws) => only(ws.data));
    if (!reached && opts.keepWithoutRoute) return true;
    if (!reached) {
      this.records.settle(r.id, { status: "denied", decision: null, terminalReason: "no-route" });
      return false;
    }
    const payload = { approvalKind: "exec", id: r.id, request: r.request, createdAtMs: r.createdAtMs, expiresAtMs: r.expiresAtMs };
    this.deps.transport.broadcast("exec.approval.requested", payload, undefined, "operator.approvals", only);
    return true;
  }

  async request(
    input: ExecApprovalInput,
    opts: { signal?: AbortSignal; onPending?: (approvalId: string) => void } = {},
  ): Promise<{ id: string; decision: ExecDecision | null; reason?: string }> {
    const { signal } = opts;
    if (signal?.aborted) throw abortError(signal);
    const allowed = input.allowedDecisions.includes("deny") ? input.allowedDecisions : [...input.allowedDecisions, "deny" as const];
    const r = this.open(
      {
        command: input.command, cwd: input.cwd, host: input.host, nodeId: input.nodeId, systemRunPlan: input.systemRunPlan,
        security: input.security, ask: input.ask, allowedDecisions: allowed, agentId: input.agentId, resolvedPath: input.resolvedPath,
        sessionKey: input.sessionKey, runId: input.runId, toolCallId: input.toolCallId,
      },
      { timeoutMs: input.timeoutMs },
    );
    if (!this.offer(r)) return { id: r.id, decision: null, reason: "no-approval-route" };
    const settled = this.records.wait(r.id)!;
    const onAbort = () => this.records.settle(r.id, { status: "cancelled", decision: "deny", terminalReason: "run-aborted" });
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      opts.onPending?.(r.id);
      const done = await settled;
      if (done.terminalReason === "run-aborted") throw abortError(signal);
      return done.terminalReason === "user" ? { id: r.id, decision: done.decision } : { id: r.id, decision: done.decision, reason: done.terminalReason! };
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // A throwing onPending must not leave a prompt nobody waits for.
      if (this.records.get(r.id)?.status === "pending") onAbort();
    }
  }

  /**
   * An operator's decision on a pending record. A verdict the record cannot take (null, or a
   * decision it does not offer) closes it as deny: a malformed answer never allows anything.
   */
  decide(r: ApprovalRecord, decision: ExecDecision | null, by: ConnState): ApprovalRecord | undefined {
    const resolvedBy = by.client?.displayName ?? by.client?.id ?? null;
    const resolver: Resolver = by.deviceId ? { kind: "device", id: by.deviceId } : { kind: "runtime", ...(by.client?.id ? { id: by.client.id } : {}) };
    const s: Settlement = decision !== null && r.request.allowedDecisions.includes(decision)
      ? { status: decision === "deny" ? "denied" : "allowed", decision, terminalReason: "user", resolvedBy, resolver }
      : { status: "denied", decision: "deny", terminalReason: "malformed-verdict", resolvedBy, resolver };
    return this.records.settle(r.id, s);
  }

  /** exec.approval.list for one caller. */
  visiblePending(conn: ConnState): ReturnType<typeof listEntry>[] {
    return this.records.pending().filter((r) => canSee(conn, r)).map(listEntry);
  }

  private announceResolved(r: ApprovalRecord): void {
    // Nobody was told about a record that had no route, so nobody is told it ended.
    if (r.terminalReason === "no-route") return;
    const payload = { id: r.id, decision: r.decision ?? "deny", resolvedBy: r.resolvedBy ?? null, ts: r.resolvedAtMs ?? Date.now(), request: r.request };
    this.deps.transport.broadcast("exec.approval.resolved", payload, undefined, "operator.approvals", audienceOf(r));
  }

  /** Gateway stop: every pending record is closed as deny. */
  closePending(): void {
    this.records.settleAll({ status: "cancelled", decision: "deny", terminalReason: "gateway-restart" });
  }

  close(): void {
    this.closePending();
    this.deps.store.close();
  }
}

/**
 * Idempotent hook agent runs. A request with an idempotency key is identified by the hook token,
 * the path and the resolved dispatch fields plus the key: a repeat gets the first request's
 * dispatch (the same runId, and for waiting callers the same completion) and starts nothing.
 * Pending and running entries are kept until they finish; a finished one is kept 5 minutes, at
 * most 1000 of them. A failed admission is forgotten so the sender can retry. In memory only.
 */

export interface Completion {
  status: "ok" | "error" | "skipped";
  replyDisposition: "visible" | "silent" | "empty";
  delivered?: boolean;
  deliveryAttempted?: boolean;
  deliveryError?: "delivery-failed";
  deliverySuppressionReason?: "empty" | "silent";
}

export type AgentDispatch =
  | { ok: true; runId: string; completion: Promise<Completion> }
  | { ok: false; status: number; error: string; runId?: string };

type Entry = { state: "pending" | "running"; dispatch: Promise<AgentDispatch> } | { state: "done"; at: number; dispatch: Promise<AgentDispatch> };

export const REPLAY_TTL_MS = 5 * 60_000;
export const REPLAY_MAX_DONE = 1000;

const sha256 = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex");

/** Trimmed, non-empty and at most 256 characters, or not a key at all. */
export function idempotencyKeyOf(raw: unknown): string | undefined {
  if (typeof raw !== "string") return undefined;
  const key = raw.trim();
  return key && key.length <= 256 ? key : undefined;
}

export function replayKey(token: string, path: string, scope: unknown, idempotencyKey: string | undefined): string | undefined {
  if (!idempotencyKey) return undefined;
  return `${sha256(token)}:${sha256(JSON.stringify({ path, scope }))}:${sha256(idempotencyKey)}`;
}

export class ReplayCache {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The first dispatch for this key, or a new one from `start`. Without a key, always new. */
  run(key: string | undefined, start: () => Promise<AgentDispatch>): Promise<AgentDispatch> {
    if (!key) return start();
    this.#prune();
    const existing = this.#entries.get(key);
    if (existing) return existing.dispatch;
    const dispatch = start().then(
      (result) => {
        if (this.#entries.get(key)?.dispatch !== dispatch) return result;
        if (!result.ok) {
          this.#entries.delete(key);
          return result;
        }
        const running: Entry = { state: "running", dispatch };
        this.#entries.set(key, running);
        const settle = () => {
          if (this.#entries.get(key) !== running) return;
          // Re-inserted so the map's order is the order runs finished in: the oldest go first.
          this.#entries.delete(key);
          this.#entries.set(key, { state: "done", at: this.now(), dispatch });
          this.#prune();
        };
        result.completion.then(settle, settle);
        return result;
      },
      (err: unknown) => {
        if (this.#entries.get(key)?.dispatch === dispatch) this.#entries.delete(key);
        throw err;
      },
    );
    this.#entries.set(key, { state: "pending", dispatch });
    return dispatch;
  }

  #prune(): void {
    const now = this.now();
    let done = 0;
    for (const entry of this.#entries.values()) if (entry.state === "done") done++;
    for (const [key, entry] of this.#entries) {
      if (entry.state !== "done") continue;
      if (now - entry.at >= REPLAY_TTL_MS || done > REPLAY_MAX_DONE) {
        this.#entries.delete(key);
        done--;
      }
    }
  }
}

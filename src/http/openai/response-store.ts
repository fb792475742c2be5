/**
 * previous_response_id → session, kept in memory by one app instance. A response id is only
 * honoured for the same auth subject, agent and x-openclaw-session-key scope that created it, so
 * guessing an id never joins someone else's session.
 */

export interface StoredResponse {
  sessionKey: string;
  agentId: string;
  subject: string;
  /** The x-openclaw-session-key header of the creating request, if any. */
  scopeKey: string | undefined;
}

export const RESPONSE_TTL_MS = 30 * 60 * 1000;
export const RESPONSE_MAX_ENTRIES = 500;

export class ResponseSessionMap {
  readonly #entries = new Map<string, StoredResponse & { expiresAt: number }>();

  constructor(
    private readonly ttlMs = RESPONSE_TTL_MS,
    private readonly maxEntries = RESPONSE_MAX_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  remember(responseId: string, entry: StoredResponse): void {
    this.#sweep();
    this.#entries.delete(responseId);
    this.#entries.set(responseId, { ...entry, expiresAt: this.now() + this.ttlMs });
    // Map order is insertion order, so the first keys are the oldest responses.
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries) break;
      this.#entries.delete(key);
    }
  }

  /** The session to continue, or undefined (unknown, expired or not this caller's) for a new one. */
  sessionFor(responseId: string, who: Omit<StoredResponse, "sessionKey">): string | undefined {
    const entry = this.#entries.get(responseId);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(responseId);
      return undefined;
    }
    const same = entry.subject === who.subject && entry.agentId === who.agentId && entry.scopeKey === who.scopeKey;
    return same ? entry.sessionKey : undefined;
  }

  get size(): number {
    return this.#entries.size;
  }

  #sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}

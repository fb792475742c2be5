/** The prepared statements and transactions of one connection, built once when the store opens. */
import type { Database, Statement } from "bun:sqlite";
import { decodeMessage, decodeRun, decodeSession, previewOf, type EncodedMessage, type MessageRow, type RunRow, type SessionRow } from "./codec.ts";
import type { HistoryPage, StartRunResult, StoredMessage } from "./types.ts";

type Q<R = unknown> = Statement<R, any[]>;

export function prepare(db: Database) {
  const q = <R>(sql: string) => db.query(sql) as Q<R>;
  const nextRev = "(SELECT COALESCE(MAX(rev), 0) + 1 FROM sessions)";
  return {
    getSession: q<SessionRow>("SELECT * FROM sessions WHERE key = $key"),
    insertSession: q(
      `INSERT INTO sessions (key, agent_id, session_id, created_at, updated_at, message_count, rev)
       VALUES ($key, $agentId, $sessionId, $now, $now, 0, ${nextRev}) ON CONFLICT (key) DO NOTHING`,
    ),
    touchSession: q(
      `UPDATE sessions SET updated_at = MAX(updated_at, $now), message_count = message_count + $n,
         last_preview = COALESCE($preview, last_preview), rev = ${nextRev} WHERE key = $key`,
    ),
    lastSeq: q<{ seq: number }>("SELECT COALESCE(MAX(seq), 0) AS seq FROM messages WHERE session_key = $key"),
    insertMessage: q(
      `INSERT INTO messages (session_key, seq, id, role, content, tool_calls, tool_call_id, run_id, ts, meta)
       VALUES ($key, $seq, $id, $role, $content, $toolCalls, $toolCallId, $runId, $ts, $meta)`,
    ),
    page: q<MessageRow>("SELECT * FROM messages WHERE session_key = $key AND seq < $before ORDER BY seq DESC LIMIT $limit"),
    listAll: q<SessionRow>("SELECT * FROM sessions ORDER BY rev DESC LIMIT $limit OFFSET $offset"),
    listByAgent: q<SessionRow>("SELECT * FROM sessions WHERE agent_id = $agentId ORDER BY rev DESC LIMIT $limit OFFSET $offset"),
    countAll: q<{ n: number }>("SELECT COUNT(*) AS n FROM sessions"),
    countByAgent: q<{ n: number }>("SELECT COUNT(*) AS n FROM sessions WHERE agent_id = $agentId"),
    deleteSession: q("DELETE FROM sessions WHERE key = $key"),
    getRun: q<RunRow>("SELECT * FROM runs WHERE run_id = $runId"),
    getRunByKey: q<RunRow>("SELECT * FROM runs WHERE idempotency_key = $key"),
    insertRun: q(
      `INSERT INTO runs (run_id, idempotency_key, session_key, agent_id, status, created_at)
       VALUES ($runId, $key, $sessionKey, $agentId, 'running', $now)`,
    ),
    finishRun: q(
      `UPDATE runs SET status = $status, result = $result, error = $error, finished_at = MAX(created_at, $now)
       WHERE run_id = $runId AND status = 'running'`,
    ),
  };
}
export type Statements = ReturnType<typeof prepare>;
export type NewRun = { runId: string; idempotencyKey?: string; sessionKey: string; agentId: string };

/** Creates the session row when missing; refuses a key that belongs to another agent. */
function ensureRow(s: Statements, key: string, agentId: string, now: number): SessionRow {
  s.insertSession.run({ key, agentId, sessionId: crypto.randomUUID(), now });
  const row = s.getSession.get({ key })!;
  if (row.agent_id !== agentId) throw new Error(`session ${JSON.stringify(key)} belongs to agent ${JSON.stringify(row.agent_id)}, not ${JSON.stringify(agentId)}`);
  return row;
}

/** The transactions, built once per connection. */
export function transactions(db: Database, s: Statements) {
  return {
    ensure: db.transaction(ensureRow.bind(null, s)),

    append: db.transaction((key: string, agentId: string, msgs: EncodedMessage[], now: number): StoredMessage[] => {
      ensureRow(s, key, agentId, now);
      let seq = s.lastSeq.get({ key })!.seq;
      let preview: string | undefined;
      const out: StoredMessage[] = [];
      for (const m of msgs) {
        const stored: StoredMessage = { id: Bun.randomUUIDv7(), seq: ++seq, role: m.role, content: m.content, timestamp: m.timestamp ?? now };
        if (m.toolCalls) stored.toolCalls = m.toolCalls;
        if (m.toolCallId !== undefined) stored.toolCallId = m.toolCallId;
        if (m.runId !== undefined) stored.runId = m.runId;
        if (m.meta) stored.meta = m.meta;
        s.insertMessage.run({
          key, seq, id: stored.id, role: m.role, content: m.content, toolCalls: m.toolCallsJson, toolCallId: m.toolCallId ?? null,
          runId: m.runId ?? null, ts: stored.timestamp, meta: m.metaJson,
        });
        preview = previewOf(m.content) ?? preview;
        out.push(stored);
      }
      s.touchSession.run({ key, now, n: msgs.length, preview: preview ?? null });
      return out;
    }),

    history: db.transaction((key: string, limit: number | undefined, before: number): HistoryPage => {
      const session = s.getSession.get({ key });
      if (!session) return { messages: [], hasMore: false, total: 0 };
      // One row past the page tells whether older messages exist.
      const rows = s.page.all({ key, before, limit: limit === undefined ? -1 : limit + 1 });
      const hasMore = limit !== undefined && rows.length > limit;
      if (hasMore) rows.pop();
      return { messages: rows.reverse().map(decodeMessage), hasMore, total: session.message_count };
    }),

    list: db.transaction((agentId: string | undefined, limit: number, offset: number) =>
      agentId === undefined
        ? { sessions: s.listAll.all({ limit, offset }).map(decodeSession), total: s.countAll.get()!.n }
        : { sessions: s.listByAgent.all({ agentId, limit, offset }).map(decodeSession), total: s.countByAgent.get({ agentId })!.n },
    ),

    startRun: db.transaction((r: NewRun, now: number): StartRunResult => {
      const key = r.idempotencyKey ?? null;
      const byKey = key === null ? null : s.getRunByKey.get({ key });
      if (byKey) return { created: false, run: decodeRun(byKey) };
      const byId = s.getRun.get({ runId: r.runId });
      if (byId) {
        if (key !== null && byId.idempotency_key !== key) {
          throw new Error(`run ${JSON.stringify(r.runId)} already exists with idempotency key ${JSON.stringify(byId.idempotency_key)}`);
        }
        return { created: false, run: decodeRun(byId) };
      }
      s.insertRun.run({ runId: r.runId, key, sessionKey: r.sessionKey, agentId: r.agentId, now });
      return { created: true, run: decodeRun(s.getRun.get({ runId: r.runId })!) };
    }),
  };
}
export type Transactions = ReturnType<typeof transactions>;

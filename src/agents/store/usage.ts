/**
 * Token usage summed from the transcript: every assistant message carries its provider call's
 * `meta.usage`, so the totals per agent/provider/model over a window are one grouped scan of the
 * messages since the window's start. No extra table: the transcript already is the record.
 */

export interface UsageRow {
  agentId: string;
  provider: string;
  model: string;
  /** Sums over messages at or after `since`. */
  inputTokens: number;
  outputTokens: number;
  calls: number;
  /** The same sums over messages at or after `recent` (a later cut inside the window). */
  recentInputTokens: number;
  recentOutputTokens: number;
  recentCalls: number;
  lastAt: number;
}

const num = (path: string) => `COALESCE(CAST(json_extract(m.meta, '${path}') AS INTEGER), 0)`;

export const USAGE_SQL = `
SELECT s.agent_id AS agentId,
       json_extract(m.meta, '$.provider') AS provider,
       json_extract(m.meta, '$.model') AS model,
       SUM(${num("$.usage.inputTokens")}) AS inputTokens,
       SUM(${num("$.usage.outputTokens")}) AS outputTokens,
       COUNT(*) AS calls,
       SUM(CASE WHEN m.ts >= $recent THEN ${num("$.usage.inputTokens")} ELSE 0 END) AS recentInputTokens,
       SUM(CASE WHEN m.ts >= $recent THEN ${num("$.usage.outputTokens")} ELSE 0 END) AS recentOutputTokens,
       SUM(m.ts >= $recent) AS recentCalls,
       MAX(m.ts) AS lastAt
  FROM messages m JOIN sessions s ON s.key = m.session_key
 WHERE m.role = 'assistant' AND m.meta IS NOT NULL AND m.ts >= $since
   AND json_type(m.meta, '$.provider') = 'text' AND json_type(m.meta, '$.model') = 'text'
 GROUP BY 1, 2, 3
 ORDER BY 2, 3, 1`;

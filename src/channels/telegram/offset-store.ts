/**
 * The last update id the gateway committed, per account, so a restart asks Telegram for what comes
 * after it instead of replaying the last batch. It is only an optimisation: the ingress table
 * dedupes by event id, so a lost or stale file costs a harmless replay, never a lost message.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface SavedOffset {
  /** Highest update_id that is committed (or skipped on purpose). */
  lastUpdateId: number;
  /** Update ids are per bot: an offset saved for another bot (token changed) must not be used. */
  botId?: number;
}

export function offsetPath(stateDir: string, accountId: string): string {
  return join(stateDir, "telegram", `offset-${accountId}.json`);
}

export function readOffset(stateDir: string, accountId: string): SavedOffset | undefined {
  let text: string;
  try {
    text = readFileSync(offsetPath(stateDir, accountId), "utf8");
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (!Number.isSafeInteger(v.lastUpdateId)) return undefined;
    const out: SavedOffset = { lastUpdateId: v.lastUpdateId as number };
    if (Number.isSafeInteger(v.botId)) out.botId = v.botId as number;
    return out;
  } catch {
    return undefined;
  }
}

/**
 * Through a temp file and a rename, so a reader sees the old offset or the new one, but without an
 * fsync: the poller saves after every batch, while the turns of that batch are under way, and the
 * fsync blocked the event loop for 0.3-1.5 ms (up to 8) each time. A power cut may cost the latest
 * offset (or leave an unreadable file, read as none): a replay the ingress table dedupes, as above.
 */
export function writeOffset(stateDir: string, accountId: string, offset: SavedOffset): void {
  const path = offsetPath(stateDir, accountId);
  const tmp = `${path}.${process.pid}.tmp`;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(tmp, `${JSON.stringify({ version: 1, ...offset, updatedAt: Date.now() })}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

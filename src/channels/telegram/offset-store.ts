/**
 * The last update id the gateway committed, per account, so a restart asks Telegram for what comes
 * after it instead of replaying the last batch. It is only an optimisation: the ingress table
 * dedupes by event id, so a lost or stale file costs a harmless replay, never a lost message.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../config/write-file.ts";

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

export function writeOffset(stateDir: string, accountId: string, offset: SavedOffset): void {
  writeFileAtomic(offsetPath(stateDir, accountId), `${JSON.stringify({ version: 1, ...offset, updatedAt: Date.now() })}\n`);
}

/** File plumbing shared by write and edit: atomic replacement, binary sniffing, a small line diff. */
import { randomUUID } from "node:crypto";
import { chmod, open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { realpathLoose } from "./paths.ts";

/** Bytes looked at to decide whether a file is text. */
export const SNIFF_BYTES = 8192;

export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, SNIFF_BYTES).includes(0);
}

/**
 * Replaces `target` with `data` in one step: readers see the old file or the new one, never half of
 * each, and a failed write leaves the old file alone. A symlink is written through (its target
 * changes, the link stays) and an existing file keeps its permission bits.
 */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const real = await realpathLoose(target);
  let mode: number | undefined;
  try {
    mode = (await stat(real)).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  const tmp = join(dirname(real), `.${basename(real)}.${randomUUID().slice(0, 8)}.tmp`);
  try {
    const fh = await open(tmp, "wx", mode ?? 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    // open's mode is filtered by the umask; the old file's bits are what the user chose.
    if (mode !== undefined) await chmod(tmp, mode);
    await rename(tmp, real);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export interface LineDiff {
  /** `-<old line no> text` / `+<new line no> text` rows of the changed stretch. */
  diff: string;
  /** 1-based line of the new text where the first difference is; null when nothing changed. */
  firstChangedLine: number | null;
  added: number;
  removed: number;
}

/**
 * The changed stretch between two texts (common head and tail dropped). Not a minimal diff: edits in
 * two distant places show everything between them, which is fine for a progress view.
 */
export function lineDiff(before: string, after: string, maxRows = 200): LineDiff {
  if (before === after) return { diff: "", firstChangedLine: null, added: 0, removed: 0 };
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const removed = a.slice(head, a.length - tail);
  const added = b.slice(head, b.length - tail);
  const rows = [...removed.map((l, i) => `-${head + i + 1} ${l}`), ...added.map((l, i) => `+${head + i + 1} ${l}`)];
  const shown = rows.length > maxRows ? [...rows.slice(0, maxRows), `… ${rows.length - maxRows} more changed lines`] : rows;
  return { diff: shown.join("\n"), firstChangedLine: head + 1, added: added.length, removed: removed.length };
}

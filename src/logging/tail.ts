import { open, stat } from "node:fs/promises";

export interface TailParams {
  cursor?: number;
  limit?: number;
  maxBytes?: number;
}

export interface TailResult {
  file: string;
  cursor: number;
  size: number;
  lines: string[];
  truncated?: boolean;
  reset?: boolean;
  skippedBytes?: number;
}

export const TAIL_DEFAULT_LIMIT = 500;
export const TAIL_DEFAULT_MAX_BYTES = 250_000;
const NL = 0x0a;

function clampInt(v: number | undefined, min: number, max: number, fallback: number): number {
  if (v === undefined || !Number.isFinite(v)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(v)));
}

/**
 * logs.tail semantics: read at most `maxBytes` from the end (or from the cursor), return only complete
 * lines, and hand back a cursor that sits at the start of the first unread line.
 */
export async function tailLogFile(file: string, p: TailParams): Promise<TailResult> {
  const limit = clampInt(p.limit, 1, 5000, TAIL_DEFAULT_LIMIT);
  const maxBytes = clampInt(p.maxBytes, 1, 1_000_000, TAIL_DEFAULT_MAX_BYTES);
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { file, cursor: 0, size: 0, lines: [] };
    throw e;
  }

  const result: TailResult = { file, cursor: size, size, lines: [] };
  let start: number;
  const cursor = p.cursor === undefined ? undefined : Math.max(0, Math.floor(p.cursor));
  if (cursor === undefined || cursor > size) {
    // A cursor past the end means the file was rotated or truncated under the reader.
    if (cursor !== undefined) result.reset = true;
    start = Math.max(0, size - maxBytes);
    if (start > 0) result.truncated = true;
  } else if (size - cursor > maxBytes) {
    start = size - maxBytes;
    result.reset = true;
    result.truncated = true;
    result.skippedBytes = start - cursor;
  } else {
    start = cursor;
  }
  if (start >= size) {
    result.cursor = size;
    return result;
  }

  // One extra byte before `start` tells whether the window begins exactly at a line boundary.
  const readFrom = start > 0 ? start - 1 : 0;
  const buf = Buffer.alloc(size - readFrom);
  const fh = await open(file, "r");
  let got = 0;
  try {
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, readFrom + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
  } finally {
    await fh.close();
  }
  const data = buf.subarray(0, got);

  let begin = start - readFrom;
  if (start > 0 && data[0] !== NL) {
    // Mid-line: the fragment before the first newline cannot be parsed, so skip it.
    const nl = data.indexOf(NL, begin);
    begin = nl === -1 ? data.length : nl + 1;
    if (nl === -1) {
      // Still inside one unfinished line; stay put so the whole line is read once it ends.
      result.cursor = start;
      return result;
    }
  }
  const lastNl = data.lastIndexOf(NL);
  if (lastNl < begin) {
    result.cursor = readFrom + begin;
    return result;
  }
  result.cursor = readFrom + lastNl + 1;
  let lines = data
    .subarray(begin, lastNl)
    .toString("utf8")
    .split("\n")
    .map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l))
    .filter((l) => l.length > 0);
  if (lines.length > limit) {
    lines = lines.slice(-limit);
    result.truncated = true;
  }
  result.lines = lines;
  return result;
}

/**
 * `read`: a text file's lines, a window at a time. The file is streamed so a huge log costs memory
 * only for the lines shown; the rest is just counted so the model knows how much is left.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { optionalInt } from "../args.ts";
import { textResult, ToolInputError, type AgentTool } from "../types.ts";
import { looksBinary, SNIFF_BYTES } from "./files.ts";
import { describeFsError, pathArg, resolveToolPath } from "./paths.ts";

export const READ_MAX_LINES = 2000;
export const READ_MAX_BYTES = 50 * 1024;

type StopReason = "limit" | "lines" | "bytes" | "line-too-long";

interface Window {
  lines: string[];
  shownBytes: number;
  /** Lines of the file (from the start byte) in all. */
  totalLines: number;
  stop: StopReason | null;
  /** Byte where the first line not shown starts (or where an overlong line was cut). */
  nextByte: number;
  binary: boolean;
}

const decoder = new TextDecoder();

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The longest prefix of `bytes` within `max` bytes that does not split a UTF-8 character. */
function utf8Prefix(bytes: Uint8Array, max: number): Uint8Array {
  let end = Math.min(max, bytes.length);
  while (end > 0 && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end);
}

/**
 * Scans from byte `start`, keeping lines firstLine.. (1-based, relative to `start`) until `want`
 * lines or READ_MAX_BYTES are collected; counts every line either way.
 */
async function scan(file: string, start: number, firstLine: number, want: number, reason: StopReason, signal?: AbortSignal): Promise<Window> {
  const w: Window = { lines: [], shownBytes: 0, totalLines: 0, stop: null, nextByte: start, binary: false };
  let line = 1;
  let lineStart = start;
  let pos = start;
  // The current line's bytes while it is wanted; capped, since only READ_MAX_BYTES of it can be shown.
  let parts: Uint8Array[] = [];
  let kept = 0;
  let lineLen = 0;
  let sniffed = 0;

  const finish = () => {
    w.totalLines++;
    if (line >= firstLine && w.stop === null) {
      const bytes = concat(parts, kept);
      const sep = w.lines.length ? 1 : 0;
      if (w.lines.length >= want) {
        w.stop = reason;
        w.nextByte = lineStart;
      } else if (lineLen > READ_MAX_BYTES && w.lines.length === 0) {
        const head = utf8Prefix(bytes, READ_MAX_BYTES);
        w.lines.push(decoder.decode(head));
        w.shownBytes = head.length;
        w.stop = "line-too-long";
        w.nextByte = lineStart + head.length;
      } else if (w.shownBytes + sep + lineLen > READ_MAX_BYTES) {
        w.stop = "bytes";
        w.nextByte = lineStart;
      } else {
        const text = decoder.decode(bytes);
        w.lines.push(text.endsWith("\r") ? text.slice(0, -1) : text);
        w.shownBytes += sep + lineLen;
      }
    }
    parts = [];
    kept = 0;
    lineLen = 0;
    line++;
  };

  // node's stream rather than Bun.file: /proc and other size-0 special files still read.
  const stream = createReadStream(file, { start });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    signal?.throwIfAborted();
    if (sniffed < SNIFF_BYTES) {
      if (looksBinary(chunk.subarray(0, SNIFF_BYTES - sniffed))) {
        w.binary = true;
        stream.destroy();
        return w;
      }
      sniffed += chunk.length;
    }
    let at = 0;
    while (at < chunk.length) {
      const nl = chunk.indexOf(0x0a, at);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(at, end);
      lineLen += piece.length;
      if (line >= firstLine && w.stop === null && kept <= READ_MAX_BYTES) {
        // Copy: the stream may reuse its buffer once we move on.
        const take = piece.subarray(0, READ_MAX_BYTES + 4 - kept).slice();
        parts.push(take);
        kept += take.length;
      }
      pos += end - at;
      if (nl === -1) break;
      finish();
      pos += 1;
      lineStart = pos;
      at = nl + 1;
    }
  }
  if (lineLen > 0) finish();
  return w;
}

function titleOf(args: Record<string, unknown>): string {
  const path = typeof args.path === "string" && args.path.trim() ? args.path.trim() : "file";
  const offset = typeof args.offset === "number" ? args.offset : undefined;
  const limit = typeof args.limit === "number" ? args.limit : undefined;
  if (limit !== undefined && (offset === undefined || offset === 1)) return `Read first ${limit} line${limit === 1 ? "" : "s"} of ${path}`;
  if (limit !== undefined && offset !== undefined) return `Read lines ${offset}-${offset + limit - 1} of ${path}`;
  if (offset !== undefined) return `Read ${path} from line ${offset}`;
  return `Read ${path}`;
}

export const readTool: AgentTool = {
  name: "read",
  description:
    `Read a text file. Relative paths are inside your workspace. Shows at most ${READ_MAX_LINES} lines or 50 KB; ` +
    "use offset (1-based line) and limit to page through longer files, as the note at the end of a cut result says.",
  parameters: {
    type: "object",
    properties: {
      path: { type: "string", description: "File to read (relative to the workspace, or absolute)" },
      offset: { type: "integer", minimum: 1, description: "First line to show (1-based)" },
      limit: { type: "integer", minimum: 1, description: "Most lines to show" },
      cursor: { type: "integer", minimum: 0, description: "Byte position to read from, as given by a note about a line too long to show" },
      optional: { type: "boolean", const: true, description: "A missing file is not an error" },
    },
    required: ["path"],
    additionalProperties: false,
  },
  title: titleOf,
  async execute(args, ctx) {
    const given = pathArg(args);
    const offset = optionalInt(args, "offset", 1, Number.MAX_SAFE_INTEGER);
    const limit = optionalInt(args, "limit", 1, Number.MAX_SAFE_INTEGER);
    const cursor = optionalInt(args, "cursor", 0, Number.MAX_SAFE_INTEGER);
    if (args.optional !== undefined && typeof args.optional !== "boolean") throw new ToolInputError("optional must be true");
    if (offset !== undefined && cursor !== undefined) throw new ToolInputError("Give either offset or cursor, not both.");
    ctx.signal?.throwIfAborted();
    const { abs, display } = await resolveToolPath(ctx, "read", given);

    let size: number;
    try {
      const st = await stat(abs);
      if (st.isDirectory()) throw new ToolInputError(`${display} is a directory; use ls to list it.`);
      size = st.size;
    } catch (e) {
      if (e instanceof ToolInputError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") {
        if (args.optional === true) return textResult(`File not found: ${abs} (optional; nothing to read).`, { kind: "missing", path: abs, optional: true });
        throw new Error(`File not found: ${abs}.`);
      }
      throw describeFsError(e, "read", display);
    }

    const start = cursor ?? 0;
    if (start > size) throw new ToolInputError(`cursor ${start} is past the end of the file (${size} bytes).`);
    const firstLine = offset ?? 1;
    const want = Math.min(limit ?? READ_MAX_LINES, READ_MAX_LINES);
    const reason: StopReason = limit !== undefined && limit <= READ_MAX_LINES ? "limit" : "lines";
    let w: Window;
    try {
      w = await scan(abs, start, firstLine, want, reason, ctx.signal);
    } catch (e) {
      if (ctx.signal?.aborted) throw e;
      throw describeFsError(e, "read", display);
    }

    const base = { path: abs, bytes: size };
    if (w.binary) return textResult(`[${display} is a binary file (${size} bytes); it is not shown as text.]`, { ...base, kind: "binary" });
    if (w.totalLines === 0 && firstLine === 1) return textResult("", { ...base, kind: "empty", totalLines: 0 });
    if (firstLine > w.totalLines) throw new ToolInputError(`Offset ${firstLine} is beyond the end of ${display} (${w.totalLines} lines).`);

    const content = w.lines.join("\n");
    const endLine = firstLine + w.lines.length - 1;
    const details: Record<string, unknown> = { ...base, kind: w.stop ? "truncated" : "full", totalLines: w.totalLines, startLine: firstLine, endLine };
    if (start > 0) details.cursor = start;
    if (!w.stop) return textResult(content, details);

    const more = w.totalLines - endLine;
    let note: string;
    let continuation: Record<string, unknown>;
    if (w.stop === "line-too-long") {
      const which = start > 0 ? `The line at cursor=${start}` : `Line ${endLine}`;
      note = `[${which} is longer than 50 KB; only its first 50 KB are shown. Use cursor=${w.nextByte} to read on from there.]`;
      continuation = { kind: "cursor", cursor: w.nextByte };
    } else if (start > 0) {
      note = `[${more} more lines in file. Use cursor=${w.nextByte} to continue.]`;
      continuation = { kind: "cursor", cursor: w.nextByte };
    } else {
      note = `[${more} more lines in file. Use offset=${endLine + 1} to continue.]`;
      continuation = { kind: "line", offset: endLine + 1, limit: want };
    }
    details.content = content;
    details.truncation = { reason: w.stop, maxLines: want, maxBytes: READ_MAX_BYTES, shownLines: w.lines.length, shownBytes: w.shownBytes };
    details.continuation = continuation;
    return textResult(`${content}\n\n${note}`, details);
  },
};

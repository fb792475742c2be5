/**
 * `edit`: exact-text replacements in one file. Every block must match exactly once in the file as it
 * is now; only then are all of them applied, in one atomic write, so a half-applied edit never exists.
 */
import { readFile, stat } from "node:fs/promises";
import { ToolInputError, textResult, type AgentTool } from "../types.ts";
import { lineDiff, looksBinary, writeFileAtomic } from "./files.ts";
import { describeFsError, pathArg, resolveToolPath } from "./paths.ts";

/** Largest file edit reads (and writes back). */
export const EDIT_MAX_BYTES = 10 * 1024 * 1024;
/** The current contents quoted in a no-match error are cut here. */
const QUOTE_MAX_CHARS = 20_000;
const MAX_EDITS = 100;

interface Edit {
  oldText: string;
  newText: string;
}

function editsArg(args: Record<string, unknown>): Edit[] {
  const v = args.edits;
  if (v === undefined || v === null) throw new ToolInputError("edits required");
  if (!Array.isArray(v) || v.length === 0) throw new ToolInputError("edits must be a non-empty array of {oldText, newText}");
  if (v.length > MAX_EDITS) throw new ToolInputError(`edits has ${v.length} blocks; at most ${MAX_EDITS} per call`);
  return v.map((e, i) => {
    const o = e as Record<string, unknown> | null;
    if (!o || typeof o !== "object" || typeof o.oldText !== "string" || typeof o.newText !== "string")
      throw new ToolInputError(`edits[${i}] must be an object with string oldText and newText`);
    if (o.oldText === "") throw new ToolInputError(`edits[${i}].oldText must not be empty`);
    return { oldText: o.oldText, newText: o.newText };
  });
}

function countOccurrences(haystack: string, needle: string): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    if (first === -1) first = at;
    count++;
  }
  return { count, first };
}

function quote(text: string): string {
  if (text.length <= QUOTE_MAX_CHARS) return text;
  return `${text.slice(0, QUOTE_MAX_CHARS)}\n[… ${text.length - QUOTE_MAX_CHARS} more characters; use read to see the rest]`;
}

function displayPath(args: Record<string, unknown>): string {
  return typeof args.path === "string" && args.path.trim() ? args.path.trim() : "file";
}

export const editTool: AgentTool = {
  name: "edit",
  description:
    "Replace exact text in a file. Each oldText must appear exactly once in the current file (whitespace and newlines included); " +
    "all blocks are applied together or none is. Use write to create a file.",
  parameters: {
    type: "object",
    properties: {
      path: { type: "string", description: "File to edit (relative to the workspace, or absolute)" },
      edits: {
        type: "array",
        minItems: 1,
        description: "Replacements, each matched against the file as it is before this call",
        items: {
          type: "object",
          properties: {
            oldText: { type: "string", description: "Exact text to find (must be unique in the file)" },
            newText: { type: "string", description: "Text to put in its place" },
          },
          required: ["oldText", "newText"],
          additionalProperties: false,
        },
      },
    },
    required: ["path", "edits"],
    additionalProperties: false,
  },
  title: (args) => `Edit ${displayPath(args)}`,
  async execute(args, ctx) {
    const given = pathArg(args);
    const edits = editsArg(args);
    ctx.signal?.throwIfAborted();
    const { abs, display } = await resolveToolPath(ctx, "edit", given);

    let raw: Buffer;
    try {
      const st = await stat(abs);
      if (st.isDirectory()) throw new ToolInputError(`${display} is a directory; edit works on files.`);
      if (st.size > EDIT_MAX_BYTES) throw new ToolInputError(`${display} is ${st.size} bytes; edit works on files up to ${EDIT_MAX_BYTES} bytes (10 MB).`);
      raw = await readFile(abs);
    } catch (e) {
      if (e instanceof ToolInputError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") throw new Error(`File not found: ${abs}.`);
      throw describeFsError(e, "edit", display);
    }
    if (looksBinary(raw)) throw new ToolInputError(`${display} looks like a binary file (it has NUL bytes); edit works on text files.`);

    const original = raw.toString("utf8");
    // A CRLF file is matched as LF (the model's oldText rarely carries \r) and written back as CRLF.
    const crlf = original.includes("\r\n") && !edits.some((e) => e.oldText.includes("\r"));
    const text = crlf ? original.replace(/\r\n/g, "\n") : original;

    const spans: { start: number; end: number; index: number }[] = [];
    edits.forEach((e, index) => {
      const { count, first } = countOccurrences(text, e.oldText);
      const which = edits.length > 1 ? ` of edits[${index}]` : "";
      if (count === 0)
        throw new Error(
          `Could not find the exact text${which} in ${display}. The old text must match exactly including all whitespace and newlines.\nCurrent file contents:\n${quote(text)}`,
        );
      if (count > 1)
        throw new Error(`Found ${count} occurrences of the text${which} in ${display}. The old text must be unique: add surrounding lines so it matches exactly once.`);
      spans.push({ start: first, end: first + e.oldText.length, index });
    });
    spans.sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) {
      const [prev, cur] = [spans[i - 1]!, spans[i]!];
      if (cur.start < prev.end) throw new ToolInputError(`edits[${prev.index}] and edits[${cur.index}] overlap in ${display}; merge them into one block.`);
    }

    let out = "";
    let at = 0;
    for (const s of spans) {
      out += text.slice(at, s.start) + edits[s.index]!.newText;
      at = s.end;
    }
    out += text.slice(at);
    const updated = crlf ? out.replace(/\r?\n/g, "\r\n") : out;
    const data = Buffer.from(updated, "utf8");
    if (data.length > EDIT_MAX_BYTES) throw new ToolInputError(`The edited file would be ${data.length} bytes; edit writes files up to ${EDIT_MAX_BYTES} bytes (10 MB).`);

    ctx.signal?.throwIfAborted();
    const changed = updated !== original;
    if (changed) {
      try {
        await writeFileAtomic(abs, data);
      } catch (e) {
        throw describeFsError(e, "edit", display);
      }
    }
    const d = lineDiff(text, out);
    return textResult(`Successfully replaced ${edits.length} block(s) in ${display}.`, {
      path: abs,
      blocks: edits.length,
      changed,
      diff: d.diff,
      firstChangedLine: d.firstChangedLine,
      added: d.added,
      removed: d.removed,
    });
  },
};

/** `write`: creates or replaces a whole file (parents included), atomically. */
import { mkdir, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { ToolInputError, textResult, type AgentTool } from "../types.ts";
import { lineDiff, looksBinary, writeFileAtomic } from "./files.ts";
import { describeFsError, pathArg, resolveToolPath } from "./paths.ts";

export const WRITE_MAX_BYTES = 5 * 1024 * 1024;

/** Old contents above this are not read back for the progress diff. */
const DIFF_MAX_BYTES = 1024 * 1024;

function displayPath(args: Record<string, unknown>): string {
  return typeof args.path === "string" && args.path.trim() ? args.path.trim() : "file";
}

export const writeTool: AgentTool = {
  name: "write",
  description:
    "Write a file: creates it (and missing parent directories) or replaces its whole content. " +
    "Relative paths are inside your workspace. To change part of an existing file, use edit.",
  parameters: {
    type: "object",
    properties: {
      path: { type: "string", description: "File to write (relative to the workspace, or absolute)" },
      content: { type: "string", description: "The complete new content" },
    },
    required: ["path", "content"],
    additionalProperties: false,
  },
  title: (args) => `Write ${displayPath(args)}`,
  async execute(args, ctx) {
    const given = pathArg(args);
    if (given.endsWith("/")) throw new ToolInputError(`${given} names a directory; give a file path.`);
    const content = args.content;
    if (typeof content !== "string") throw new ToolInputError(content === undefined || content === null ? "content required" : "content must be a string");
    const data = Buffer.from(content, "utf8");
    if (data.length > WRITE_MAX_BYTES)
      throw new ToolInputError(`content is ${data.length} bytes; write takes at most ${WRITE_MAX_BYTES} bytes (5 MB) at once. Split it into several files or build it up with exec.`);
    ctx.signal?.throwIfAborted();
    const { abs, display } = await resolveToolPath(ctx, "write", given);

    let before: string | null = null;
    let existed = false;
    try {
      const st = await stat(abs);
      if (st.isDirectory()) throw new ToolInputError(`${display} is a directory; give a file path.`);
      existed = true;
      if (st.size <= DIFF_MAX_BYTES) {
        const old = await readFile(abs);
        if (!looksBinary(old)) before = old.toString("utf8");
      }
    } catch (e) {
      if (e instanceof ToolInputError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") throw describeFsError(e, "write", display);
    }

    ctx.signal?.throwIfAborted();
    try {
      await mkdir(dirname(abs), { recursive: true });
      await writeFileAtomic(abs, data);
    } catch (e) {
      throw describeFsError(e, "write", display);
    }

    const d = lineDiff(before ?? "", content);
    const details: Record<string, unknown> = {
      path: abs,
      bytes: data.length,
      created: !existed,
      changed: !existed || before !== content,
    };
    if (!existed || before !== null) Object.assign(details, { diff: d.diff, firstChangedLine: d.firstChangedLine, added: d.added, removed: d.removed });
    return textResult(`Successfully wrote ${data.length} bytes to ${display}`, details);
  },
};

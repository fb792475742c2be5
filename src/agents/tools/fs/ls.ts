/** `ls`: one directory's entries, sorted, a page at a time. */
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { optionalInt } from "../args.ts";
import { textResult, ToolInputError, type AgentTool } from "../types.ts";
import { describeFsError, resolveToolPath } from "./paths.ts";

export const LS_DEFAULT_LIMIT = 500;
const LS_MAX_LIMIT = 10_000;

/** Code-unit order: the same on every machine, unlike locale collation. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function isDir(dir: string, e: Dirent): Promise<boolean> {
  if (e.isDirectory()) return true;
  if (!e.isSymbolicLink()) return false;
  // A link to a directory lists as one; a dangling link as a plain name.
  return stat(join(dir, e.name)).then((s) => s.isDirectory(), () => false);
}

function pathOf(args: Record<string, unknown>): string | undefined {
  return typeof args.path === "string" && args.path.trim() ? args.path.trim() : undefined;
}

export const lsTool: AgentTool = {
  name: "ls",
  description:
    'List a directory (default: your workspace). One JSON-quoted name per line, sorted, "/" after directories, hidden entries included. ' +
    "Long listings are paged: pass the after value from the note at the end to continue.",
  parameters: {
    type: "object",
    properties: {
      path: { type: "string", description: "Directory to list (relative to the workspace, or absolute; default the workspace)" },
      limit: { type: "integer", minimum: 1, description: `Most entries to show (default ${LS_DEFAULT_LIMIT})` },
      after: { type: "string", description: "Show only entries sorted after this name" },
    },
    additionalProperties: false,
  },
  title: (args) => `List ${pathOf(args) ?? "workspace"}`,
  async execute(args, ctx) {
    if (args.path !== undefined && args.path !== null && typeof args.path !== "string") throw new ToolInputError("path must be a string");
    if (args.after !== undefined && args.after !== null && typeof args.after !== "string") throw new ToolInputError("after must be a string");
    const given = pathOf(args) ?? ".";
    const limit = optionalInt(args, "limit", 1, LS_MAX_LIMIT) ?? LS_DEFAULT_LIMIT;
    // The model may hand back a directory name with its "/" marker.
    const after = typeof args.after === "string" && args.after !== "" ? args.after.replace(/\/$/, "") : undefined;
    ctx.signal?.throwIfAborted();
    const { abs, display } = await resolveToolPath(ctx, "ls", given);

    let entries: Dirent[];
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw new Error(`Directory not found: ${abs}.`);
      if (code === "ENOTDIR") throw new ToolInputError(`Not a directory: ${display}. Use read to see a file.`);
      throw describeFsError(e, "list", display);
    }
    ctx.signal?.throwIfAborted();

    entries.sort((a, b) => byName(a.name, b.name));
    const from = after === undefined ? 0 : entries.findIndex((e) => byName(e.name, after) > 0);
    const rest = from === -1 ? [] : entries.slice(from);
    const page = rest.slice(0, limit);
    const names = await Promise.all(page.map(async (e) => (await isDir(abs, e)) ? `${e.name}/` : e.name));
    const details: Record<string, unknown> = { path: abs, total: entries.length, count: page.length };
    if (names.length === 0) return textResult(after === undefined ? "(empty directory)" : "(no more entries)", details);

    let text = names.map((n) => JSON.stringify(n)).join("\n");
    const more = rest.length - page.length;
    if (more > 0) {
      const last = page[page.length - 1]!.name;
      text += `\n\n[${more} more entries. Use after=${JSON.stringify(last)} to continue.]`;
      Object.assign(details, { truncated: true, nextAfter: last });
    }
    return textResult(text, details);
  },
};

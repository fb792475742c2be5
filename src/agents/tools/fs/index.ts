/** The file tools (read, write, edit, ls): workspace-relative, optionally confined by tools.fs.workspaceOnly. */
import type { AgentTool } from "../types.ts";
import { editTool } from "./edit.ts";
import { lsTool } from "./ls.ts";
import { readTool } from "./read.ts";
import { writeTool } from "./write.ts";

export { editTool, EDIT_MAX_BYTES } from "./edit.ts";
export { lsTool, LS_DEFAULT_LIMIT } from "./ls.ts";
export { readTool, READ_MAX_BYTES, READ_MAX_LINES } from "./read.ts";
export { writeTool, WRITE_MAX_BYTES } from "./write.ts";
export { resolveToolPath, type ToolPath } from "./paths.ts";

export const fsTools: AgentTool[] = [readTool, writeTool, editTool, lsTool];

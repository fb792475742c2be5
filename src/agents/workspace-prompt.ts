/**
 * The system-prompt section that carries the workspace files into every turn. Called once per turn,
 * so a file is re-read only when its stat (mtime, size, inode) changed since the last call. The
 * stats are synchronous: five local stats cost a few microseconds on the loop, while async ones
 * each took a round trip through the thread pool (about 4% of the gateway's CPU per tools turn).
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { BOOTSTRAP_FILE, WORKSPACE_FILES, type WorkspaceFileName } from "./workspace-templates.ts";

export const PROMPT_FILE_MAX_CHARS = 20_000;
export const PROMPT_TOTAL_MAX_CHARS = 60_000;
/** USER.md is notes about a person: it should stay short, and a long one crowds out the rest. */
const PER_FILE_MAX: Partial<Record<WorkspaceFileName, number>> = { "USER.md": 4_000 };

/** Files bigger than this are only read in part (their char count is then estimated from the size). */
const FULL_READ_MAX_BYTES = 2 * 1024 * 1024;
const PARTIAL_READ_BYTES = 256 * 1024;

export interface InjectedFile {
  name: string;
  path: string;
  missing: boolean;
  rawChars: number;
  injectedChars: number;
  truncated: boolean;
}

/** Path → last contents read; owned by whoever builds prompts repeatedly (the workspace manager). */
export type PromptCache = Map<string, Cached>;

export interface WorkspacePrompt {
  text: string;
  files: InjectedFile[];
}

interface Cached {
  /** Changes whenever the file does (mtime, size, inode). */
  key: string;
  text: string;
  rawChars: number;
}

/** Reads a workspace file through the cache; null when it is absent or not a regular file. */
async function load(path: string, cache: PromptCache): Promise<Cached | null> {
  let st;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch {
    st = undefined;
  }
  if (!st) {
    cache.delete(path);
    return null;
  }
  if (!st.isFile()) return null;
  const key = `${st.mtimeMs}:${st.size}:${st.ino}`;
  const hit = cache.get(path);
  if (hit?.key === key) return hit;
  let entry: Cached;
  try {
    if (st.size > FULL_READ_MAX_BYTES) {
      entry = { key, text: await Bun.file(path).slice(0, PARTIAL_READ_BYTES).text(), rawChars: st.size };
    } else {
      const text = await Bun.file(path).text();
      entry = { key, text, rawChars: text.length };
    }
  } catch {
    // Unreadable (permissions, raced deletion): shown as missing rather than failing the turn.
    return null;
  }
  cache.set(path, entry);
  return entry;
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  // Do not leave half of a surrogate pair behind.
  if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
  return text.slice(0, end);
}

/** Builds the section for `dir`; `cache` (path → contents) lets repeated calls skip unchanged files. */
export async function buildWorkspacePrompt(dir: string, cache: PromptCache = new Map()): Promise<WorkspacePrompt> {
  const loaded = await Promise.all(WORKSPACE_FILES.map((name) => load(join(dir, name), cache)));
  let budget = PROMPT_TOTAL_MAX_CHARS;
  const files: InjectedFile[] = [];
  const blocks: string[] = [];
  WORKSPACE_FILES.forEach((name, i) => {
    const path = join(dir, name);
    const file = loaded[i];
    if (!file) {
      files.push({ name, path, missing: true, rawChars: 0, injectedChars: 0, truncated: false });
      blocks.push(`## ${path}\n[missing: ${name} does not exist in the workspace]`);
      return;
    }
    const limit = Math.min(PER_FILE_MAX[name] ?? PROMPT_FILE_MAX_CHARS, budget);
    const shown = cut(file.text, limit);
    const truncated = shown.length < file.rawChars;
    budget -= shown.length;
    files.push({ name, path, missing: false, rawChars: file.rawChars, injectedChars: shown.length, truncated });
    const mark = truncated ? `\n\n[… truncated: ${shown.length} of ${file.rawChars} characters shown; read ${path} for the rest]` : "";
    blocks.push(`## ${path}\n${shown.trimEnd()}${mark}`);
  });

  const parts = [
    "## Workspace Files (injected)",
    `Your workspace is ${dir}. These files are loaded into every turn; edit them with the file tools to change what you carry from one session to the next.`,
    "# Project Context",
    ...blocks,
  ];
  if (loaded[WORKSPACE_FILES.indexOf(BOOTSTRAP_FILE)])
    parts.push(
      `## Bootstrap Pending\n${BOOTSTRAP_FILE} is still in the workspace, so this is a first run: follow its steps before other work, and delete ${BOOTSTRAP_FILE} once they are done.`,
    );
  return { text: parts.join("\n\n"), files };
}
